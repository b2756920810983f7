import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDiscord } from '../adapters/discord/discord-adapter.js';
import type { MemberKey, RunningAdapter } from '../src/core/ports.js';
import type { InteractionRecord } from '../src/memory/records.js';
import { FakeDiscord, fakeUser, type FakeUser } from './fakes/fake-discord.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { ObservedSink } from './support/observed-sink.js';

let fake: FakeDiscord;
let t: TestBot;
let adapter: RunningAdapter;
let sink: ObservedSink;
const alice = fakeUser('alice');
const bob = fakeUser('bob');

beforeAll(async () => {
  fake = await FakeDiscord.start();
  t = await createTestBot();
  const config = { ...t.config, DISCORD_TOKEN: 'test-token', DISCORD_API_URL: fake.apiUrl, DISCORD_GUILD_ID: fake.guildId, SHUTDOWN_GRACE_MS: 2000 };
  sink = new ObservedSink(t.bot);
  adapter = await startDiscord({ config, sink, logger: pino({ level: 'silent' }), rest: { globalRequestsPerSecond: 1e6, retries: 0 } });
});

// Whatever a test started (a redelivery, another member's reaction) has finished before the next one looks.
afterEach(() => sink.settled());

afterAll(async () => {
  await adapter?.stop();
  await t?.close();
  await fake?.close();
});

function key(user: FakeUser): MemberKey {
  return { platform: 'discord', workspaceId: fake.guildId, userId: user.id };
}

/** Polls until `find` returns something. */
async function until<T>(find: () => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined && found !== null && found !== false) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves once the core has finished with the event about this message (the `nth` one, counting redeliveries). */
function handledAbout(messageId: string, kind: string, nth = 1): Promise<true> {
  return until(() => sink.count((event) => event.kind === kind && 'messageId' in event && event.messageId === messageId) >= nth);
}

/** A member's message over the gateway. */
function say(author: FakeUser, content: string, options: { replyTo?: string } = {}): any {
  const payload = fake.userMessage(author, content, options);
  fake.dispatch('MESSAGE_CREATE', payload);
  return payload;
}

/** The bot's posted answers that reply to this message. */
function answersTo(messageId: string): any[] {
  return [...fake.messages.values()].filter((message) => message.author.id === fake.bot.id && message.message_reference?.message_id === messageId);
}

/** The stored interaction for this question once its answer ids are recorded. */
async function stored(user: FakeUser, questionId: string): Promise<InteractionRecord> {
  return until(() => t.store.listInteractions(key(user)).find((row) => row.questionMessageId === questionId && row.answerMessageIds.length > 0));
}

/** Alice asks and the model answers; returns the question and the bot's answer message. */
async function asked(question: string, answer: string, user = alice): Promise<{ question: any; answerId: string }> {
  t.ollama.script({ content: answer });
  const payload = say(user, `<@${fake.bot.id}> ${question}`);
  const row = await stored(user, payload.id);
  return { question: payload, answerId: row.answerMessageIds[0]! };
}

describe('Discord adapter with the real Bot', () => {
  it('answers a mention with a reply and stores the exchange', async () => {
    const { question, answerId } = await asked('best pizza topping?', 'pineapple');
    const [answer] = answersTo(question.id);
    expect(answer).toMatchObject({ id: answerId, content: 'pineapple', channel_id: fake.channelId });
    expect(t.store.listInteractions(key(alice))[0]).toMatchObject({ question: 'best pizza topping?', answer: 'pineapple', questionMessageId: question.id, answerMessageIds: [answerId], feedback: 'none' });
  });

  it('a 👎 from the asker and her reply become the ground truth', async () => {
    const { question, answerId } = await asked('best tea?', 'earl grey');
    fake.dispatch('MESSAGE_REACTION_ADD', fake.reaction(alice, answerId, { id: null, name: '👎' }, true));
    await until(() => t.store.listInteractions(key(alice)).find((row) => row.questionMessageId === question.id && row.feedback === 'negative'));
    // Discord has no ephemeral message outside an interaction: the request for a correction goes beside the answer, not to her DMs.
    const note = await fake.waitForRequest((request) => request.method === 'POST' && request.body?.message_reference?.message_id === answerId && String(request.body.content).includes('Reply to it with the right answer'));
    expect(note.path).toBe(`/channels/${fake.channelId}/messages`);
    expect(fake.requestsTo('POST', /^\/users\/@me\/channels$/).filter((request) => request.body.recipient_id === alice.id)).toEqual([]);
    const correction = say(alice, 'lapsang souchong', { replyTo: answerId });
    const row = await until(() => t.store.listInteractions(key(alice)).find((item) => item.questionMessageId === question.id && item.feedback === 'negative_corrected'));
    expect(row).toMatchObject({ groundTruth: 'lapsang souchong', correctionMessageId: correction.id, answer: 'earl grey' });
    const confirm = await fake.waitForRequest((request) => request.method === 'PUT' && request.path.startsWith(`/channels/${fake.channelId}/messages/${correction.id}/reactions/`));
    expect(confirm.path).toBe(`/channels/${fake.channelId}/messages/${correction.id}/reactions/✅/@me`);
    expect(answersTo(correction.id)).toEqual([]);
  });

  it('a 👎 from someone else changes nothing', async () => {
    const { question, answerId } = await asked('best coffee?', 'flat white');
    fake.dispatch('MESSAGE_REACTION_ADD', fake.reaction(bob, answerId, { id: null, name: '👎' }, true));
    await handledAbout(answerId, 'reaction');
    expect(t.store.listInteractions(key(alice)).find((row) => row.questionMessageId === question.id)).toMatchObject({ feedback: 'none', groundTruth: null });
    expect(fake.requestsTo('POST', /^\/users\/@me\/channels$/).filter((request) => request.body.recipient_id === bob.id)).toEqual([]);
    expect(t.store.listInteractions(key(bob))).toEqual([]);
  });

  it('/persona view answers privately with the persona', async () => {
    const interaction = fake.command(alice, 'view');
    fake.dispatch('INTERACTION_CREATE', interaction);
    const edit = await fake.waitForRequest((request) => request.method === 'PATCH' && request.path === `/webhooks/${fake.applicationId}/${interaction.token}/messages/@original`);
    const callback = fake.requests.find((request) => request.path === `/interactions/${interaction.id}/${interaction.token}/callback`);
    expect(callback?.body).toEqual({ type: 5, data: { flags: 64 } });
    const memberId = t.store.listInteractions(key(alice))[0]!.memberId;
    const persona = t.store.livePersona(memberId)!.text;
    expect(edit.body.content).toContain('Your persona');
    expect(edit.body.content).toContain(persona.slice(0, 200));
  });

  it('answers a redelivered message once', async () => {
    const { question } = await asked('best bread?', 'sourdough');
    fake.dispatch('MESSAGE_CREATE', question);
    await handledAbout(question.id, 'mention', 2);
    expect(answersTo(question.id)).toHaveLength(1);
    expect(t.store.listInteractions(key(alice)).filter((row) => row.questionMessageId === question.id)).toHaveLength(1);
  });
});
