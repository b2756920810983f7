import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { buildCore, type Core } from '../../src/main.js';
import type { ProgressDelays } from '../../src/core/answer-progress.js';
import type { Bot } from '../../src/core/bot.js';
import type { Store } from '../../src/memory/store.js';
import { FakeOllama, type FakeOllamaOptions } from '../fakes/fake-ollama.js';
import { FakeWikipedia } from '../fakes/fake-wikipedia.js';

/** A real core on a temp SQLite file, talking to a fake Ollama and a fake Wikipedia on 127.0.0.1. */
export interface TestBot {
  bot: Bot;
  store: Store;
  ollama: FakeOllama;
  wikipedia: FakeWikipedia;
  config: Config;
  core: Core;
  close(): Promise<void>;
}

/** Builds a TestBot; `env` overrides settings as environment strings, `config` as parsed values. */
export async function createTestBot(options: { env?: Record<string, string>; config?: Partial<Config>; wikipediaPages?: Record<string, string>; ollama?: FakeOllamaOptions; progress?: ProgressDelays } = {}): Promise<TestBot> {
  const ollama = await FakeOllama.start(options.ollama);
  const wikipedia = await FakeWikipedia.start(options.wikipediaPages);
  const dir = mkdtempSync(join(tmpdir(), 'persona-bot-test-'));
  const config = {
    ...loadConfig({
      OLLAMA_HOST: ollama.url,
      OLLAMA_MODEL: 'test-chat',
      OLLAMA_EMBED_MODEL: 'test-embed',
      OLLAMA_TIMEOUT_MS: '5000',
      DATABASE_PATH: join(dir, 'bot.db'),
      WIKIPEDIA_API_URL: wikipedia.url,
      LOG_LEVEL: 'silent',
      ...options.env,
    }),
    ...options.config,
  };
  const core = buildCore(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), { busyTimeoutMs: 100, progress: options.progress });
  return {
    bot: core.bot,
    store: core.store,
    ollama,
    wikipedia,
    config,
    core,
    async close() {
      // Nothing a test started may outlive it: waiting answers are told, running ones stopped.
      await core.bot.drain(0);
      core.close();
      await Promise.all([ollama.close(), wikipedia.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
