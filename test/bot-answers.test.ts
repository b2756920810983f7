import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestBot, type TestBot } from './support/harness.js';
import { mention, member } from './support/events.js';
import { RecordingChat } from './support/recording-chat.js';

let t: TestBot;
let chat: RecordingChat;
const alice = member('alice');
const bob = member('bob');

beforeEach(async () => {
  t = await createTestBot({ wikipediaPages: { 'Ada Lovelace': 'English mathematician and writer.' } });
  chat = new RecordingChat();
});
afterEach(async () => t.close());

/** Asks a question that the model answers directly (no tools). */
async function ask(who = alice, text = 'hello', answer = 'ok') {
  t.ollama.script({ content: answer });
  const event = mention(who, text);
  await t.bot.handle(event, chat);
  return event;
}

describe('answering a mention', () => {
  it('runs the agent through a memory tool call and stores and sends the answer', async () => {
    await ask(alice, 'which tea do I like in winter', 'smoky lapsang');
    t.ollama.reset();
    t.ollama.script(
      { content: '', toolCalls: [{ name: 'search_memory', arguments: { query: 'tea winter' } }] },
      { content: '', toolCalls: [{ name: 'wikipedia', arguments: { topic: 'Ada Lovelace' } }] },
      { content: 'Lapsang souchong, as you like it.' },
    );
    const event = mention(alice, 'recommend me a tea for this winter evening');
    await t.bot.handle(event, chat);

    const chats = t.ollama.chats();
    expect(chats).toHaveLength(3);
    expect(chats[0]!.messages[0]).toMatchObject({ role: 'system' });
    expect(chats[0]!.messages[0]!.content).toContain('search_memory');
    expect(chats[0]!.tools?.map((tool) => tool.function.name)).toEqual(['search_memory', 'wikipedia']);
    expect(chats[0]!.options?.temperature).toBe(0.1);
    const memoryResult = chats[1]!.messages.find((message) => message.role === 'tool');
    expect(memoryResult?.content).toContain('which tea do I like in winter');
    expect(memoryResult?.content).not.toContain('recommend me a tea for this winter evening');
    expect(chats[2]!.messages.at(-1)).toMatchObject({ role: 'tool', tool_name: 'wikipedia', content: expect.stringContaining('English mathematician') });

    expect(chat.last()).toMatchObject({ text: 'Lapsang souchong, as you like it.', to: { channelId: 'c1', replyToId: event.messageId } });
    const [latest] = t.store.listInteractions(alice);
    expect(latest).toMatchObject({ question: event.text, answer: 'Lapsang souchong, as you like it.', questionMessageId: event.messageId, answerMessageIds: chat.last().messageIds });
    expect(latest!.personaVersionId).toBe(t.store.livePersona(latest!.memberId)!.id);
    expect(t.store.db.prepare('SELECT count(*) FROM interaction_vectors').pluck().get()).toBe(2);
  });

  it('never retrieves another member\'s memories, even with the same words', async () => {
    await ask(bob, 'my secret password hint is the blue parrot', 'noted');
    await ask(alice, 'what colour is my parrot', 'green');
    t.ollama.reset();
    t.ollama.script({ toolCalls: [{ name: 'search_memory', arguments: { query: 'secret password hint blue parrot' } }] }, { content: 'done' });
    await t.bot.handle(mention(alice, 'what is my secret password hint'), chat);
    const toolMessages = t.ollama.chats()[1]!.messages.filter((message) => message.role === 'tool');
    expect(toolMessages[0]!.content).toContain('what colour is my parrot');
    expect(toolMessages[0]!.content).not.toContain('blue parrot');
  });

  it('carries earlier turns of a thread into the model call', async () => {
    const first = mention(alice, 'suggest a board game', { threadId: 't1' });
    t.ollama.script({ content: 'Try Azul.' });
    await t.bot.handle(first, chat);
    t.ollama.reset();
    await t.bot.handle(mention(alice, 'something longer?', { threadId: 't1' }), chat);
    const sent = t.ollama.chats()[0]!.messages.map((message) => `${message.role}:${message.content}`);
    expect(sent.slice(1, 4)).toEqual(['user:suggest a board game', 'assistant:Try Azul.', 'user:something longer?']);
    // The prefetched memories do not repeat the turn that is already in the conversation.
    expect(sent[5]).toMatch(/^tool:.*already searched/s);
    expect(sent[5]).not.toContain('board game');
  });

  it('answers a redelivered mention once', async () => {
    t.ollama.script({ content: 'one' });
    const event = mention(alice, 'are you there');
    await t.bot.handle(event, chat);
    await t.bot.handle(event, chat);
    await Promise.all([t.bot.handle(mention(alice, 'x', { messageId: 'same' }), chat), t.bot.handle(mention(alice, 'x', { messageId: 'same' }), chat)]);
    expect(chat.sent).toHaveLength(2);
    expect(t.store.listInteractions(alice)).toHaveLength(2);
  });

  it('stops the agent loop after the step limit and asks for a final answer without tools', async () => {
    t.ollama.respond((body) => (body.tools ? { toolCalls: [{ name: 'search_memory', arguments: { query: 'again' } }] } : { content: 'final' }));
    await t.bot.handle(mention(alice, 'loop forever'), chat);
    const chats = t.ollama.chats();
    expect(chats).toHaveLength(t.config.AGENT_MAX_STEPS + 1);
    expect(chats.at(-1)!.tools).toBeUndefined();
    expect(chat.last().text).toBe('final');
  });

  it('tells the member when the mention is empty or too long, and stores nothing', async () => {
    await t.bot.handle(mention(alice, '   '), chat);
    await t.bot.handle(mention(alice, 'x'.repeat(t.config.MAX_MESSAGE_CHARS + 1)), chat);
    expect(chat.sent.map((message) => message.text)).toEqual([expect.stringContaining('Ask me something'), expect.stringContaining('Please shorten it')]);
    expect(t.store.listInteractions(alice)).toHaveLength(0);
    expect(t.ollama.chats()).toHaveLength(0);
  });
});

describe('when the model fails', () => {
  async function expectFailure(expected: RegExp, code: string) {
    const event = mention(alice, 'will you answer?');
    await t.bot.handle(event, chat);
    expect(chat.last().text).toMatch(expected);
    const [stored] = t.store.listInteractions(alice);
    expect(stored).toMatchObject({ question: 'will you answer?', answer: null, errorCode: code });
    // The process keeps going: the next question is answered once the model is back.
    t.ollama.reset();
    t.ollama.models = ['test-chat:latest', 'test-embed:latest'];
    t.ollama.script({ content: 'back again' });
    await t.bot.handle(mention(alice, 'and now?'), chat);
    expect(chat.last().text).toBe('back again');
  }

  it('says so when Ollama returns garbage', async () => {
    t.ollama.script({ garbage: '{"message": oops' });
    await expectFailure(/could not use/, 'MODEL_BAD_RESPONSE');
  });

  it('says so when the model is not pulled', async () => {
    t.ollama.models = ['test-embed:latest'];
    await expectFailure(/not installed/, 'MODEL_MISSING');
  });

  it('says so when the model is too slow', async () => {
    await t.close();
    t = await createTestBot({ env: { OLLAMA_TIMEOUT_MS: '200' } });
    t.ollama.script({ content: 'late', delayMs: 1_000 });
    await expectFailure(/took too long/, 'MODEL_TIMEOUT');
  });

  it('says so when Ollama is down, and keeps the question', async () => {
    await t.ollama.close();
    const event = mention(alice, 'anyone home?');
    await t.bot.handle(event, chat);
    expect(chat.last().text).toMatch(/not reachable/);
    expect(t.store.listInteractions(alice)[0]).toMatchObject({ question: 'anyone home?', errorCode: 'MODEL_UNREACHABLE' });
    t.ollama = await (await import('./fakes/fake-ollama.js')).FakeOllama.start();
  });
});

describe('when the database is locked', () => {
  it('tells the member, keeps running, and answers the redelivered message once the lock is gone', async () => {
    const Database = (await import('better-sqlite3')).default;
    const other = new Database(t.config.DATABASE_PATH);
    other.exec('BEGIN EXCLUSIVE');
    const event = mention(alice, 'are you there?');
    t.ollama.script({ content: 'yes' });
    await t.bot.handle(event, chat);
    expect(chat.last().text).toContain('Something went wrong');
    other.exec('COMMIT');
    other.close();
    await t.bot.handle(event, chat);
    expect(chat.last().text).toBe('yes');
    expect(t.store.listInteractions(alice)).toHaveLength(1);
  });
});
