import { describe, expect, it } from 'vitest';
import { commandEvent, commandTarget, controlEvent, formEvent, mentionEvent, messageEvent, needsAdmin, reactionEvent, type SlackContext } from './normalize.js';
import { formView } from './slack-controls.js';
import { escapeForSlack, reactionName } from './slack-chat.js';

const ctx: SlackContext = { teamId: 'T1', botUserId: 'UBOT', allowDms: true };
const alice = { platform: 'slack', workspaceId: 'T1', userId: 'UALICE' };

describe('Slack payloads to ChatEvents', () => {
  it('turns app_mention into a question without the bot mention, keeping lines', () => {
    const event = mentionEvent({ type: 'app_mention', user: 'UALICE', text: '<@UBOT> first line\nsecond  line', ts: '1700000000.000100', channel: 'C1' }, ctx);
    expect(event).toEqual({ kind: 'mention', member: alice, channelId: 'C1', messageId: '1700000000.000100', text: 'first line\nsecond line', at: new Date(1_700_000_000_000.1) });
  });

  it('keeps the thread of a mention made inside one', () => {
    expect(mentionEvent({ type: 'app_mention', user: 'UALICE', text: '<@UBOT> hi', ts: '2.0', thread_ts: '1.0', channel: 'C1' }, ctx)).toMatchObject({ threadId: '1.0' });
    expect(mentionEvent({ type: 'app_mention', user: 'UALICE', text: '<@UBOT> hi', ts: '1.0', thread_ts: '1.0', channel: 'C1' }, ctx)).not.toHaveProperty('threadId');
  });

  it('ignores mentions by bots, by the bot itself and malformed ones', () => {
    expect(mentionEvent({ type: 'app_mention', user: 'UOTHER', bot_id: 'B2', text: 'hi', ts: '1.0', channel: 'C1' }, ctx)).toBeNull();
    expect(mentionEvent({ type: 'app_mention', user: 'UBOT', text: 'hi', ts: '1.0', channel: 'C1' }, ctx)).toBeNull();
    expect(mentionEvent({ type: 'app_mention', text: 'hi', ts: '1.0', channel: 'C1' }, ctx)).toBeNull();
  });

  it('makes a thread reply in a channel a reply in that thread, not addressed, with no message replied to', () => {
    expect(messageEvent({ type: 'message', channel: 'C1', channel_type: 'channel', user: 'UALICE', text: 'white', ts: '2.0', thread_ts: '1.0' }, ctx)).toEqual({
      kind: 'reply',
      member: alice,
      channelId: 'C1',
      messageId: '2.0',
      threadId: '1.0',
      addressed: false,
      text: 'white',
      at: new Date(2000),
    });
  });

  it('leaves channel messages that mention the bot to app_mention, and ignores plain channel chatter', () => {
    expect(messageEvent({ type: 'message', channel: 'C1', channel_type: 'channel', user: 'UALICE', text: '<@UBOT> hi', ts: '2.0', thread_ts: '1.0' }, ctx)).toBeNull();
    expect(messageEvent({ type: 'message', channel: 'C1', channel_type: 'channel', user: 'UALICE', text: 'lunch?', ts: '2.0' }, ctx)).toBeNull();
  });

  it('takes direct messages as questions when DMs are allowed, and DM thread replies as addressed', () => {
    expect(messageEvent({ type: 'message', channel: 'D1', channel_type: 'im', user: 'UALICE', text: 'hi', ts: '2.0' }, ctx)).toMatchObject({ kind: 'mention', channelId: 'D1', text: 'hi' });
    expect(messageEvent({ type: 'message', channel: 'D1', channel_type: 'im', user: 'UALICE', text: 'no', ts: '3.0', thread_ts: '2.5' }, ctx)).toMatchObject({ kind: 'reply', addressed: true, threadId: '2.5' });
    expect(messageEvent({ type: 'message', channel: 'D1', channel_type: 'im', user: 'UALICE', text: 'no', ts: '3.0', thread_ts: '2.5' }, ctx)).not.toHaveProperty('replyToId');
    expect(messageEvent({ type: 'message', channel: 'D1', channel_type: 'im', user: 'UALICE', text: 'hi', ts: '2.0' }, { ...ctx, allowDms: false })).toBeNull();
  });

  it('ignores bot posts, joins and other subtypes', () => {
    expect(messageEvent({ type: 'message', channel: 'D1', channel_type: 'im', user: 'UBOT', text: 'an answer', ts: '2.0' }, ctx)).toBeNull();
    expect(messageEvent({ type: 'message', subtype: 'bot_message', channel: 'D1', channel_type: 'im', bot_id: 'B1', text: 'x', ts: '2.0' }, ctx)).toBeNull();
    expect(messageEvent({ type: 'message', subtype: 'channel_join', channel: 'C1', user: 'UALICE', text: 'joined', ts: '2.0', thread_ts: '1.0' }, ctx)).toBeNull();
    expect(messageEvent({ type: 'message', text: 'no channel' }, ctx)).toBeNull();
  });

  it('turns message_changed into an edit only when the text changed', () => {
    const previous = { type: 'message', user: 'UALICE', text: 'white', ts: '2.0', thread_ts: '1.0' };
    const changed = { type: 'message', subtype: 'message_changed', channel: 'C1', channel_type: 'channel', ts: '3.0', event_ts: '3.0', previous_message: previous };
    expect(messageEvent({ ...changed, message: { ...previous, text: 'a dry white' } }, ctx)).toEqual({ kind: 'edit', member: alice, channelId: 'C1', messageId: '2.0', text: 'a dry white', at: new Date(3000) });
    expect(messageEvent({ ...changed, message: { ...previous, text: 'white' } }, ctx)).toBeNull();
    expect(messageEvent({ ...changed, message: { ...previous, user: 'UBOT', text: 'edited answer' } }, ctx)).toBeNull();
  });

  it('turns message_deleted into a delete of that ts', () => {
    expect(messageEvent({ type: 'message', subtype: 'message_deleted', channel: 'C1', ts: '4.0', event_ts: '4.0', deleted_ts: '2.0', previous_message: { user: 'UALICE', text: 'white', ts: '2.0' } }, ctx)).toEqual({
      kind: 'delete',
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'C1',
      messageId: '2.0',
      at: new Date(4000),
    });
  });

  it('turns reactions on messages into reaction events, without skin tones', () => {
    const item = { type: 'message', channel: 'C1', ts: '2.0' };
    expect(reactionEvent({ type: 'reaction_added', user: 'UALICE', reaction: '-1', item, event_ts: '5.0' }, ctx)).toEqual({ kind: 'reaction', member: alice, channelId: 'C1', messageId: '2.0', emoji: '-1', added: true, at: new Date(5000) });
    expect(reactionEvent({ type: 'reaction_removed', user: 'UALICE', reaction: '+1::skin-tone-3', item, event_ts: '5.0' }, ctx)).toMatchObject({ emoji: '+1', added: false });
    expect(reactionEvent({ type: 'reaction_added', user: 'UALICE', reaction: '-1', item: { type: 'file' } }, ctx)).toBeNull();
    expect(reactionEvent({ type: 'reaction_added', user: 'UBOT', reaction: 'eyes', item }, ctx)).toBeNull();
  });

  it('parses /persona arguments, turning a member mention into its id', () => {
    const at = new Date(0);
    const event = commandEvent({ command: '/persona', text: ' reset  <@UBOB|bob> ', user_id: 'UALICE', channel_id: 'C1', team_id: 'T1' }, ctx, at)!;
    expect(event).toEqual({ kind: 'command', name: 'persona', member: alice, channelId: 'C1', args: ['reset', 'UBOB'], at });
    expect(commandTarget(event)).toBe('UBOB');
    expect(commandTarget(commandEvent({ text: 'view', user_id: 'UALICE', channel_id: 'C1' }, ctx, at)!)).toBeNull();
    expect(commandEvent({ text: 'view', user_id: 'UALICE', channel_id: 'C1' }, ctx, at)!.args).toEqual(['view']);
    expect(commandEvent({ text: '', user_id: 'UALICE', channel_id: 'C1' }, ctx, at)!.args).toEqual([]);
    expect(commandEvent({ text: 'view' }, ctx, at)).toBeNull();
  });
});

describe('outgoing text', () => {
  it('escapes everything that could mention or link', () => {
    expect(escapeForSlack('<!channel> <@U1> @here @Everyone a & b <https://x|y>')).toBe('&lt;!channel&gt; &lt;@U1&gt; @\u200bhere @\u200bEveryone a &amp; b &lt;https://x|y&gt;');
  });

  it('names the emoji the core uses the Slack way', () => {
    expect(reactionName('✅')).toBe('white_check_mark');
    expect(reactionName(':tada:')).toBe('tada');
    expect(reactionName('-1')).toBe('-1');
  });
});

describe('Slack files, follow-ups, controls and forms', () => {
  const file = { id: 'F1', name: 'notes.csv', mimetype: 'text/csv', size: 30, url_private: 'https://files.slack.com/files-pri/T1-F1/notes.csv', url_private_download: 'https://files.slack.com/files-pri/T1-F1/download/notes.csv' };

  it('carries the files of a mention and of a thread reply, by their download address', () => {
    expect(mentionEvent({ type: 'app_mention', user: 'UALICE', text: '<@UBOT> sum', ts: '1.0', channel: 'C1', files: [file] }, ctx)).toMatchObject({ attachments: [{ name: 'notes.csv', size: 30, contentType: 'text/csv', url: file.url_private_download }] });
    expect(messageEvent({ type: 'message', subtype: 'file_share', channel: 'C1', channel_type: 'channel', user: 'UALICE', text: '', ts: '2.0', thread_ts: '1.0', files: [file] }, ctx)).toMatchObject({ kind: 'reply', attachments: [{ name: 'notes.csv' }] });
  });

  it('marks a thread reply that names someone but the bot as said to them', () => {
    expect(messageEvent({ type: 'message', channel: 'C1', channel_type: 'channel', user: 'UALICE', text: '<@UBOB> you agree?', ts: '2.0', thread_ts: '1.0' }, ctx)).toMatchObject({ toOthers: true, addressed: false });
    expect(messageEvent({ type: 'message', channel: 'C1', channel_type: 'channel', user: 'UALICE', text: 'and then?', ts: '2.0', thread_ts: '1.0' }, ctx)).not.toHaveProperty('toOthers');
  });

  it('reads a channel named in a command, and asks about admins only for admin commands and resets of others', () => {
    const event = commandEvent({ user_id: 'UALICE', channel_id: 'C1', text: 'admin instructions set <#C0FR|french>' }, ctx, new Date(0))!;
    expect(event.args).toEqual(['admin', 'instructions', 'set', 'C0FR']);
    expect(needsAdmin(event)).toBe(true);
    expect(needsAdmin(commandEvent({ user_id: 'UALICE', channel_id: 'C1', text: 'memories 2' }, ctx, new Date(0))!)).toBe(false);
    expect(needsAdmin(commandEvent({ user_id: 'UALICE', channel_id: 'C1', text: 'reset <@UBOB|bob>' }, ctx, new Date(0))!)).toBe(true);
  });

  it('reads a press on our buttons and nothing else', () => {
    const body = { user: { id: 'UALICE' }, channel: { id: 'C1' }, actions: [{ action_id: 'persona_feedback', value: 'persona:fix:12' }] };
    expect(controlEvent(body, ctx, new Date(0))).toEqual({ kind: 'control', member: alice, channelId: 'C1', control: 'correct', answerId: '12', at: new Date(0) });
    expect(controlEvent({ ...body, actions: [{ action_id: 'other', value: 'good-feedback' }] }, ctx, new Date(0))).toBeNull();
  });

  it('reads back a submitted form of ours with where it was opened', () => {
    const view = formView({ kind: 'correction', subject: '12', title: 'Correct my answer', context: 'Your question', label: 'The right answer', maxLength: 4000 }, { channel: 'C1', thread: '1.0' });
    const submitted = { ...view, state: { values: { persona_text: { text: { value: 'white' } } } } };
    expect(formEvent({ user: { id: 'UALICE' }, view: submitted }, ctx, new Date(0))).toEqual({
      event: { kind: 'form', member: alice, channelId: 'C1', form: 'correction', subject: '12', text: 'white', at: new Date(0) },
      place: { channel: 'C1', thread: '1.0' },
    });
    expect(formEvent({ user: { id: 'UALICE' }, view: { ...submitted, private_metadata: 'not json' } }, ctx, new Date(0))).toBeNull();
    expect(formEvent({ user: { id: 'UALICE' }, view: { ...submitted, callback_id: 'someone_else' } }, ctx, new Date(0))).toBeNull();
  });
});
