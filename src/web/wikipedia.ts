import type { Encyclopedia } from '../core/ports.js';

/** Options for the Wikipedia REST client; `fetch` is injectable for tests. */
export interface WikipediaOptions {
  baseUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Page summaries from the Wikipedia REST API (`/page/summary/{title}`). */
export class Wikipedia implements Encyclopedia {
  constructor(private readonly options: WikipediaOptions) {}

  /** The page's summary extract, or null when there is no page. Throws on network or server failure. */
  async summary(topic: string, signal?: AbortSignal): Promise<string | null> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 8_000);
    const title = encodeURIComponent(topic.trim().replace(/\s+/g, '_'));
    const response = await (this.options.fetch ?? fetch)(`${this.options.baseUrl.replace(/\/$/, '')}/page/summary/${title}?redirect=true`, {
      headers: { accept: 'application/json', 'api-user-agent': 'persona-bot (self-hosted chat bot)' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`Wikipedia answered ${response.status}`);
    const body = (await response.json()) as { extract?: unknown; title?: unknown };
    return typeof body.extract === 'string' && body.extract.trim() !== '' ? `${String(body.title ?? topic)}: ${body.extract.trim()}` : null;
  }
}
