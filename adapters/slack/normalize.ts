import type { Attachment, ChatEvent, CommandEvent, ControlEvent, FormEvent, MemberKey, MentionEvent, ReactionEvent, ReplyEvent } from '../../src/core/ports.js';
import { parseControl } from '../control-ids.js';
import { readForm, type FormPlace } from './slack-controls.js';

/** What every normaliser needs to know about the delivery. */
export interface SlackContext {
  /** The workspace (team) the event belongs to. */
  teamId: string;
  /** The bot's own user id: its messages and reactions are never events for the core. */
  botUserId: string;
  /** Direct messages to the bot are questions (SLACK_ALLOW_DMS). */
  allowDms: boolean;
}

/** The fields of a Slack message event that the bot reads; everything may be missing in a malformed payload. */
export interface SlackMessage {
  type?: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  event_ts?: string;
  message?: SlackMessage;
  previous_message?: SlackMessage;
  deleted_ts?: string;
  files?: SlackFile[];
}

/** A file shared in a message, as the Events API describes it. */
export interface SlackFile {
  id?: string;
  name?: string;
  title?: string;
  mimetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
}

/** A `block_actions` payload: a button under one of the bot's answers. */
export interface SlackBlockAction {
  type?: string;
  user?: { id?: string };
  team?: { id?: string } | null;
  channel?: { id?: string };
  container?: { channel_id?: string; message_ts?: string; thread_ts?: string };
  trigger_id?: string;
  actions?: Array<{ action_id?: string; value?: string }>;
}

/** `reaction_added` / `reaction_removed`. */
export interface SlackReaction {
  type?: string;
  user?: string;
  reaction?: string;
  item?: { type?: string; channel?: string; ts?: string };
  event_ts?: string;
}

/** The slash-command payload (form fields). */
export interface SlackCommand {
  command?: string;
  text?: string;
  user_id?: string;
  channel_id?: string;
  team_id?: string;
}

/** Message subtypes that are still a person writing; anything else (joins, bot posts, topics) is ignored. */
const personSubtypes = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

/** `app_mention`: a question in a channel (the bot answers in the thread of the mention). */
export function mentionEvent(event: SlackMessage, ctx: SlackContext): MentionEvent | null {
  if (!event.user || !event.channel || !event.ts || event.bot_id || event.user === ctx.botUserId) return null;
  return {
    kind: 'mention',
    member: member(ctx, event.user),
    channelId: event.channel,
    messageId: event.ts,
    text: withoutBotMention(event.text ?? '', ctx.botUserId),
    ...(inThread(event) ? { threadId: event.thread_ts } : {}),
    ...filesOf(event),
    at: slackTime(event.ts),
  };
}

/** The files of a message as the core sees them (the download address stays with the adapter). */
function filesOf(event: SlackMessage): { attachments?: Attachment[] } {
  const attachments = (event.files ?? []).flatMap((file): Attachment[] => {
    const url = file.url_private_download ?? file.url_private;
    return url ? [{ name: file.name ?? file.title ?? file.id ?? 'file', size: file.size ?? 0, url, ...(file.mimetype ? { contentType: file.mimetype } : {}) }] : [];
  });
  return attachments.length > 0 ? { attachments } : {};
}

/**
 * A `message` event: a DM to the bot (a question), a thread reply (maybe a correction), an edit
 * or a deletion. Channel messages that mention the bot are left to `app_mention`, so each is
 * handled once.
 */
export function messageEvent(event: SlackMessage, ctx: SlackContext): ChatEvent | null {
  if (!event.channel) return null;
  if (event.subtype === 'message_changed') return editEvent(event, ctx);
  if (event.subtype === 'message_deleted') {
    if (!event.deleted_ts || event.previous_message?.user === ctx.botUserId) return null;
    return { kind: 'delete', platform: 'slack', workspaceId: ctx.teamId, channelId: event.channel, messageId: event.deleted_ts, at: slackTime(event.event_ts ?? event.deleted_ts) };
  }
  if (!personSubtypes.has(event.subtype) || !event.user || !event.ts || event.bot_id || event.user === ctx.botUserId) return null;
  const direct = event.channel_type === 'im';
  if (direct && !ctx.allowDms) return null;
  if (!direct && mentionsBot(event.text ?? '', ctx.botUserId)) return null;
  const text = withoutBotMention(event.text ?? '', ctx.botUserId);
  if (inThread(event)) return reply(event, ctx, text, direct);
  if (!direct) return null;
  return { kind: 'mention', member: member(ctx, event.user), channelId: event.channel, messageId: event.ts, text, ...filesOf(event), at: slackTime(event.ts) };
}

/**
 * A thread reply. Slack threads have no reply-to-message, so only the thread is given: every
 * answer is posted in the thread of its question, and the core pairs the reply with the
 * member's latest answer in that thread.
 */
function reply(event: SlackMessage & { thread_ts: string }, ctx: SlackContext, text: string, direct: boolean): ReplyEvent {
  return {
    kind: 'reply',
    member: member(ctx, event.user!),
    channelId: event.channel!,
    messageId: event.ts!,
    threadId: event.thread_ts,
    // In a DM everything is said to the bot; in a channel the core decides whether it is a follow-up.
    addressed: direct,
    ...(!direct && mentionsSomeone(event.text ?? '', ctx.botUserId) ? { toOthers: true } : {}),
    text,
    ...filesOf(event),
    at: slackTime(event.ts!),
  };
}

function editEvent(event: SlackMessage, ctx: SlackContext): ChatEvent | null {
  const edited = event.message;
  if (!edited?.user || !edited.ts || edited.bot_id || edited.user === ctx.botUserId) return null;
  // Slack also sends message_changed when a link unfurls; only a new text is an edit.
  if (edited.text === event.previous_message?.text) return null;
  return { kind: 'edit', member: member(ctx, edited.user), channelId: event.channel!, messageId: edited.ts, text: withoutBotMention(edited.text ?? '', ctx.botUserId), at: slackTime(event.event_ts ?? edited.ts) };
}

/** `reaction_added` / `reaction_removed` on a message; skin tones do not change the meaning. */
export function reactionEvent(event: SlackReaction, ctx: SlackContext): ReactionEvent | null {
  const { item } = event;
  if (!event.user || !event.reaction || item?.type !== 'message' || !item.channel || !item.ts || event.user === ctx.botUserId) return null;
  return {
    kind: 'reaction',
    member: member(ctx, event.user),
    channelId: item.channel,
    messageId: item.ts,
    emoji: event.reaction.replace(/::skin-tone-\d$/, ''),
    added: event.type !== 'reaction_removed',
    at: slackTime(event.event_ts ?? item.ts),
  };
}

/** `/persona [view|reset|history|forget] [@member|confirm]`; a member mention `<@U123|name>` becomes its id. */
export function commandEvent(command: SlackCommand, ctx: Pick<SlackContext, 'teamId'>, at: Date, isAdmin?: boolean): CommandEvent | null {
  if (!command.user_id || !command.channel_id) return null;
  const args = (command.text ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((arg) => /^<[@#]([A-Z0-9]+)(?:\|[^>]*)?>$/i.exec(arg)?.[1] ?? arg);
  return { kind: 'command', name: 'persona', member: member(ctx, command.user_id), channelId: command.channel_id, args, ...(isAdmin === undefined ? {} : { isAdmin }), at };
}

/** The member a `/persona` command names besides its caller, if any (only `reset` acts on another member). */
export function commandTarget(event: CommandEvent): string | null {
  const [sub, target] = event.args;
  return sub?.toLowerCase() === 'reset' && target && target !== event.member.userId ? target : null;
}

/** Whether the command needs to know if its caller administers the workspace (asked of Slack only then). */
export function needsAdmin(event: CommandEvent): boolean {
  return commandTarget(event) !== null || event.args[0]?.toLowerCase() === 'admin';
}

/** A press on 👍 or "Correct it" under an answer (feedback buttons or plain ones); null for anything else. */
export function controlEvent(body: SlackBlockAction, ctx: Pick<SlackContext, 'teamId'>, at: Date): ControlEvent | null {
  const control = parseControl(body.actions?.[0]?.value ?? '');
  const channel = body.channel?.id ?? body.container?.channel_id;
  if (!control || !body.user?.id || !channel) return null;
  return { kind: 'control', member: member(ctx, body.user.id), channelId: channel, ...control, at };
}

/** A submitted modal of ours, and where it was opened (its answer goes there). */
export function formEvent(body: { user?: { id?: string }; view?: Parameters<typeof readForm>[0] }, ctx: Pick<SlackContext, 'teamId'>, at: Date): { event: FormEvent; place: FormPlace } | null {
  const read = body.view ? readForm(body.view) : null;
  if (!read || !body.user?.id) return null;
  return { event: { kind: 'form', member: member(ctx, body.user.id), channelId: read.place.channel, form: read.form, subject: read.subject, text: read.text, at }, place: read.place };
}

function member(ctx: Pick<SlackContext, 'teamId'>, userId: string): MemberKey {
  return { platform: 'slack', workspaceId: ctx.teamId, userId };
}

function inThread(event: SlackMessage): event is SlackMessage & { thread_ts: string } {
  return event.thread_ts !== undefined && event.thread_ts !== event.ts;
}

/** True when the text mentions a user other than the bot (then it is said to them). */
function mentionsSomeone(text: string, botUserId: string): boolean {
  return [...text.matchAll(/<@([A-Z0-9]+)(?:\|[^>]*)?>/gi)].some((match) => match[1] !== botUserId);
}

function mentionsBot(text: string, botUserId: string): boolean {
  return text.includes(`<@${botUserId}>`) || text.includes(`<@${botUserId}|`);
}

function withoutBotMention(text: string, botUserId: string): string {
  return text
    .replace(new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g'), '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** Slack timestamps are seconds with microseconds, e.g. `1700000000.000100`. */
function slackTime(ts: string): Date {
  const seconds = Number(ts);
  return Number.isFinite(seconds) ? new Date(seconds * 1000) : new Date();
}
