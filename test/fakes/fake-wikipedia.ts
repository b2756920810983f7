import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Wikipedia REST summary endpoint on 127.0.0.1 serving the given pages. */
export class FakeWikipedia {
  readonly titles: string[] = [];
  private server!: Server;

  private constructor(private readonly pages: Record<string, string>) {}

  /** Starts the server; `pages` maps titles (spaces or underscores) to extracts. */
  static async start(pages: Record<string, string> = {}): Promise<FakeWikipedia> {
    const fake = new FakeWikipedia(pages);
    fake.server = createServer((request, response) => {
      const match = /\/page\/summary\/([^?]+)/.exec(request.url ?? '');
      const title = decodeURIComponent(match?.[1] ?? '').replace(/_/g, ' ');
      fake.titles.push(title);
      const extract = fake.pages[title];
      response.writeHead(extract ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify(extract ? { type: 'standard', title, extract } : { type: 'https://mediawiki.org/wiki/HyperSwitch/errors/not_found', title: 'Not found.' }));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The base URL for WIKIPEDIA_API_URL. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/rest_v1`;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
