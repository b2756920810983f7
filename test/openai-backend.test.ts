import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscord } from '../adapters/discord/discord-adapter.js';
import { FakeDiscord, fakeUser } from './fakes/fake-discord.js';
import { FakeOpenAi, firstUser, judgeTurnFor, loadQuirk, textOf, type CompletionBody } from './fakes/fake-openai.js';
import { FakeWikipedia } from './fakes/fake-wikipedia.js';
import type { OllamaChatBody } from './fakes/fake-ollama.js';
import { runEvalCommand } from '../src/eval/eval-command.js';
import { lampFixtures, movieTagger, readReport } from './eval-support.js';
import { createTestBot } from './support/harness.js';
import { runMain } from './support/run-main.js';
import { until } from './support/until.js';

const root = new URL('..', import.meta.url).pathname;
let openai: FakeOpenAi;
let dir: string;

beforeAll(async () => {
  openai = await FakeOpenAi.start({ flavour: 'vllm', contextLength: 16_384 });
  dir = mkdtempSync(join(tmpdir(), 'persona-bot-openai-'));
});
afterAll(async () => {
  await openai.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Settings for a bot whose chat and embeddings both come from the OpenAI-compatible fake (no Ollama at all). */
function settings(extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_PATH: join(dir, 'bot.db'), LLM_PROVIDER: 'openai', OPENAI_BASE_URL: openai.url, OPENAI_MODEL: 'test-chat', OPENAI_EMBED_MODEL: 'test-embed', OLLAMA_HOST: 'http://127.0.0.1:9', WIKIPEDIA_ENABLED: 'false', LOG_LEVEL: 'silent', ...extra };
}

describe('the bot on an OpenAI-compatible server, end to end', { timeout: 60_000 }, () => {
  it('the console chat answers, align rewrites from the correction, and doctor reports the server', async () => {
    const chat = execFile(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'src/cli.ts'), 'chat'], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...settings() } });
    let printed = '';
    chat.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    chat.stdin!.end('what is my favourite number?\n/down\n/reply seven\n');
    expect(await new Promise((resolve) => chat.on('exit', resolve))).toBe(0);
    expect(printed).toContain('bot> answer: what is my favourite number?');
    expect(openai.requests.filter((request) => request.path === '/v1/embeddings').length).toBeGreaterThan(0);

    // Structured answers come back wrapped in prose, a fence and thinking, as a server that ignores response_format sends them.
    const [rewrite, judge] = loadQuirk('json-in-prose').turns;
    openai.respond((body) => (body.response_format ? (firstUser(body).startsWith('Rate how well') ? judgeTurnFor(judge!, body) : rewrite) : undefined));
    const aligned = await runMain(['align'], settings());
    const key = /^(console:local:\S+): accepted \(/m.exec(aligned.stdout)?.[1];
    expect(key).toBeDefined();
    expect(aligned.stdout).toContain('Structured answers: 2 repaired, 0 retried, 0 failed.');
    expect(aligned.code).toBe(0);
    const shown = await runMain(['show', key!, '--json'], settings());
    expect(JSON.parse(shown.stdout).persona).toMatchObject({ reason: 'aligned', text: 'Sam counts in sevens and wants the number first. Call search_memory first.', model: 'test-chat' });

    const doctor = await runMain(['doctor'], settings());
    expect(doctor.stdout).toContain(`✓ openai: reachable at ${openai.url} (vLLM)`);
    expect(doctor.stdout).toContain('✓ chat: test-chat: tools (from settings, the server does not say); prompts fit 16384 tokens (the server: 16384, max_model_len, /v1/models)');
    expect(doctor.stdout).toContain('✓ embeddings: test-embed, 64 dimensions');
    expect(doctor.code).toBe(0);
  });

  it('doctor says what is wrong with the server or the models, with the fix', async () => {
    const down = await runMain(['doctor'], settings({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }));
    expect(down.stdout).toContain('✗ openai: The OpenAI-compatible server is not reachable at http://127.0.0.1:9/v1. Start it (llama-server, vllm serve, LM Studio');
    const missing = await runMain(['doctor'], settings({ OPENAI_MODEL: 'no-such-model' }));
    expect(missing.stdout).toContain(`✗ model: no-such-model is not served at ${openai.url} (see its /v1/models); check OPENAI_MODEL.`);
    const split = await runMain(['doctor'], settings({ EMBED_PROVIDER: 'ollama', OLLAMA_EMBED_MODEL: 'nomic-embed-text' }));
    expect(split.stdout).toContain('✗ ollama: Ollama is not reachable at http://127.0.0.1:9');
    const unset = await runMain(['doctor'], { ...settings(), OPENAI_MODEL: '', OPENAI_EMBED_MODEL: '' });
    expect(unset.stderr).toContain('OPENAI_MODEL: required when LLM_PROVIDER=openai');
    expect(unset.stderr).toContain('OPENAI_EMBED_MODEL: required when embeddings come from the OpenAI-compatible server');
  });

  it('a Discord answer streams from the server without showing the tool call the model wrote as text', async () => {
    openai.reset();
    const discord = await FakeDiscord.start();
    const t = await createTestBot({ env: { LLM_PROVIDER: 'openai', OPENAI_BASE_URL: openai.url, OPENAI_MODEL: 'test-chat', EMBED_PROVIDER: 'ollama' } });
    const config = { ...t.config, DISCORD_TOKEN: 'test-token', DISCORD_API_URL: discord.apiUrl, DISCORD_GUILD_ID: discord.guildId, SHUTDOWN_GRACE_MS: 2000 };
    const adapter = await startDiscord({ config, sink: t.bot, logger: pino({ level: 'silent' }), rest: { globalRequestsPerSecond: 1e6, retries: 0 } });
    try {
      openai.replay('tool-call-in-tags');
      const alice = fakeUser('alice');
      const question = discord.userMessage(alice, `<@${discord.bot.id}> what tea do I like?`);
      discord.dispatch('MESSAGE_CREATE', question);
      const key = { platform: 'discord' as const, workspaceId: discord.guildId, userId: alice.id };
      const stored = await until(() => t.store.listInteractions(key).find((row) => row.answer !== null && row.answerMessageIds.length > 0), 'the stored answer');
      expect(stored.answer).toBe('You like Earl Grey with a slice of lemon, no milk.');
      const posted = await until(() => [...discord.messages.values()].find((message) => message.message_reference?.message_id === question.id && message.content === stored.answer), 'the final edit');
      expect(posted.id).toBe(stored.answerMessageIds[0]);
      const written = discord.requests.filter((request) => (request.method === 'POST' || request.method === 'PATCH') && typeof request.body?.content === 'string').map((request) => request.body.content as string);
      expect(written.length).toBeGreaterThan(0);
      for (const content of written) expect(content).not.toMatch(/tool_call|search_memory|\{"name"/);
      expect(openai.chats().map((body) => body.stream)).toEqual([true, true]);
    } finally {
      await adapter.stop();
      await t.close();
      await discord.close();
    }
  });
});

describe('the evaluation on an OpenAI-compatible server', { timeout: 60_000 }, () => {
  it('runs a method end to end with every chat and embedding request going to that server', async () => {
    openai.reset();
    openai.respond((body) => movieTagger(asOllamaBody(body)));
    const wikipedia = await FakeWikipedia.start({ 'Film genre': 'A film genre is a category of films.' });
    const out = join(dir, 'eval');
    try {
      const env = { LLM_PROVIDER: 'openai', OPENAI_BASE_URL: openai.url, OPENAI_MODEL: 'test-chat', OPENAI_EMBED_MODEL: 'test-embed', OLLAMA_HOST: 'http://127.0.0.1:9', WIKIPEDIA_API_URL: wikipedia.url, LOG_LEVEL: 'silent' };
      const result = { code: 0, stdout: '', stderr: '' };
      const args = ['--task', 'lamp2m', '--data', join(lampFixtures, 'lamp2m'), '--out', out, '--methods', 'persona-agent'];
      result.code = await runEvalCommand(args, { env, stdout: { write: (text: string) => (result.stdout += text) }, stderr: { write: (text: string) => (result.stderr += text), isTTY: false } });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('model test-chat');
      expect(result.stderr).toMatch(/Model requests this run: \d+ sent to the OpenAI-compatible server/);
      expect(result.stdout).toContain('answered by the OpenAI-compatible server');
      const method = readReport(result).methods[0]!;
      expect(method.items.map((item) => item.prediction)).toEqual(['sci-fi', 'I think "twist ending".', 'comedy', 'romance']);
      expect(method.items[0]!.toolCalls.map((call) => call.name)).toEqual(['wikipedia', 'search_memory']);
      expect(openai.chats().length).toBeGreaterThan(4);
      expect(openai.requests.some((request) => request.path === '/v1/embeddings')).toBe(true);
    } finally {
      await wikipedia.close();
    }
  });
});

/** A chat-completions request in the scripted Ollama's terms, so the evaluation's scripted model answers it. */
function asOllamaBody(body: CompletionBody): OllamaChatBody {
  const names = new Map(body.messages.flatMap((message) => (message.tool_calls ?? []).map((call) => [call.id, call.function.name] as const)));
  return {
    model: body.model,
    messages: body.messages.map((message) => ({ role: message.role, content: textOf(message.content), ...(message.tool_call_id ? { tool_name: names.get(message.tool_call_id) } : {}) })),
    ...(body.tools ? { tools: body.tools.map((tool) => ({ function: { name: tool.function.name } })) } : {}),
    ...(body.response_format ? { format: body.response_format.json_schema?.schema ?? {} } : {}),
  };
}
