import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeOllama, type FakeOllamaOptions } from './fakes/fake-ollama.js';
import { member, mention } from './support/events.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { StreamingChat } from './support/recording-chat.js';
import { runMain } from './support/run-main.js';

const alice = member('alice');
let t: TestBot | undefined;
let ollama: FakeOllama | undefined;
let dir: string | undefined;

afterEach(async () => {
  await t?.close();
  await ollama?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  t = undefined;
  ollama = undefined;
  dir = undefined;
});

/** Runs a CLI command against a scripted Ollama with these capabilities. */
async function cli(args: string[], options: FakeOllamaOptions, env: Record<string, string> = {}) {
  ollama = await FakeOllama.start(options);
  dir = mkdtempSync(join(tmpdir(), 'persona-bot-caps-'));
  return runMain(args, { DATABASE_PATH: join(dir, 'bot.db'), OLLAMA_HOST: ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed', WIKIPEDIA_ENABLED: 'false', LOG_LEVEL: 'silent', ...env });
}

describe('doctor asks the server what the models are and can do', () => {
  it('a chat model without tools: doctor says how the bot answers instead, and passes', async () => {
    const result = await cli(['doctor'], { capabilities: ['completion'], contextLength: 4096 });
    expect(result.stdout).toContain('✓ chat: test-chat: plain chat (the server reports); prompts fit 4096 tokens (the server: 4096, trained length, /api/show)');
    expect(result.stdout).toContain("✓ tools: test-chat does not take tools: each answer gets the member's memories searched before the question, and no tools are offered.");
    expect(result.code).toBe(0);
  });

  it('a chat model as the embedding model is refused, at start-up too, with the fix', async () => {
    const doctor = await cli(['doctor'], {}, { OLLAMA_EMBED_MODEL: 'test-chat' });
    expect(doctor.stdout).toContain('✗ embeddings: test-chat is not an embedding model (it reports: completion, tools). Set OLLAMA_EMBED_MODEL to an embedding model such as nomic-embed-text');
    expect(doctor.code).toBe(1);
    await ollama!.close();
    const start = await cli(['align'], {}, { OLLAMA_EMBED_MODEL: 'test-chat' });
    expect(start.code).toBe(1);
    expect(start.stderr).toContain('persona-bot cannot start:\n  - test-chat is not an embedding model');
  });

  it('an embedding model as the chat model is refused', async () => {
    const result = await cli(['doctor'], {}, { OLLAMA_MODEL: 'test-embed' });
    expect(result.stdout).toContain('✗ model: test-embed is an embedding model, not a chat model. Set OLLAMA_MODEL to a chat model');
    expect(result.code).toBe(1);
  });
});

describe('the bot with what Ollama reported', () => {
  it('a model without tools gets no tools and the member\'s memories in the prompt, whatever MEMORY_PREFETCH says', async () => {
    t = await createTestBot({ ollama: { capabilities: ['completion'], contextLength: 4096 }, env: { MEMORY_PREFETCH: 'false' } });
    await t.core.model.inspect();
    expect(t.core.model.contextTokens).toBe(4096);
    t.ollama.script({ content: 'Earl Grey.' }, { content: 'Lemon.' });
    await t.bot.handle(mention(alice, 'what tea?'), new StreamingChat());
    await t.bot.handle(mention(alice, 'and with tea, what fruit?'), new StreamingChat());
    const body = t.ollama.chats()[1]!;
    expect(body.tools).toBeUndefined();
    expect(body.messages.some((message) => message.role === 'tool' || message.tool_calls)).toBe(false);
    expect(body.messages.at(-1)!.content).toMatch(/^Earlier exchanges with this member[\s\S]*what tea\?[\s\S]*Earl Grey\.[\s\S]*The member's question:\n\nand with tea, what fruit\?$/);
  });

  it('a model that refuses tools although the server did not say: asked again without them, and tools stay off', async () => {
    t = await createTestBot({ ollama: { capabilities: null } });
    await t.core.model.inspect();
    t.ollama.script({ status: 400, error: 'registry.ollama.ai/library/gemma3:4b does not support tools' }, { content: 'Earl Grey.' });
    const chat = new StreamingChat();
    await t.bot.handle(mention(alice, 'what tea?'), chat);
    expect(t.ollama.chats().map((body) => body.tools !== undefined)).toEqual([true, false]);
    expect(t.store.listInteractions(alice)[0]!.answer).toBe('Earl Grey.');
    expect(t.core.model.capabilities).toMatchObject({ tools: false, source: 'server' });
  });

  it('a thinking model: think is sent as LLM_THINK says, and its thinking never reaches the member or the store', async () => {
    for (const think of [false, true]) {
      t = await createTestBot({ ollama: { capabilities: ['completion', 'tools', 'thinking'] }, env: { LLM_THINK: String(think) } });
      await t.core.model.inspect();
      t.ollama.script({ thinking: 'The member likes citrus.', content: 'Lemon tea.' });
      const chat = new StreamingChat();
      const event = mention(alice, 'what tea?');
      await t.bot.handle(event, chat);
      expect(t.ollama.chats()[0]!.think).toBe(think);
      const stream = chat.streamFor(event.messageId)!;
      expect(stream.events.filter((entry) => entry.kind === 'append').map((entry) => entry.text).join('')).toBe('Lemon tea.');
      expect(t.store.listInteractions(alice)[0]!.answer).toBe('Lemon tea.');
      await t.close();
      t = undefined;
    }
  });

  it('an older server that leaves <think> in the content: removed from the stream and the store', async () => {
    t = await createTestBot({ ollama: { speed: { promptTokensPerSecond: 1e6, tokensPerSecond: 2000 } } });
    t.ollama.script({ content: '<think>\nThe member likes citrus.\n</think>\n\nLemon tea.' });
    const chat = new StreamingChat();
    const event = mention(alice, 'what tea?');
    await t.bot.handle(event, chat);
    const appended = chat.streamFor(event.messageId)!.events.filter((entry) => entry.kind === 'append');
    expect(appended.length).toBeGreaterThan(0);
    expect(appended.every((entry) => !/think|citrus/.test(entry.text))).toBe(true);
    expect(appended.map((entry) => entry.text).join('')).toBe('Lemon tea.');
    expect(t.store.listInteractions(alice)[0]!.answer).toBe('Lemon tea.');
  });
});

describe('what small models on Ollama write', () => {
  it('tool-call arguments sent as JSON text are read as the call; text that is not JSON gets a corrective turn naming the call', async () => {
    t = await createTestBot();
    t.ollama.script({ toolCalls: [{ name: 'search_memory', arguments: '{"query": "tea"}' }] }, { content: 'Earl Grey.' });
    await t.bot.handle(mention(alice, 'what tea?'), new StreamingChat());
    const called = t.ollama.chats()[1]!.messages.filter((message) => message.tool_calls).at(-1)!;
    expect(called.tool_calls![0]!.function).toEqual({ name: 'search_memory', arguments: { query: 'tea' } });
    expect(t.ollama.chats()[1]!.messages.at(-1)).toMatchObject({ role: 'tool', tool_name: 'search_memory' });
    t.ollama.reset();
    t.ollama.script({ toolCalls: [{ name: 'search_memory', arguments: 'query=coffee' }] }, { content: 'A flat white.' });
    const event = mention(alice, 'and coffee?');
    await t.bot.handle(event, new StreamingChat());
    const retry = t.ollama.chats()[1]!.messages;
    // The unreadable call was never run: what answers it is the model's mistake, shown to it.
    expect(retry.at(-2)!.tool_calls![0]!.function.name).toBe('search_memory');
    expect(retry.at(-1)).toMatchObject({ role: 'tool', tool_name: 'search_memory' });
    expect(retry.at(-1)!.content).toContain('Your tool call could not be used: the arguments of the search_memory call are not valid JSON: query=coffee');
    expect(t.store.listInteractions(alice).find((row) => row.questionMessageId === event.messageId)!.answer).toBe('A flat white.');
  });

  it('a model Ollama says thinks, whose template opened <think>: nothing before the lone </think> is shown, even in the first answer', async () => {
    t = await createTestBot({ ollama: { capabilities: ['completion', 'tools', 'thinking'], speed: { promptTokensPerSecond: 1e6, tokensPerSecond: 2000 } } });
    await t.core.model.inspect();
    const { appended, retracts, stored } = await answerWith('Okay, so the member likes citrus.\n</think>\n\nLemon tea, brewed short.');
    expect(retracts).toBe(0);
    expect(appended.join('')).toBe('Lemon tea, brewed short.');
    expect(stored).toBe('Lemon tea, brewed short.');
  });

  it('a <think> block after some of the answer is never shown, and not stored', async () => {
    t = await createTestBot({ ollama: { speed: { promptTokensPerSecond: 1e6, tokensPerSecond: 2000 } } });
    const { appended, retracts, stored } = await answerWith('Lemon tea. <think>\nThe member likes citrus, or was it mint?\n</think> Brewed short.');
    expect(retracts).toBe(0);
    expect(appended.every((text) => !/think|citrus|mint/.test(text))).toBe(true);
    expect(appended.join('')).toBe('Lemon tea. Brewed short.');
    expect(stored).toBe('Lemon tea. Brewed short.');
  });
});

/** Alice asks once and the model writes `content`: what was appended to her stream, how often it was taken back, and what was stored. */
async function answerWith(content: string): Promise<{ appended: string[]; retracts: number; stored: string | null }> {
  t!.ollama.script({ content });
  const chat = new StreamingChat();
  const event = mention(alice, 'what tea?');
  await t!.bot.handle(event, chat);
  const events = chat.streamFor(event.messageId)!.events;
  const appended = events.flatMap((entry) => (entry.kind === 'append' ? [entry.text] : []));
  const stored = t!.store.listInteractions(alice).find((row) => row.questionMessageId === event.messageId)!.answer;
  return { appended, retracts: events.filter((entry) => entry.kind === 'retract').length, stored };
}
