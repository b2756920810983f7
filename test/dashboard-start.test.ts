import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOllama } from './fakes/fake-ollama.js';

const root = new URL('..', import.meta.url).pathname;
let ollama: FakeOllama;
let dir: string;

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Fetches until the dashboard answers (start-up checks Ollama first), or gives up after `tries`. */
async function whenUp(url: string, tries = 200): Promise<Response> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fetch(url);
    } catch (error) {
      if (attempt >= tries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

beforeAll(async () => {
  ollama = await FakeOllama.start();
  dir = mkdtempSync(join(tmpdir(), 'persona-bot-dashboard-'));
});
afterAll(async () => {
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the bot process', () => {
  it('serves the dashboard while it runs when DASHBOARD_PORT is set, and stops it at shutdown', async () => {
    const port = await freePort();
    const bot = execFile(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'src/cli.ts'), 'chat'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, USER: 'sam', DATABASE_PATH: join(dir, 'bot.db'), OLLAMA_HOST: ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed', WIKIPEDIA_ENABLED: 'false', DASHBOARD_PORT: String(port) },
    });
    const exited = new Promise((resolve) => bot.on('exit', resolve));
    const page = await whenUp(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Overview</h1>');
    bot.stdin!.end('/quit\n');
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  }, 60_000);
});
