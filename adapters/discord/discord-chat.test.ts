import type { REST } from 'discord.js';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiscordChat, InteractionChat, type DeferredReply } from './discord-chat.js';

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
  return { rest: { post: record('POST'), put: record('PUT') } as unknown as REST, calls };
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

  it('reacts with the emoji percent-encoded in the route', async () => {
    const { rest, calls } = stubRest();
    await new DiscordChat(rest, logger).react({ channelId: 'c1', messageId: 'm1' }, '✅');
    expect(calls).toEqual([{ method: 'PUT', route: `/channels/c1/messages/m1/reactions/${encodeURIComponent('✅')}/@me`, body: undefined }]);
  });
});

describe('InteractionChat', () => {
  it('edits the deferred reply, then follows up privately with the rest of a long text', async () => {
    const reply = { editReply: vi.fn(async () => undefined), followUp: vi.fn(async () => undefined), deleteReply: vi.fn(async () => undefined) } satisfies DeferredReply;
    const chat = new InteractionChat(new DiscordChat(stubRest().rest, logger), reply, logger, { interactionId: 'i1', userId: '7' });
    await chat.sendPrivate({ channelId: 'c1', member: alice }, `${'word '.repeat(500)}\n${'more '.repeat(200)}`);
    expect(chat.answered).toBe(true);
    expect(reply.editReply).toHaveBeenCalledTimes(1);
    expect(reply.followUp).toHaveBeenCalledWith(expect.objectContaining({ flags: 64, allowedMentions: { parse: [] } }));
  });
});
