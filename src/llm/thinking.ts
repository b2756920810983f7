const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * A reply's text without the model's thinking: `<think>…</think>` blocks wherever they are, and
 * everything before a closing tag that has no opening one (DeepSeek-R1 distills: the chat template
 * writes the `<think>` itself, so only `</think>` comes back). A reply that opens a thinking block
 * and never closes it (cut off at the token limit) has no answer in it.
 */
export function stripThinking(text: string): string {
  let rest = text.replace(/<think>[\s\S]*?<\/think>/g, '');
  const close = rest.lastIndexOf(CLOSE);
  if (close >= 0) rest = rest.slice(close + CLOSE.length);
  const open = rest.indexOf(OPEN);
  if (open >= 0) rest = rest.slice(0, open);
  return rest === text ? text : rest.trim();
}

/**
 * How much of a streamed reply is surely answer text so far, thinking taken out; `closesOnly` is set
 * for a model seen to write only the closing tag, whose text is held until that tag comes.
 */
export function visibleAnswer(raw: string, closesOnly: boolean): string {
  const start = raw.trimStart();
  if (start === '' || (start.length < OPEN.length && OPEN.startsWith(start))) return '';
  if (start.startsWith(OPEN)) {
    const close = start.indexOf(CLOSE);
    return close < 0 ? '' : visibleAnswer(start.slice(close + CLOSE.length), false);
  }
  const close = raw.lastIndexOf(CLOSE);
  if (close >= 0) return raw.slice(close + CLOSE.length).trimStart();
  if (closesOnly) return '';
  return withoutPartialTag(raw, CLOSE);
}

/** The text without a trailing piece that may be the start of `tag` (`</th` of `</think>`). */
function withoutPartialTag(text: string, tag: string): string {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length -= 1) {
    if (tag.startsWith(text.slice(-length))) return text.slice(0, -length);
  }
  return text;
}
