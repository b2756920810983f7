import { afterEach, describe, expect, it } from 'vitest';
import type { MemberKey } from '../src/core/ports.js';
import type { OllamaChatBody } from './fakes/fake-ollama.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { mention, member, reaction, reply } from './support/events.js';
import { StreamingChat } from './support/recording-chat.js';
import { until } from './support/until.js';

let t: TestBot;
afterEach(async () => t?.close());

const alice = member('alice');
const bob = member('bob');

/** Stores a labelled memory for `who` through the bot, as a member would leave it. */
async function remember(who: MemberKey, question: string, truth: string, chat: StreamingChat): Promise<void> {
  t.ollama.script({ content: 'a first guess' });
  const asked = mention(who, question);
  await t.bot.handle(asked, chat);
  const answerId = chat.streamFor(asked.messageId)!.messageIds[0]!;
  await t.bot.handle(reaction(who, answerId, '👎'), chat);
  await t.bot.handle(reply(who, answerId, truth), chat);
}

function toolText(body: OllamaChatBody): string {
  return body.messages.filter((message) => message.role === 'tool').map((message) => message.content).join('\n');
}

describe('one model call for a typical answer', () => {
  it('answers with one chat call whose prompt already holds the member\'s own memories and no one else\'s', async () => {
    t = await createTestBot();
    const chat = new StreamingChat();
    await remember(alice, 'which wine with salmon?', 'a dry riesling', chat);
    await remember(bob, 'which wine with salmon?', 'rosé from provence', chat);
    t.ollama.reset();
    t.ollama.script({ content: 'A dry riesling, as you like it.' });
    const question = mention(alice, 'what wine goes with salmon tonight?');
    await t.bot.handle(question, chat);
    const chats = t.ollama.chats();
    expect(chats).toHaveLength(1);
    expect(toolText(chats[0]!)).toContain('a dry riesling');
    expect(toolText(chats[0]!)).not.toContain('provence');
    // The tools stay offered for a further search or a lookup.
    expect(chats[0]!.tools?.map((tool) => tool.function.name)).toEqual(['search_memory', 'wikipedia']);
    expect(chat.streamFor(question.messageId)!.visible).toBe('A dry riesling, as you like it.');
    // One embedding for the question serves both the stored vector and the search.
    expect(t.ollama.requests.filter((request) => request.path === '/api/embed')).toHaveLength(1);
    // What the answer cost is kept for the dashboard.
    const cost = t.store.db.prepare('SELECT model_calls, prompt_tokens, wait_ms, first_text_ms, answer_ms FROM interactions WHERE question_message_id = ?').get(question.messageId) as Record<string, number>;
    expect(cost).toMatchObject({ model_calls: 1, prompt_tokens: t.ollama.requests.find((request) => request.path === '/api/chat')!.prompt!.promptTokens });
    expect(cost.wait_ms).toBeLessThanOrEqual(cost.first_text_ms!);
    expect(cost.first_text_ms).toBeLessThanOrEqual(cost.answer_ms!);
  });

  it('runs the paper\'s loop (the model searches first) with MEMORY_PREFETCH=false', async () => {
    t = await createTestBot({ env: { MEMORY_PREFETCH: 'false' } });
    const chat = new StreamingChat();
    t.ollama.script({ toolCalls: [{ name: 'search_memory', arguments: { query: 'salmon' } }] }, { content: 'Riesling.' });
    await t.bot.handle(mention(alice, 'what wine goes with salmon?'), chat);
    const chats = t.ollama.chats();
    expect(chats).toHaveLength(2);
    expect(chats[0]!.messages.some((message) => message.role === 'tool')).toBe(false);
    expect(toolText(chats[1]!)).toContain('No earlier interactions');
  });
});

describe('streaming an answer', () => {
  it('shows the answer token by token, and stores the final text it ends with', async () => {
    t = await createTestBot({ ollama: { speed: { promptTokensPerSecond: 100_000, tokensPerSecond: 400 } } });
    const chat = new StreamingChat();
    t.ollama.script({ content: 'Try the green curry with extra basil tonight.' });
    const question = mention(alice, 'dinner idea?');
    await t.bot.handle(question, chat);
    const stream = chat.streamFor(question.messageId)!;
    const appends = stream.events.filter((event) => event.kind === 'append');
    expect(appends.length).toBeGreaterThan(3);
    expect(stream.events.at(-1)).toMatchObject({ kind: 'finish', text: 'Try the green curry with extra basil tonight.' });
    expect(t.store.listInteractions(alice)[0]).toMatchObject({ answer: 'Try the green curry with extra basil tonight.', answerMessageIds: stream.messageIds });
  });

  it('ends an answer cut off by the model with a note, and stores it as failed', async () => {
    t = await createTestBot({ ollama: { speed: { promptTokensPerSecond: 100_000, tokensPerSecond: 1_000 } } });
    const chat = new StreamingChat();
    t.ollama.script({ content: 'The first part of a long answer that never', failAfterTokens: 4 });
    const question = mention(alice, 'tell me a story');
    await t.bot.handle(question, chat);
    const stream = chat.streamFor(question.messageId)!;
    expect(stream.events.at(-1)!.kind).toBe('fail');
    expect(stream.visible).toMatch(/^The first part.*\n\n\(My answer was cut off: my language model failed partway/s);
    expect(t.store.listInteractions(alice)[0]).toMatchObject({ answer: null, errorCode: 'MODEL_BAD_RESPONSE' });
  });

  it('never shows text the model wrote before turning to a tool, nor a tool call written as text', async () => {
    t = await createTestBot();
    const chat = new StreamingChat();
    t.ollama.script(
      { content: 'Let me look that up.', toolCalls: [{ name: 'wikipedia', arguments: { topic: 'Basil' } }] },
      { content: 'Basil is a herb.' },
    );
    const question = mention(alice, 'what is basil?');
    await t.bot.handle(question, chat);
    const stream = chat.streamFor(question.messageId)!;
    expect(stream.events.map((event) => event.kind)).toContain('retract');
    expect(stream.visible).toBe('Basil is a herb.');
    expect(t.store.listInteractions(alice)[0]!.answer).toBe('Basil is a herb.');
  });
});

describe('a fair queue in front of the model', () => {
  it('lets one request reach the model at a time, and serves a single question between another member\'s burst', async () => {
    t = await createTestBot({ env: { MODEL_CONCURRENCY: '1', MAX_PENDING_PER_MEMBER: '10' }, ollama: { speed: { promptTokensPerSecond: 50_000, tokensPerSecond: 2_000 } } });
    const chat = new StreamingChat();
    const burst = Array.from({ length: 10 }, (_, index) => mention(alice, `burst question ${index}`));
    const handled = burst.map((event) => t.bot.handle(event, chat));
    await until(() => t.core.queue.stats().waiting === 9, 'alice\'s burst to queue up');
    const single = mention(bob, 'just one question');
    handled.push(t.bot.handle(single, chat));
    await Promise.all(handled);
    const order = chat.streams.filter((stream) => stream.done).sort((a, b) => a.events.at(-1)!.at - b.events.at(-1)!.at || chat.streams.indexOf(a) - chat.streams.indexOf(b));
    const place = t.store.listInteractions(bob)[0]!.answeredAt!.getTime();
    const answeredBefore = t.store.listInteractions(alice).filter((row) => row.answeredAt!.getTime() < place).length;
    expect(answeredBefore).toBeLessThanOrEqual(2);
    expect(order).toHaveLength(11);
    expect(t.ollama.maxOpen).toBe(1);
  });

  it('gives a member with three questions waiting a note instead of a fourth place, and keeps nothing of it', async () => {
    t = await createTestBot();
    const chat = new StreamingChat();
    t.ollama.script({ content: 'slow answer', delayMs: 300 });
    const first = [1, 2, 3].map((index) => mention(alice, `question ${index}`));
    const handled = first.map((event) => t.bot.handle(event, chat));
    await until(() => t.core.queue.pending('member:1') === 3, 'three questions pending');
    const fourth = mention(alice, 'a fourth one');
    await t.bot.handle(fourth, chat);
    expect(chat.sent.at(-1)).toMatchObject({ to: { replyToId: fourth.messageId }, text: expect.stringContaining('You already have 3 questions waiting') });
    await Promise.all(handled);
    expect(t.store.listInteractions(alice).map((row) => row.question)).not.toContain('a fourth one');
  });

  it('keeps alignment waiting while members\' questions are queued', async () => {
    t = await createTestBot();
    const chat = new StreamingChat();
    await remember(alice, 'favourite tea?', 'smoky lapsang', chat);
    t.ollama.reset();
    t.ollama.script({ content: 'held answer', delayMs: 200 });
    const questions = [mention(bob, 'q one'), mention(bob, 'q two'), mention(member('carol'), 'q three')];
    const handled = questions.map((event) => t.bot.handle(event, chat));
    await until(() => t.core.queue.stats().waiting === 2, 'answers to queue up');
    const aligned = t.core.aligner.run({ memberIds: [t.store.findMember(alice)!] });
    await Promise.all(handled);
    await aligned;
    const chats = t.ollama.chats();
    // Alignment's first request: the profile when it has older interactions to fold, else the feedback.
    const firstAlignment = chats.findIndex((body) => body.messages[0]!.role === 'user' && /^(You maintain a short profile|You are a critical evaluator)/.test(body.messages[0]!.content));
    const lastAnswer = Math.max(...questions.map((question) => chats.findIndex((body) => body.messages.some((message) => message.content === question.text))));
    expect(firstAlignment).toBeGreaterThan(-1);
    expect(lastAnswer).toBeGreaterThan(-1);
    expect(firstAlignment).toBeGreaterThan(lastAnswer);
  });

  it('tells members whose questions were not reached at shutdown that the bot is restarting, and keeps their questions', async () => {
    t = await createTestBot();
    const chat = new StreamingChat();
    t.ollama.script({ content: 'an answer the shutdown interrupts', delayMs: 60_000 });
    const questions = [mention(alice, 'first'), mention(bob, 'second'), mention(member('carol'), 'third')];
    const handled = questions.map((event) => t.bot.handle(event, chat));
    await until(() => t.core.queue.stats().waiting === 2, 'two questions waiting');
    await t.bot.drain(50);
    await Promise.all(handled);
    expect(chat.streamFor(questions[0]!.messageId)!.visible).toContain('I stopped before answering');
    for (const waiting of questions.slice(1)) {
      expect(chat.streamFor(waiting.messageId)!.visible).toContain('I am restarting and did not get to your question yet');
    }
    expect(t.store.listInteractions(bob)[0]).toMatchObject({ question: 'second', answer: null, errorCode: 'INTERRUPTED' });
  });
});

describe('a context budget', () => {
  it('trims memories and earlier turns so the request fits num_ctx, and sends num_ctx and keep_alive on every call', async () => {
    t = await createTestBot({ env: { OLLAMA_NUM_CTX: '1200', OLLAMA_KEEP_ALIVE: '10m' } });
    const chat = new StreamingChat();
    const long = (topic: string) => `${topic} `.repeat(60).trim();
    for (const topic of ['jazz', 'blues', 'swing', 'bebop', 'soul']) await remember(alice, `tell me about ${long(topic)}`, long(`${topic} answer`), chat);
    for (let turn = 0; turn < 4; turn += 1) {
      t.ollama.script({ content: long(`turn ${turn}`) });
      await t.bot.handle(mention(alice, long(`thread question ${turn}`), { threadId: 'th1' }), chat);
    }
    t.ollama.reset();
    t.ollama.script({ content: 'short answer' });
    await t.bot.handle(mention(alice, 'which jazz record next?', { threadId: 'th1' }), chat);
    const [body] = t.ollama.chats();
    expect(t.ollama.truncatedChats()).toEqual([]);
    expect(body!.messages[0]!.content).toContain('personal assistant for one member');
    expect(body!.messages.at(-1)!.content).toContain('already searched');
    expect(body!.messages.some((message) => message.content === 'which jazz record next?')).toBe(true);
    const memories = (toolText(body!).match(/Question:/g) ?? []).length;
    const turns = body!.messages.filter((message) => message.content.startsWith('thread question')).length;
    expect(memories + turns).toBeLessThan(4 + 4);
    expect(body!.options).toMatchObject({ num_ctx: 1200 });
    expect(t.ollama.chats().concat(t.ollama.requests.filter((r) => r.path === '/api/chat').map((r) => r.body))).not.toHaveLength(0);
    for (const request of t.ollama.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/embed')) expect(request.body.keep_alive).toBe('10m');
  });
});

describe('what a member sees while waiting', () => {
  it('names a slow tool step only when no text has appeared for a while, and says nothing for a quick answer', async () => {
    t = await createTestBot({ progress: { queueNoticeMs: 20, workNoticeMs: 40 }, wikipediaPages: { Basil: 'Basil is a culinary herb.' } });
    const chat = new StreamingChat();
    t.ollama.script({ content: 'Quick.' });
    const quick = mention(alice, 'quick one?');
    await t.bot.handle(quick, chat);
    expect(chat.streamFor(quick.messageId)!.events.map((event) => event.kind)).not.toContain('status');
    t.ollama.script({ toolCalls: [{ name: 'wikipedia', arguments: { topic: 'Basil' } }] }, { content: 'Basil is a herb.', delayMs: 400 });
    const slow = mention(alice, 'what is basil?');
    await t.bot.handle(slow, chat);
    const events = chat.streamFor(slow.messageId)!.events;
    const status = events.findIndex((event) => event.kind === 'status' && event.text === 'looking it up on Wikipedia…');
    expect(status).toBeGreaterThan(-1);
    expect(status).toBeLessThan(events.findIndex((event) => event.kind === 'append'));
  });

  it('shows a queued question its place, updated as it moves', async () => {
    t = await createTestBot({ progress: { queueNoticeMs: 20, workNoticeMs: 10_000 } });
    const chat = new StreamingChat();
    t.ollama.script({ content: 'first', delayMs: 300 }, { content: 'second', delayMs: 100 }, { content: 'third' });
    const questions = [mention(alice, 'one'), mention(bob, 'two'), mention(member('carol'), 'three')];
    await Promise.all(questions.map((event) => t.bot.handle(event, chat)));
    const statuses = chat.streamFor(questions[2]!.messageId)!.events.filter((event) => event.kind === 'status').map((event) => event.text);
    expect(statuses).toEqual(['2 questions ahead of yours…', '1 question ahead of yours…', 'thinking…']);
    expect(chat.streamFor(questions[2]!.messageId)!.visible).toBe('third');
  });
});
