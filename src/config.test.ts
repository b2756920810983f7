import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from './config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      OLLAMA_HOST: 'http://127.0.0.1:11434',
      OLLAMA_EMBED_MODEL: 'nomic-embed-text',
      DATABASE_PATH: './data/persona-bot.db',
      MEMORY_TOP_K: 4,
      LLM_TEMPERATURE: 0.1,
      ALIGN_BATCH_SIZE: 3,
      ALIGN_ITERATIONS: 1,
      ALIGN_CONCURRENCY: 1,
      ALIGN_VALIDATE: true,
      PERSONA_MAX_CHARS: 4000,
    });
  });

  it('lists every bad setting at once, without echoing secrets', () => {
    let caught: unknown;
    try {
      loadConfig({ MEMORY_TOP_K: 'many', LLM_TEMPERATURE: '7', OLLAMA_HOST: 'not a url', SLACK_APP_TOKEN: 'xoxb-secret-value', ALIGN_RUN_TIMEOUT_MS: '3000000000', PERSONA_CRON: 'every six hours' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toContain('MEMORY_TOP_K');
    expect(problems).toContain('LLM_TEMPERATURE');
    expect(problems).toContain('OLLAMA_HOST');
    expect(problems).toContain('ALIGN_RUN_TIMEOUT_MS="3000000000": must be at most 2147483647');
    expect(problems).toContain('PERSONA_CRON="every six hours": must be a cron expression');
    expect(() => loadConfig({ SLACK_APP_TOKEN: 'xoxb-secret-value', SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_APP_TOKEN: must be an app-level token/);
    expect((caught as Error).message).not.toContain('secret-value');
  });

  it('reads OLLAMA_HOST as Ollama does: no scheme means http, no port means 11434', () => {
    const host = (value: string) => loadConfig({ OLLAMA_HOST: value }).OLLAMA_HOST;
    expect(host('127.0.0.1:11434')).toBe('http://127.0.0.1:11434');
    expect(host('localhost:11434')).toBe('http://localhost:11434');
    expect(host(' ollama ')).toBe('http://ollama:11434');
    expect(host(':11500')).toBe('http://127.0.0.1:11500');
    expect(host('[::1]:11434')).toBe('http://[::1]:11434');
    expect(host('http://127.0.0.1:11434')).toBe('http://127.0.0.1:11434');
    expect(host('https://models.example.org/ollama/')).toBe('https://models.example.org/ollama');
    for (const bad of ['ftp://127.0.0.1:11434', 'not a host', 'http://']) {
      expect(() => loadConfig({ OLLAMA_HOST: bad }), bad).toThrow(/OLLAMA_HOST=/);
    }
  });

  it('.env.example documents every setting and parses as it stands', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const parsed = parseEnv(example);
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(configSchema.shape).sort());
    expect(() => loadConfig(parsed)).not.toThrow();
  });
});
