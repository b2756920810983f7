import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startDiscord } from '../adapters/discord/discord-adapter.js';
import type { MemberKey, RunningAdapter } from '../src/core/ports.js';
import { FakeDiscord, fakeUser, type DiscordRequest, type FakeUser } from './fakes/fake-discord.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { until } from './support/until.js';

const EDIT_INTERVAL_MS = 150;
let fake: FakeDiscord;
let t: TestBot;
let adapter: RunningAdapter | undefined;
const alice = fakeUser('alice');

/** A bot whose model writes about 60 tokens a second, with edits paced at EDIT_INTERVAL_MS. */
async function start(): Promise<void> {
  fake = await FakeDiscord.start();
  t = await createTestBot({ ollama: { speed: { promptTokensPerSecond: 20_000, tokensPerSecond: 60 } } });
  const config = { ...t.config, DISCORD_TOKEN: 'test-token', DISCORD_API_URL: fake.apiUrl, DISCORD_GUILD_ID: fake.guildId, SHUTDOWN_GRACE_MS: 2000 };
  adapter = await startDiscord({ config, sink: t.bot, logger: pino({ level: 'silent' }), rest: { globalRequestsPerSecond: 1e6, retries: 0 }, pacing: { editIntervalMs: EDIT_INTERVAL_MS } });
}

afterEach(async () => {
  await adapter?.stop();
  await t?.close();
  await fake?.close();
});

function key(user: FakeUser): MemberKey {
  return { platform: 'discord', workspaceId: fake.guildId, userId: user.id };
}

function ask(text: string): any {
  const payload = fake.userMessage(alice, `<@${fake.bot.id}> ${text}`);
  fake.dispatch('MESSAGE_CREATE', payload);
  return payload;
}

/** The bot's POST and PATCH calls that carry the answer to `questionId`, in order. */
function answerCalls(questionId: string): DiscordRequest[] {
  const first = fake.requests.find((request) => request.method === 'POST' && request.body?.message_reference?.message_id === questionId);
  if (!first) return [];
  const messageIds = new Set([...fake.messages.values()].filter((message) => message.message_reference?.message_id === questionId).map((message) => message.id));
  return fake.requests.filter((request) => request === first || (request.method === 'PATCH' && messageIds.has(request.path.split('/').at(-1)!)) || (request.method === 'POST' && request.at > first.at && request.path === `/channels/${fake.channelId}/messages` && !request.body?.message_reference));
}

const words = (count: number) => Array.from({ length: count }, (_, index) => `word${index}`).join(' ');

describe('Discord: an answer streamed into the channel', () => {
  it('posts the first words before the model finishes, edits at most once per interval, and ends with the stored answer', async () => {
    await start();
    const answer = `Here is a longer answer: ${words(40)}.`;
    t.ollama.script({ content: answer });
    const question = ask('tell me something long');
    const row = await until(() => t.store.listInteractions(key(alice)).find((item) => item.answer !== null), 'the answer to be stored');
    const chat = t.ollama.requests.find((request) => request.path === '/api/chat')!;
    await until(() => [...fake.messages.values()].find((message) => message.message_reference?.message_id === question.id && message.content === answer), 'the final edit');
    const calls = answerCalls(question.id);
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.at).toBeLessThan(chat.finishedAt!);
    const edits = calls.filter((call) => call.method === 'PATCH');
    expect(edits.length).toBeGreaterThanOrEqual(2);
    // Paced while the model writes; the final edit goes at once when it is done.
    edits.slice(1, -1).forEach((edit, index) => expect(edit.at - edits[index]!.at).toBeGreaterThanOrEqual(EDIT_INTERVAL_MS - 5));
    const posted = [...fake.messages.values()].find((message) => message.message_reference?.message_id === question.id);
    expect(row).toMatchObject({ answer, answerMessageIds: [posted.id] });
  });

  it('pairs a 👎 and a correction given while the answer is still being written', async () => {
    await start();
    const answer = `Earl grey, because ${words(30)}.`;
    t.ollama.script({ content: answer });
    const question = ask('best tea?');
    const posted = await until(() => [...fake.messages.values()].find((message) => message.message_reference?.message_id === question.id), 'the first words');
    fake.dispatch('MESSAGE_REACTION_ADD', fake.reaction(alice, posted.id, { id: null, name: '👎' }, true));
    const correction = fake.userMessage(alice, 'lapsang souchong', { replyTo: posted.id });
    fake.dispatch('MESSAGE_CREATE', correction);
    const row = await until(() => t.store.listInteractions(key(alice)).find((item) => item.feedback === 'negative_corrected' && item.answer !== null), 'the correction and the final answer');
    expect(row).toMatchObject({ question: 'best tea?', answer, groundTruth: 'lapsang souchong', correctionMessageId: correction.id, answerMessageIds: [posted.id] });
    expect(t.store.listInteractions(key(alice))).toHaveLength(1);
  });

  it('goes on in a follow-up message past 2 000 characters, and waits out a 429 on an edit', async () => {
    await start();
    const answer = `${'A sentence that keeps going and going. '.repeat(60)}The end.`;
    t.ollama.speed = { promptTokensPerSecond: 20_000, tokensPerSecond: 2_000 };
    fake.failNext('PATCH', /^\/channels\/\d+\/messages\/\d+$/, 429);
    t.ollama.script({ content: answer });
    const question = ask('a very long answer please');
    await until(() => t.store.listInteractions(key(alice)).find((item) => item.answer !== null && item.answerMessageIds.length === 2), 'two answer messages');
    const first = [...fake.messages.values()].find((message) => message.message_reference?.message_id === question.id);
    await until(() => [...fake.messages.values()].filter((message) => message.author.id === fake.bot.id && message.channel_id === fake.channelId && !message.message_reference && message.content.endsWith('The end.')).length === 1, 'the follow-up');
    expect(first.content.length).toBeLessThanOrEqual(2000);
    expect(fake.requests.some((request) => request.method === 'PATCH' && request.path.endsWith(first.id))).toBe(true);
    const row = t.store.listInteractions(key(alice))[0]!;
    expect(row.answer).toBe(answer);
  });

  it('ends an answer cut off by a model failure with the failure note', async () => {
    await start();
    t.ollama.script({ content: `Partial words ${words(20)}`, failAfterTokens: 6 });
    const question = ask('and then?');
    const row = await until(() => t.store.listInteractions(key(alice)).find((item) => item.errorCode !== null), 'the failure');
    const message = await until(() => [...fake.messages.values()].find((item) => item.message_reference?.message_id === question.id && item.content.includes('cut off')), 'the note');
    expect(message.content).toMatch(/^Partial words.*\n\n\(My answer was cut off/s);
    expect(row).toMatchObject({ answer: null, errorCode: 'MODEL_BAD_RESPONSE' });
  });
});
