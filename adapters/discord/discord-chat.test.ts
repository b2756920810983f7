import type { REST } from 'discord.js';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiscordChat } from './discord-chat.js';
import { InteractionChat, type RepliableLike } from './interaction-chat.js';

const logger = pino({ level: 'silent' });
const alice = { platform: 'discord', workspaceId: 'g1', userId: '7' } as const;

/** A stand-in for @discordjs/rest that records calls; `fail` decides which calls throw. */
function stubRest(fail: (route: string, call: number) => { status: number } | null = () => null) {
  const calls: Array<{ method: string; route: string; body?: any }> = [];
  const record = (method: string) => async (route: string, options?: { body?: unknown }) => {
    calls.push({ method, route, body: options?.body });
    const failure = fail(route, calls.length);
    if (failure) throw Object.assign(new Error('Discord said no'), failure);
    return { id: `sent-${calls.length}` };
  };
  return { rest: { post: record('POST'), put: record('PUT'), delete: record('DELETE') } as unknown as REST, calls };
}

afterEach(() => vi.useRealTimers());

describe('DiscordChat', () => {
  it('shows typing now and every 8 s until stopped', async () => {
    vi.useFakeTimers();
    const { rest, calls } = stubRest();
    const stop = await new DiscordChat(rest, logger).typing({ channelId: 'c1', threadId: 't1' });
    expect(calls).toEqual([{ method: 'POST', route: '/channels/t1/typing', body: undefined }]);
    await vi.advanceTimersByTimeAsync(16_500);
    expect(calls).toHaveLength(3);
    await stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toHaveLength(3);
  });

  it('does not retry what cannot succeed (403), and a DM that fails does not fail the event', async () => {
    const { rest, calls } = stubRest(() => ({ status: 403 }));
    const chat = new DiscordChat(rest, logger);
    await expect(chat.send({ channelId: 'c1' }, 'hi')).rejects.toThrow('Discord said no');
    expect(calls).toHaveLength(1);
    await expect(chat.sendPrivate({ channelId: 'c1', member: alice }, 'psst')).resolves.toBeUndefined();
    expect(calls.at(-1)).toMatchObject({ route: '/users/@me/channels', body: { recipient_id: '7' } });
  });

  it('places a note beside the message it is about, without a ping, and removes it after its time', async () => {
    vi.useFakeTimers();
    const { rest, calls } = stubRest();
    const chat = new DiscordChat(rest, logger, { noteLifetimeMs: 60_000 });
    await chat.sendPrivate({ channelId: 'c1', member: alice, about: 'answer-1' }, 'psst');
    expect(calls).toEqual([{ method: 'POST', route: '/channels/c1/messages', body: { content: '<@7> psst', allowed_mentions: { parse: [], replied_user: false }, message_reference: { message_id: 'answer-1', fail_if_not_exists: false } } }]);
    await vi.advanceTimersByTimeAsync(60_001);
    expect(calls.at(-1)).toEqual({ method: 'DELETE', route: '/channels/c1/messages/sent-1', body: undefined });
  });

  it('sends the note by DM only when it cannot be placed in the channel', async () => {
    const { rest, calls } = stubRest((route) => (route === '/channels/c1/messages' ? { status: 403 } : null));
    await new DiscordChat(rest, logger).sendPrivate({ channelId: 'c1', member: alice, about: 'answer-1' }, 'psst');
    expect(calls.map((call) => call.route)).toEqual(['/channels/c1/messages', '/users/@me/channels', '/channels/sent-2/messages']);
  });

  it('reacts with the emoji percent-encoded in the route', async () => {
    const { rest, calls } = stubRest();
    await new DiscordChat(rest, logger).react({ channelId: 'c1', messageId: 'm1' }, '✅');
    expect(calls).toEqual([{ method: 'PUT', route: `/channels/c1/messages/m1/reactions/${encodeURIComponent('✅')}/@me`, body: undefined }]);
  });
});

describe('InteractionChat', () => {
  const interaction = (deferred: boolean) =>
    ({ deferred, reply: vi.fn(async () => undefined), editReply: vi.fn(async () => undefined), followUp: vi.fn(async () => undefined), showModal: vi.fn(async () => undefined) }) satisfies RepliableLike;

  it('edits the deferred reply, then follows up privately with the rest of a long text', async () => {
    const reply = interaction(true);
    const chat = new InteractionChat(new DiscordChat(stubRest().rest, logger), reply, logger, { interactionId: 'i1', userId: '7' });
    await chat.sendPrivate({ channelId: 'c1', member: alice }, `${'word '.repeat(500)}\n${'more '.repeat(200)}`);
    expect(chat.answered).toBe(true);
    expect(reply.editReply).toHaveBeenCalledTimes(1);
    expect(reply.followUp).toHaveBeenCalledWith(expect.objectContaining({ flags: 64, allowedMentions: { parse: [] } }));
  });

  it('answers an interaction that was not deferred with an ephemeral reply, and opens a form only as the first answer', async () => {
    const reply = interaction(false);
    const chat = new InteractionChat(new DiscordChat(stubRest().rest, logger), reply, logger, { interactionId: 'i1', userId: '7' });
    const form = { kind: 'correction' as const, subject: '12', title: 'Correct my answer', context: 'Your question:\nbest tea?', label: 'The right answer', maxLength: 4000 };
    await chat.openForm(form);
    expect(reply.showModal).toHaveBeenCalledWith(expect.objectContaining({ custom_id: 'persona:form:correction:12', title: 'Correct my answer' }));
    await chat.openForm(form);
    expect(reply.showModal).toHaveBeenCalledTimes(1);
    expect(reply.followUp).toHaveBeenCalledWith(expect.objectContaining({ flags: 64, content: expect.stringContaining('needs a form') }));
    const fresh = interaction(false);
    await new InteractionChat(new DiscordChat(stubRest().rest, logger), fresh, logger, {}).sendPrivate({ channelId: 'c1', member: alice }, 'hi');
    expect(fresh.reply).toHaveBeenCalledWith({ content: 'hi', allowedMentions: { parse: [] }, flags: 64 });
  });
});
