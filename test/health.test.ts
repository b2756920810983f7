import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { healthChecks } from '../src/health.js';
import { readHeartbeat, startHeartbeat } from '../src/jobs/heartbeat.js';
import { openDatabase } from '../src/memory/database.js';
import { FakeOllama } from './fakes/fake-ollama.js';
import { runMain } from './support/run-main.js';

const root = new URL('..', import.meta.url).pathname;
let dir: string;
let ollama: FakeOllama;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'persona-bot-health-'));
  ollama = await FakeOllama.start();
});
afterAll(async () => {
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => vi.useRealTimers());

/** Polls until `ready` holds; the child process works at its own pace. */
async function until(ready: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !ready(); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('health (the Docker health check)', () => {
  it('passes while a bot runs on the database, and fails once it has stopped', async () => {
    const databasePath = join(dir, 'running', 'bot.db');
    const env = { DATABASE_PATH: databasePath, OLLAMA_HOST: ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed', WIKIPEDIA_ENABLED: 'false', LOG_LEVEL: 'silent' };
    const bot = execFile(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'src/cli.ts'), 'chat'], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...env } });
    const exited = new Promise((resolve) => bot.on('exit', resolve));
    try {
      await until(() => existsSync(`${databasePath}.heartbeat`), 'the first heartbeat');
      const healthy = await runMain(['health'], env);
      expect(healthy.stdout).toMatch(new RegExp(`^✓ database: ${databasePath} opens, schema version \\d+$`, 'm'));
      expect(healthy.stdout).toMatch(new RegExp(`^✓ heartbeat: written \\d+ s ago by pid ${bot.pid} \\(checkpoints, alignment, console\\)$`, 'm'));
      expect(healthy.code).toBe(0);
      bot.stdin!.end('/quit\n');
      expect(await exited).toBe(0);
    } finally {
      if (bot.exitCode === null) bot.kill();
    }
    const stopped = await runMain(['health'], env);
    expect(stopped.stdout).toContain(`✗ heartbeat: none at ${databasePath}.heartbeat: the bot is not running`);
    expect(stopped.code).toBe(1);
  }, 120_000);

  it('fails on a heartbeat older than three intervals, and on a missing database', () => {
    const databasePath = join(dir, 'stale.db');
    openDatabase(databasePath).close();
    const at = new Date('2026-11-29T12:00:00Z');
    writeFileSync(`${databasePath}.heartbeat`, JSON.stringify({ at: at.toISOString(), pid: 4242, intervalMs: 30_000, adapters: ['discord'] }));
    const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);

    expect(healthChecks({ DATABASE_PATH: databasePath }, later(89))).toEqual([
      { ok: true, name: 'database', detail: expect.stringMatching(/opens, schema version \d+$/) },
      { ok: true, name: 'heartbeat', detail: 'written 89 s ago by pid 4242 (discord)' },
    ]);
    expect(healthChecks({ DATABASE_PATH: databasePath }, later(91))[1]).toEqual({
      ok: false,
      name: 'heartbeat',
      detail: 'written 91 s ago by pid 4242 (discord), more than 90 s: the bot has stopped or is stuck',
    });
    const [database] = healthChecks({ DATABASE_PATH: join(dir, 'nowhere', 'bot.db') }, later(1));
    expect(database).toMatchObject({ ok: false, detail: expect.stringContaining('there is no database file at') });
  });

  it('beats every interval, replacing the file whole, and takes it away when stopped', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const path = join(dir, 'beating.heartbeat');
    let now = new Date('2026-11-29T12:00:00Z');
    let adapters = ['console'];
    const beat = startHeartbeat({ path, intervalMs: 30_000, adapters: () => adapters, logger: pino({ level: 'silent' }), now: () => now });
    expect(readHeartbeat(path)).toEqual({ at: now, pid: process.pid, intervalMs: 30_000, adapters: ['console'] });
    now = new Date('2026-11-29T12:00:30Z');
    adapters = ['discord', 'slack'];
    await vi.advanceTimersByTimeAsync(30_000);
    expect(readHeartbeat(path)).toMatchObject({ at: now, adapters: ['discord', 'slack'] });
    expect(existsSync(`${path}.tmp`)).toBe(false);
    await beat.stop();
    expect(existsSync(path)).toBe(false);
  });
});
