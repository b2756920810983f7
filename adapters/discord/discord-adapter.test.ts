import { GatewayIntentBits, PermissionFlagsBits } from 'discord.js';
import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { InFlight } from '../../src/core/in-flight.js';
import type { Chat, ChatEvent, EventSink, RunningAdapter } from '../../src/core/ports.js';
import { FakeDiscord, fakeUser } from '../../test/fakes/fake-discord.js';
import { startDiscord } from './discord-adapter.js';
import { NOT_HERE } from './discord-interactions.js';

const fastRest = { globalRequestsPerSecond: 1e6, retries: 0 };

/** Records every event; answers mentions and addressed replies, and commands privately. */
class RecordingSink implements EventSink {
  readonly events: ChatEvent[] = [];
  /** Ids of the messages whose answer has been sent. */
  readonly answered = new Set<string>();
  answer: (text: string) => string = (text) => `answer to: ${text}`;
  delayMs = 0;
  private readonly inFlight = new InFlight();

  handle(event: ChatEvent, chat: Chat): Promise<void> {
    return this.inFlight.track(this.record(event, chat));
  }

  /** Resolves once every event handed over so far has been handled (answers sent included). */
  settled(): Promise<void> {
    return this.inFlight.settled();
  }

  private async record(event: ChatEvent, chat: Chat): Promise<void> {
    this.events.push(event);
    if (event.kind === 'mention' && event.text === 'explode') throw new Error('sink failure');
    if (event.kind === 'mention' || (event.kind === 'reply' && event.addressed)) {
      const stop = await chat.typing?.({ channelId: event.channelId, threadId: event.threadId, messageId: event.messageId });
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      await chat.send({ channelId: event.channelId, threadId: event.threadId, replyToId: event.messageId }, this.answer(event.text));
      await stop?.();
      this.answered.add(event.messageId);
    }
    if (event.kind === 'command') await chat.sendPrivate({ channelId: event.channelId, member: event.member }, `persona ${event.args.join(' ')}`);
  }

  /** Waits for the event about this message (or matching `find`). */
  async eventFor(messageId: string, kind?: ChatEvent['kind']): Promise<ChatEvent> {
    return until(() => this.events.find((event) => 'messageId' in event && event.messageId === messageId && (kind === undefined || event.kind === kind)));
  }
}

/** Polls until `find` returns something. */
async function until<T>(find: () => T | undefined, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function configFor(fake: FakeDiscord, env: Record<string, string> = {}): Config {
  return loadConfig({
    DISCORD_TOKEN: 'test-token', DISCORD_API_URL: fake.apiUrl, DISCORD_GUILD_ID: fake.guildId,
    DISCORD_ALLOW_DMS: 'true', DISCORD_CHANNEL_IDS: fake.channelId, SHUTDOWN_GRACE_MS: '2000', ...env,
  });
}

let fake: FakeDiscord;
let sink: RecordingSink;
let adapter: RunningAdapter;
const logLines: Array<{ level: number; [key: string]: unknown }> = [];
const logger = pino({ level: 'trace' }, new Writable({ write: (chunk, _encoding, done) => void (logLines.push(JSON.parse(String(chunk))), done()) }));
const alice = fakeUser('alice');
const bob = fakeUser('bob');

beforeAll(async () => {
  fake = await FakeDiscord.start();
  sink = new RecordingSink();
  adapter = await startDiscord({ config: configFor(fake), sink, logger, rest: fastRest });
});

afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
});

// A test may leave work running (a redelivered message still being answered); the next one must not see it.
afterEach(() => sink.settled());

/** Sends a member's message over the gateway and returns its payload. */
function say(author: typeof alice, content: string, options: { channelId?: string; replyTo?: string; id?: string } = {}): any {
  const payload = fake.userMessage(author, content, options);
  fake.dispatch('MESSAGE_CREATE', payload);
  return payload;
}

/** The bot's posts in a channel that reply to (or follow) this message. */
async function answerTo(messageId: string, channelId = fake.channelId) {
  return fake.waitForRequest((request) => request.method === 'POST' && request.path === `/channels/${channelId}/messages` && request.body?.message_reference?.message_id === messageId);
}

describe('Discord adapter against a local fake Discord', () => {
  it('identifies with the intents it needs, DMs included when allowed, and registers /persona to the guild', () => {
    const wanted = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.GuildMessageReactions, GatewayIntentBits.DirectMessages, GatewayIntentBits.DirectMessageReactions];
    expect(fake.identifies[0].intents).toBe(wanted.reduce((bits, bit) => bits | bit, 0));
    const put = fake.requestsTo('PUT', /\/commands$/);
    expect(put.map((request) => request.path)).toEqual([`/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`]);
    expect(put[0]!.body[0]).toMatchObject({ name: 'persona', options: [{ name: 'view' }, { name: 'history' }, { name: 'reset' }, { name: 'forget' }, { name: 'memories' }, { name: 'export' }, { name: 'admin' }] });
  });

  it('answers a mention with a reply that can ping nobody, showing typing first', async () => {
    const question = say(alice, `<@${fake.bot.id}> what should I read next?`);
    expect(await sink.eventFor(question.id)).toMatchObject({
      kind: 'mention', text: 'what should I read next?', channelId: fake.channelId,
      member: { platform: 'discord', workspaceId: fake.guildId, userId: alice.id },
    });
    const answer = await answerTo(question.id);
    expect(answer.body).toMatchObject({ content: 'answer to: what should I read next?', allowed_mentions: { parse: [], replied_user: false } });
    expect(fake.requestsTo('POST', new RegExp(`^/channels/${fake.channelId}/typing$`)).length).toBeGreaterThan(0);
  });

  it('splits a 5 000-character answer into valid messages of at most 2 000 characters', async () => {
    sink.answer = () => `${'A sentence that goes on. '.repeat(100)}\n\`\`\`js\n${'console.log(1);\n'.repeat(120)}\`\`\``;
    const question = say(alice, `<@${fake.bot.id}> long please`);
    await until(() => (sink.answered.has(question.id) ? true : undefined));
    sink.answer = (text) => `answer to: ${text}`;
    const start = fake.requests.findIndex((request) => request.body?.message_reference?.message_id === question.id);
    const parts = fake.requests.slice(start).filter((request) => request.method === 'POST' && request.path === `/channels/${fake.channelId}/messages`);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) {
      expect(part.body.content.length).toBeLessThanOrEqual(2000);
      expect((part.body.content.match(/^```/gm) ?? []).length % 2).toBe(0);
      expect(part.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
    }
    expect(parts.slice(1).every((part) => part.body.message_reference === undefined)).toBe(true);
  });

  it('stays in a thread, and passes unaddressed thread messages and replies to the bot', async () => {
    const question = say(alice, `<@${fake.bot.id}> in the thread`, { channelId: fake.threadId });
    expect(await sink.eventFor(question.id)).toMatchObject({ kind: 'mention', channelId: fake.threadId, threadId: fake.threadId });
    await answerTo(question.id, fake.threadId);
    const chatter = say(bob, 'just chatting', { channelId: fake.threadId });
    expect(await sink.eventFor(chatter.id)).toMatchObject({ kind: 'reply', addressed: false, threadId: fake.threadId, member: { userId: bob.id } });
  });

  it('fetches a thread it has not seen to check that its parent channel is allowed', async () => {
    const question = say(alice, `<@${fake.bot.id}> new thread`, { channelId: fake.lateThreadId });
    expect(await sink.eventFor(question.id)).toMatchObject({ kind: 'mention', threadId: fake.lateThreadId });
    expect(fake.requestsTo('GET', new RegExp(`^/channels/${fake.lateThreadId}$`))).toHaveLength(1);
    await answerTo(question.id, fake.lateThreadId);
  });

  it('a reply to one of its answers (no mention) is an addressed reply and is answered', async () => {
    const question = say(alice, `<@${fake.bot.id}> pizza?`);
    await answerTo(question.id);
    const botAnswer = [...fake.messages.values()].find((message) => message.message_reference?.message_id === question.id)!;
    const followUp = say(alice, 'and why?', { replyTo: botAnswer.id });
    expect(await sink.eventFor(followUp.id)).toMatchObject({ kind: 'reply', addressed: true, replyToId: botAnswer.id, text: 'and why?' });
    await answerTo(followUp.id);
  });

  it('ignores bots, plain messages and channels outside DISCORD_CHANNEL_IDS', async () => {
    const fromBot = say(fakeUser('other-bot', true), `<@${fake.bot.id}> hi`);
    const plain = say(alice, 'nothing for the bot');
    const elsewhere = say(alice, `<@${fake.bot.id}> wrong channel`, { channelId: fake.otherChannelId });
    const marker = say(alice, `<@${fake.bot.id}> marker`);
    await sink.eventFor(marker.id);
    const seen = sink.events.map((event) => ('messageId' in event ? event.messageId : ''));
    expect(seen).not.toContain(fromBot.id);
    expect(seen).not.toContain(plain.id);
    expect(seen).not.toContain(elsewhere.id);
  });

  it('answers a DM in the DM channel when DMs are allowed', async () => {
    const question = say(alice, 'hello in private', { channelId: fake.dmChannel(alice.id) });
    expect(await sink.eventFor(question.id)).toMatchObject({ kind: 'mention', text: 'hello in private', member: { workspaceId: '@dm', userId: alice.id } });
    await answerTo(question.id, fake.dmChannel(alice.id));
  });

  it('turns reactions on uncached messages into ReactionEvents, ignoring its own', async () => {
    const messageId = '1234567890123456789';
    fake.dispatch('MESSAGE_REACTION_ADD', fake.reaction(fake.bot, messageId, { id: null, name: '✅' }, true));
    fake.dispatch('MESSAGE_REACTION_ADD', fake.reaction(alice, messageId, { id: null, name: '👎' }, true));
    fake.dispatch('MESSAGE_REACTION_REMOVE', fake.reaction(alice, messageId, { id: '4242', name: 'party' }, false));
    await until(() => (sink.events.filter((event) => event.kind === 'reaction').length >= 2 ? true : undefined));
    const reactions = sink.events.filter((event) => event.kind === 'reaction');
    expect(reactions).toEqual([
      expect.objectContaining({ messageId, channelId: fake.channelId, emoji: '👎', added: true, member: { platform: 'discord', workspaceId: fake.guildId, userId: alice.id } }),
      expect.objectContaining({ messageId, emoji: 'party', added: false, member: expect.objectContaining({ userId: alice.id }) }),
    ]);
  });

  it('passes edits with content and deletes', async () => {
    const original = say(alice, 'olives');
    fake.dispatch('MESSAGE_UPDATE', { ...original, content: 'olives, actually', edited_timestamp: new Date().toISOString() });
    expect(await sink.eventFor(original.id, 'edit')).toMatchObject({ kind: 'edit', text: 'olives, actually', member: { userId: alice.id } });
    fake.dispatch('MESSAGE_DELETE', { id: original.id, channel_id: fake.channelId, guild_id: fake.guildId });
    expect(await sink.eventFor(original.id, 'delete')).toMatchObject({ kind: 'delete', platform: 'discord', workspaceId: fake.guildId, channelId: fake.channelId });
  });

  it('/persona view: an ephemeral deferred reply, then edited with the text', async () => {
    const interaction = fake.command(alice, 'view');
    fake.dispatch('INTERACTION_CREATE', interaction);
    const edit = await fake.waitForRequest((request) => request.method === 'PATCH' && request.path.includes(interaction.token));
    expect(edit.path).toBe(`/webhooks/${fake.applicationId}/${interaction.token}/messages/@original`);
    expect(edit.body).toMatchObject({ content: 'persona view', allowed_mentions: { parse: [] } });
    const callback = fake.requests.find((request) => request.path === `/interactions/${interaction.id}/${interaction.token}/callback`)!;
    expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });
    expect(fake.requests.indexOf(callback)).toBeLessThan(fake.requests.indexOf(edit));
    expect(sink.events.at(-1)).toMatchObject({ kind: 'command', name: 'persona', args: ['view'], isAdmin: false, member: { userId: alice.id } });
  });

  it('answers commands, buttons and forms outside DISCORD_CHANNEL_IDS only with a private note, handing nothing to the core', async () => {
    const elsewhere = (payload: any) => ({ ...payload, channel_id: fake.otherChannelId, channel: { ...payload.channel, id: fake.otherChannelId, name: 'random' } });
    const answerMessage = fake.message({ channelId: fake.otherChannelId, author: fake.bot, content: 'an answer' });
    const interactions = [
      elsewhere(fake.command(alice, 'export')),
      fake.button(alice, answerMessage, 'persona:fix:42'),
      elsewhere(fake.modalSubmit(alice, 'persona:form:correction:42', 'text', 'the right answer')),
    ];
    const before = sink.events.length;
    for (const interaction of interactions) fake.dispatch('INTERACTION_CREATE', interaction);
    const notes = await until(() => {
      const answered = interactions.map((interaction) => fake.callbacks.get(interaction.id)?.[0]);
      return answered.every(Boolean) ? answered : undefined;
    });
    for (const note of notes) expect(note).toMatchObject({ type: 4, data: { content: NOT_HERE, flags: 64 } });
    await sink.settled();
    expect(sink.events.length).toBe(before);
  });

  it('/persona forget confirm and an admin\'s reset of another member', async () => {
    fake.dispatch('INTERACTION_CREATE', fake.command(alice, 'forget', [{ name: 'confirm', type: 5, value: true }]));
    await until(() => sink.events.find((event) => event.kind === 'command' && event.args[0] === 'forget'));
    fake.dispatch('INTERACTION_CREATE', fake.command(bob, 'reset', [{ name: 'member', type: 6, value: alice.id }], PermissionFlagsBits.ManageGuild));
    const reset = await until(() => sink.events.find((event) => event.kind === 'command' && event.args[0] === 'reset'));
    expect(sink.events.find((event) => event.kind === 'command' && event.args[0] === 'forget')).toMatchObject({ args: ['forget', 'confirm'], isAdmin: false });
    expect(reset).toMatchObject({ args: ['reset', alice.id], isAdmin: true, member: { userId: bob.id } });
  });

  it('passes a redelivered MESSAGE_CREATE (same id) to the sink again', async () => {
    const question = say(alice, `<@${fake.bot.id}> once or twice?`);
    await answerTo(question.id);
    fake.dispatch('MESSAGE_CREATE', question);
    await until(() => (sink.events.filter((event) => 'messageId' in event && event.messageId === question.id).length === 2 ? true : undefined));
  });

  it('retries a failed send once, logging ids but not the text', async () => {
    fake.failNext('POST', new RegExp(`^/channels/${fake.channelId}/messages$`), 500);
    const question = say(alice, `<@${fake.bot.id}> secret-question-text`);
    await until(() => (sink.answered.has(question.id) ? true : undefined));
    const attempts = fake.requestsTo('POST', /messages$/).filter((request) => request.body.message_reference?.message_id === question.id);
    expect(attempts).toHaveLength(2);
    const warning = logLines.find((line) => line.level === 40 && line.msg === 'send failed; retrying once');
    expect(warning).toMatchObject({ channelId: fake.channelId, replyToId: question.id, status: 500 });
  });

  it('keeps running after a handler fails', async () => {
    say(alice, `<@${fake.bot.id}> explode`);
    const next = say(alice, `<@${fake.bot.id}> still there?`);
    await answerTo(next.id);
    expect(logLines.some((line) => line.level === 50 && line.msg === 'discord event failed')).toBe(true);
  });

  it('resumes after the gateway drops the connection and keeps answering', async () => {
    fake.disconnect(4000);
    const resume = await until(() => fake.resumes[0]);
    expect(resume).toMatchObject({ token: 'test-token', session_id: expect.stringMatching(/^session-/) });
    const question = say(alice, `<@${fake.bot.id}> still with me?`);
    await answerTo(question.id);
    expect(fake.identifies).toHaveLength(1);
  });

  it('skips command registration when the registered set is unchanged', async () => {
    const putsBefore = fake.requestsTo('PUT', /\/commands$/).length;
    const getsBefore = fake.requestsTo('GET', /\/commands$/).length;
    const second = await startDiscord({ config: configFor(fake), sink: new RecordingSink(), logger: pino({ level: 'silent' }), rest: fastRest });
    await second.stop();
    expect(fake.requestsTo('GET', /\/commands$/).length).toBe(getsBefore + 1);
    expect(fake.requestsTo('PUT', /\/commands$/).length).toBe(putsBefore);
  });

  it('never logs message text above debug level', () => {
    const loud = logLines.filter((line) => line.level > 20).map((line) => JSON.stringify(line));
    expect(loud.length).toBeGreaterThan(0);
    for (const line of loud) expect(line).not.toMatch(/secret-question-text|what should I read|answer to:/);
  });
});

describe('stopping', () => {
  it('finishes an in-flight answer before closing the connection', async () => {
    const own = await FakeDiscord.start();
    const slow = new RecordingSink();
    slow.delayMs = 300;
    const running = await startDiscord({ config: configFor(own), sink: slow, logger: pino({ level: 'silent' }), rest: fastRest });
    const question = own.userMessage(alice, `<@${own.bot.id}> take your time`);
    own.dispatch('MESSAGE_CREATE', question);
    await slow.eventFor(question.id);
    await running.stop();
    expect(own.requestsTo('POST', /messages$/).some((request) => request.body.message_reference?.message_id === question.id)).toBe(true);
    await own.close();
  });
});
