/** What may be logged about a failed Web API call: its code and Slack's error name, never the text sent. */
export function slackErrorSummary(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const { code, data } = error as Error & { code?: unknown; data?: { error?: unknown } };
  return { errorName: error.name, code, slackError: data?.error ?? error.message };
}

/**
 * Makes text safe to post: `&`, `<` and `>` are escaped so nothing becomes a mention or link
 * (`<!channel>`, `<@U…>`), and a plain `@here`/`@channel`/`@everyone` gets a zero-width space.
 */
export function escapeForSlack(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(here|channel|everyone)\b/gi, '@\u200b$1');
}
