import type { webApi } from '@slack/bolt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InteractionChat, SlackChat } from './slack-chat.js';

type Call = { method: string; args: Record<string, unknown> };

/** A Web API client with the methods SlackChat uses; each call is recorded, and `fail` makes one method throw. */
function fakeClient(fail: Record<string, string> = {}): { client: webApi.WebClient; calls: Call[] } {
  const calls: Call[] = [];
  let ts = 100;
  const method = (name: string, answer: () => Record<string, unknown> = () => ({ ok: true })) => async (args: Record<string, unknown>) => {
    calls.push({ method: name, args });
    if (fail[name]) throw Object.assign(new Error(`An API error occurred: ${fail[name]}`), { code: 'slack_webapi_platform_error', data: { ok: false, error: fail[name] } });
    return answer();
  };
  const client = {
    chat: { postMessage: method('chat.postMessage', () => ({ ok: true, ts: `${++ts}.0` })), postEphemeral: method('chat.postEphemeral') },
    reactions: { add: method('reactions.add'), remove: method('reactions.remove') },
    conversations: { replies: method('conversations.replies', () => ({ ok: true, messages: [{ ts: '1.0', thread_ts: '1.0' }] })) },
  };
  return { client: client as unknown as webApi.WebClient, calls };
}

const logger = pino({ level: 'silent' });
const alice = { platform: 'slack' as const, workspaceId: 'T1', userId: 'UALICE' };

describe('SlackChat', () => {
  it('posts in the thread of the question, or in the thread it sits in', async () => {
    const { client, calls } = fakeClient();
    const chat = new SlackChat(client, logger);
    expect(await chat.send({ channelId: 'C1', replyToId: '5.0' }, 'hi')).toEqual({ messageIds: ['101.0'] });
    await chat.send({ channelId: 'C1', threadId: '1.0', replyToId: '5.0' }, 'hi');
    expect(calls.map((call) => call.args.thread_ts)).toEqual(['5.0', '1.0']);
    expect(calls[0]!.args).not.toHaveProperty('link_names');
  });

  it('splits long text into escaped parts of at most 3 500 characters and returns every ts', async () => {
    const { client, calls } = fakeClient();
    const text = Array.from({ length: 300 }, (_, i) => `<@U${i}> & friends said ${i}.`).join(' ');
    const { messageIds } = await new SlackChat(client, logger).send({ channelId: 'C1', replyToId: '5.0' }, text);
    expect(calls.length).toBeGreaterThan(1);
    expect(messageIds).toHaveLength(calls.length);
    for (const call of calls) {
      expect(String(call.args.text).length).toBeLessThanOrEqual(3_500);
      expect(String(call.args.text)).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
    }
  });

  it('reacts with Slack names and accepts a reaction already there', async () => {
    const { client, calls } = fakeClient({ 'reactions.add': 'already_reacted' });
    await new SlackChat(client, logger).react({ channelId: 'C1', messageId: '2.0' }, '✅');
    expect(calls[0]).toEqual({ method: 'reactions.add', args: { channel: 'C1', timestamp: '2.0', name: 'white_check_mark' } });
    await expect(new SlackChat(fakeClient({ 'reactions.add': 'message_not_found' }).client, logger).react({ channelId: 'C1', messageId: '2.0' }, '✅')).rejects.toThrow('message_not_found');
  });

  it('shows 👀 on the question while working and takes it away after', async () => {
    const { client, calls } = fakeClient();
    const stop = await new SlackChat(client, logger).typing({ channelId: 'C1', messageId: '2.0' });
    expect(calls).toEqual([{ method: 'reactions.add', args: { channel: 'C1', timestamp: '2.0', name: 'eyes' } }]);
    await stop();
    expect(calls[1]).toEqual({ method: 'reactions.remove', args: { channel: 'C1', timestamp: '2.0', name: 'eyes' } });
  });

  it('puts a note about a message in that message\'s thread: the one given, or the one Slack says it sits in', async () => {
    const { client, calls } = fakeClient();
    const chat = new SlackChat(client, logger);
    await chat.sendPrivate({ channelId: 'C1', member: alice, about: '3.0' }, 'reply with the right answer');
    await chat.sendPrivate({ channelId: 'C1', member: alice, about: '3.0', threadId: '2.0' }, 'noted');
    await chat.sendPrivate({ channelId: 'C1', member: alice }, 'about nothing');
    expect(calls).toEqual([
      { method: 'conversations.replies', args: { channel: 'C1', ts: '3.0', limit: 1 } },
      { method: 'chat.postEphemeral', args: { channel: 'C1', user: 'UALICE', text: 'reply with the right answer', thread_ts: '1.0' } },
      { method: 'chat.postEphemeral', args: { channel: 'C1', user: 'UALICE', text: 'noted', thread_ts: '2.0' } },
      { method: 'chat.postEphemeral', args: { channel: 'C1', user: 'UALICE', text: 'about nothing' } },
    ]);
    const unknown = fakeClient({ 'conversations.replies': 'thread_not_found' });
    await new SlackChat(unknown.client, logger).sendPrivate({ channelId: 'C1', member: alice, about: '3.0' }, 'still shown');
    expect(unknown.calls.at(-1)).toEqual({ method: 'chat.postEphemeral', args: { channel: 'C1', user: 'UALICE', text: 'still shown' } });
  });

  it('does not fail the event when an ephemeral note cannot be shown', async () => {
    const { client, calls } = fakeClient({ 'chat.postEphemeral': 'user_not_in_channel' });
    await expect(new SlackChat(client, logger).sendPrivate({ channelId: 'C1', member: alice }, 'note')).resolves.toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});

describe('InteractionChat', () => {
  it('answers through response_url ephemerally, in parts when long', async () => {
    const { client, calls } = fakeClient();
    const responses: unknown[] = [];
    const chat = new InteractionChat(client, logger, { respond: async (message) => void responses.push(message) });
    await chat.sendPrivate({ channelId: 'C1', member: alice }, `${'word '.repeat(1_000)}@here`);
    expect(responses.length).toBe(2);
    for (const response of responses) expect(response).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(responses)).toContain('@\u200bhere');
    expect(calls).toHaveLength(0);
  });

  it('falls back to chat.postEphemeral when response_url fails', async () => {
    const { client, calls } = fakeClient();
    const chat = new InteractionChat(client, logger, {
      respond: async () => {
        throw new Error('expired_url');
      },
    });
    await chat.sendPrivate({ channelId: 'C1', member: alice }, 'your persona');
    expect(calls).toEqual([{ method: 'chat.postEphemeral', args: { channel: 'C1', user: 'UALICE', text: 'your persona' } }]);
  });
});
