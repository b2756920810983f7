import { afterEach, describe, expect, it } from 'vitest';
import { createTestBot, type TestBot } from './support/harness.js';
import { mention, member, reaction, reply } from './support/events.js';
import { StreamingChat } from './support/recording-chat.js';
import { runMain } from './support/run-main.js';
import { until } from './support/until.js';

let t: TestBot;
afterEach(async () => t?.close());
const alice = member('alice');

describe('one deadline per answer', () => {
  it('tells the member once when a hung Ollama outlasts the answer\'s deadline, though each call alone would wait a minute', async () => {
    t = await createTestBot({ env: { ANSWER_TIMEOUT_MS: '400', OLLAMA_TIMEOUT_MS: '60000' } });
    const chat = new StreamingChat();
    t.ollama.embedDelayMs = 60_000;
    t.ollama.script({ content: 'far too late', delayMs: 60_000 });
    const question = mention(alice, 'are you there?');
    await t.bot.handle(question, chat);
    expect(chat.streamFor(question.messageId)!.visible).toContain('took too long');
    expect(chat.streams).toHaveLength(1);
    expect(t.store.listInteractions(alice)[0]).toMatchObject({ answer: null, errorCode: 'MODEL_TIMEOUT' });
  });
});

/** Alice asks and the model answers; returns her question and the id of the answer message. */
async function askPizza(chat: StreamingChat): Promise<{ question: ReturnType<typeof mention>; answerId: string }> {
  t.ollama.script({ content: 'pineapple' });
  const question = mention(alice, 'best pizza topping?');
  await t.bot.handle(question, chat);
  return { question, answerId: chat.streamFor(question.messageId)!.messageIds[0]! };
}

describe('a correction written before the 👎', () => {
  it('ends up only as the correction: its answer leaves memory once the 👎 comes', async () => {
    t = await createTestBot();
    const chat = new StreamingChat();
    const { question, answerId } = await askPizza(chat);
    // A reply to the bot's answer is addressed to it: answered as a follow-up, and kept as a candidate correction.
    t.ollama.script({ content: 'Mushrooms are earthy.' });
    const early = reply(alice, answerId, 'mushrooms, always', { addressed: true });
    await t.bot.handle(early, chat);
    expect(t.store.listInteractions(alice)).toHaveLength(2);
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    const rows = t.store.listInteractions(alice);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ questionMessageId: question.messageId, feedback: 'negative_corrected', groundTruth: 'mushrooms, always', correctionMessageId: early.messageId });
    expect(t.store.searchMemory(rows[0]!.memberId, { text: 'earthy mushrooms' }, 4).map((hit) => hit.interaction.id)).toEqual([rows[0]!.id]);
  });

  it('is never answered when the 👎 comes while its answer still waits', async () => {
    t = await createTestBot();
    const chat = new StreamingChat();
    const { question, answerId } = await askPizza(chat);
    t.ollama.script({ content: 'an answer that must never be shown', delayMs: 60_000 });
    const early = reply(alice, answerId, 'mushrooms, always', { addressed: true });
    const handled = t.bot.handle(early, chat);
    await until(() => t.store.listInteractions(alice).length === 2, 'the reply to be stored');
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    await handled;
    expect(chat.streamFor(early.messageId)?.visible ?? '').toBe('');
    expect(t.store.listInteractions(alice)).toHaveLength(1);
    expect(t.store.listInteractions(alice)[0]).toMatchObject({ groundTruth: 'mushrooms, always' });
  });
});

describe('redelivery of a question that was never answered', () => {
  it('answers a redelivered question when no worker holds it and it has no answer, and drops it otherwise', async () => {
    t = await createTestBot({ env: { ANSWER_CLAIM_TTL_MS: '1000' } });
    const chat = new StreamingChat();
    const question = mention(alice, 'still there?');
    // As a process that died after storing the question would leave it: stored, claimed, unanswered.
    const memberId = t.store.ensureMember(alice);
    const { interaction } = t.store.recordQuestion({ memberId, channelId: question.channelId, conversationId: question.messageId, messageId: question.messageId, text: question.text, at: question.at });
    expect(t.store.claims.claim(interaction.id, 'a-dead-process', new Date(Date.now() + 60_000))).toBe(true);
    await t.bot.handle(question, chat);
    expect(chat.streams).toHaveLength(0);
    t.store.claims.claim(interaction.id, 'a-dead-process', new Date(Date.now() - 1));
    t.ollama.script({ content: 'yes, here' });
    await t.bot.handle(question, chat);
    expect(chat.streamFor(question.messageId)!.visible).toBe('yes, here');
    await t.bot.handle(question, chat);
    expect(chat.streams).toHaveLength(1);
  });

  it('answers what a restart left unanswered in the window, with a word that it restarted, and nothing older', async () => {
    t = await createTestBot();
    const chat = new StreamingChat();
    const memberId = t.store.ensureMember(alice);
    const old = t.store.recordQuestion({ memberId, channelId: 'c1', conversationId: 'old', messageId: 'old', text: 'an old question', at: new Date(Date.now() - 60 * 60_000) });
    const recent = t.store.recordQuestion({ memberId, channelId: 'c1', threadId: 'th9', conversationId: 'th9', messageId: 'recent', text: 'a recent question', at: new Date() });
    t.store.recordFailure(old.interaction.id, 'INTERRUPTED');
    t.ollama.script({ content: 'the answer at last' });
    expect(t.bot.recover({ discord: chat }, 10 * 60_000)).toBe(1);
    await until(() => chat.streamFor('recent')?.done, 'the recovered answer');
    expect(chat.streamFor('recent')).toMatchObject({ to: { channelId: 'c1', threadId: 'th9', replyToId: 'recent' }, visible: '(I restarted before I could answer this. Here is my answer.)\n\nthe answer at last' });
    expect(t.store.interaction(recent.interaction.id)!.answer).toBe('the answer at last');
    expect(chat.streamFor('old')).toBeUndefined();
    expect(t.store.claims.countPendingBefore(new Date(Date.now() - 10 * 60_000))).toBe(1);
    expect(t.bot.recover({ discord: chat }, 10 * 60_000)).toBe(0);
  });
});

describe('doctor', () => {
  it('counts the questions too old to be answered after a restart', async () => {
    t = await createTestBot();
    const memberId = t.store.ensureMember(alice);
    t.store.recordQuestion({ memberId, channelId: 'c1', conversationId: 'q-old', messageId: 'q-old', text: 'asked while the bot was down', at: new Date(Date.now() - 2 * 60 * 60_000) });
    const run = await runMain(['doctor'], { DATABASE_PATH: t.config.DATABASE_PATH, OLLAMA_HOST: t.ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed', WIKIPEDIA_ENABLED: 'false' });
    expect(run.stdout).toContain('1 question was left without an answer more than RECOVER_WINDOW_MINUTES (10) ago');
  });
});

describe('doctor and the context length', () => {
  it('prints the model\'s context length and warns when OLLAMA_NUM_CTX asks for more than it was trained on', async () => {
    t = await createTestBot({ ollama: { contextLength: 4096 } });
    const env = { DATABASE_PATH: t.config.DATABASE_PATH, OLLAMA_HOST: t.ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed', WIKIPEDIA_ENABLED: 'false' };
    const over = await runMain(['doctor'], { ...env, OLLAMA_NUM_CTX: '8192' });
    expect(over.stdout).toMatch(/✓ chat: test-chat.*prompts fit 4096 tokens/);
    expect(over.stdout).toContain('⚠ context: OLLAMA_NUM_CTX is 8192 but test-chat was trained on 4096 tokens');
    const within = await runMain(['doctor'], { ...env, OLLAMA_NUM_CTX: '2048' });
    expect(within.stdout).toMatch(/prompts fit 2048 tokens \(the server: 4096/);
    expect(within.stdout).not.toContain('⚠');
  });
});

describe('a follow-up in a thread', () => {
  it('stays a question of its own when the earlier answer is 👎 later: it is neither its correction nor withdrawn', async () => {
    t = await createTestBot();
    const chat = new StreamingChat();
    t.ollama.script({ content: 'Dune.' });
    const first = mention(alice, 'a book?', { threadId: 'th-books' });
    await t.bot.handle(first, chat);
    const answerId = chat.streamFor(first.messageId)!.messageIds[0]!;
    t.ollama.script({ content: 'Then Hyperion.' });
    const followUp = reply(alice, undefined, 'and after that?', { threadId: 'th-books' });
    await t.bot.handle(followUp, chat);
    expect(chat.streamFor(followUp.messageId)!.visible).toBe('Then Hyperion.');
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    const rows = t.store.listInteractions(alice);
    expect(rows.map((row) => row.question).sort()).toEqual(['a book?', 'and after that?']);
    expect(rows.find((row) => row.question === 'a book?')).toMatchObject({ feedback: 'negative', groundTruth: null });
  });
});
