import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits } from 'discord.js';
import type { Attachment, CommandEvent, ControlEvent, DeleteEvent, EditEvent, FormEvent, MemberKey, MentionEvent, ReactionEvent, ReplyEvent } from '../../src/core/ports.js';
import { parseControl, parseForm } from '../control-ids.js';
import { FORM_FIELD } from './discord-controls.js';

/** Workspace id for direct messages, which belong to no guild. */
export const DM_WORKSPACE = '@dm';

/** The parts of a discord.js `Message` the adapter reads. */
export interface MessageLike {
  id: string;
  content: string | null;
  author: ({ id: string; bot: boolean } & UserNameLike) | null;
  /** The author's guild member, with their server nickname (absent in DMs). */
  member?: MemberNameLike | null;
  guildId: string | null;
  channelId: string;
  channel: { type: ChannelType; parentId?: string | null } | null;
  reference: { messageId?: string | undefined } | null;
  mentions: { repliedUser: { id: string } | null };
  attachments?: { values(): Iterable<AttachmentLike> };
  createdAt: Date;
  editedAt?: Date | null;
}

/** A user's names: discord.js `User.displayName` (global name, else username). */
export interface UserNameLike {
  displayName?: string;
}

/** A guild member's names: discord.js `GuildMember.displayName`, or the raw API member of an interaction. */
export interface MemberNameLike {
  displayName?: string;
  nick?: string | null;
  user?: { global_name?: string | null; username?: string };
}

/** The parts of a discord.js `Attachment` the adapter reads. */
export interface AttachmentLike {
  name: string;
  size: number;
  url: string;
  contentType: string | null;
}

/** The parts of a discord.js `MessageReaction` and its `User` the adapter reads. */
export interface ReactionLike {
  emoji: { id: string | null; name: string | null };
  message: { id: string; channelId: string; guildId: string | null };
}

/** The parts of a discord.js `ChatInputCommandInteraction` the adapter reads. */
export interface CommandLike {
  commandName: string;
  user: { id: string } & UserNameLike;
  member?: MemberNameLike | null;
  guildId: string | null;
  channelId: string;
  channel?: { isThread(): boolean } | null;
  memberPermissions: { has(permission: bigint): boolean } | null;
  options: { data: readonly CommandOptionLike[] };
  createdAt: Date;
}

/** The parts of a button press or modal submit the adapter reads. */
export interface ComponentLike {
  customId: string;
  user: { id: string };
  guildId: string | null;
  channelId: string | null;
  memberPermissions: { has(permission: bigint): boolean } | null;
  createdAt: Date;
}

/** One option of a command as the API sends it (subcommands nest their own options). */
export interface CommandOptionLike {
  name: string;
  type: ApplicationCommandOptionType;
  value?: string | number | boolean | undefined;
  options?: readonly CommandOptionLike[] | undefined;
}

/** What the adapter knows about itself when reading a message. */
export interface ReadOptions {
  botId: string;
  allowDms: boolean;
}

const threadTypes = new Set<ChannelType>([ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread]);

/** The name Discord shows for a member: server nickname, else global display name, else username. */
export function shownName(member: MemberNameLike | null | undefined, user: UserNameLike | null): string | undefined {
  const name = member?.displayName ?? member?.nick ?? member?.user?.global_name ?? member?.user?.username ?? user?.displayName;
  return name?.trim() || undefined;
}

/** The member key of a Discord user; DMs share the `@dm` workspace. */
export function memberKey(guildId: string | null, userId: string): MemberKey {
  return { platform: 'discord', workspaceId: guildId ?? DM_WORKSPACE, userId };
}

/** True when the channel is a thread (then its id is the thread id). */
export function isThread(channel: { type: ChannelType } | null): boolean {
  return channel !== null && threadTypes.has(channel.type);
}

/** True when the text explicitly mentions the bot (`<@id>` or `<@!id>`). */
export function mentionsBot(content: string, botId: string): boolean {
  return content.includes(`<@${botId}>`) || content.includes(`<@!${botId}>`);
}

/** The text with every mention of the bot removed, trimmed. */
export function stripBotMention(content: string, botId: string): string {
  // Only the spaces around the mention go: indentation inside code blocks is kept.
  return content.replace(new RegExp(`[ \\t]*<@!?${botId.replace(/\D/g, '')}>[ \\t]*`, 'g'), ' ').trim();
}

/**
 * A new message as the core sees it: a mention (explicit mention or allowed DM), a reply
 * addressed to the bot (a reply to one of its messages), an unaddressed reply (thread or
 * reply to something else), or null when it concerns nobody.
 */
export function messageEvent(message: MessageLike, options: ReadOptions): MentionEvent | ReplyEvent | null {
  const { author } = message;
  if (author === null || author.bot || author.id === options.botId) return null;
  const isDm = message.guildId === null;
  if (isDm && !options.allowDms) return null;
  const content = message.content ?? '';
  const thread = isThread(message.channel);
  const attachments = attachmentsOf(message);
  const base = {
    member: memberKey(message.guildId, author.id),
    channelId: message.channelId,
    messageId: message.id,
    text: stripBotMention(content, options.botId),
    ...named(shownName(message.member, author)),
    at: message.createdAt,
    ...(thread ? { threadId: message.channelId } : {}),
    ...(thread && message.channel?.parentId ? { parentChannelId: message.channel.parentId } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
  };
  const replyToId = message.reference?.messageId;
  const replyPart = replyToId === undefined ? {} : { replyToId };
  if (isDm || mentionsBot(content, options.botId)) return { kind: 'mention', ...base, ...replyPart };
  if (replyToId !== undefined && message.mentions.repliedUser?.id === options.botId) return { kind: 'reply', ...base, ...replyPart, addressed: true };
  const toOthers = mentionsSomeoneElse(content, options.botId) || repliesToSomeoneElse(message) ? { toOthers: true } : {};
  if (replyToId !== undefined || base.threadId !== undefined) return { kind: 'reply', ...base, ...replyPart, addressed: false, ...toOthers };
  return null;
}

/** The files of a message as the core sees them (the CDN address stays with the adapter's download). */
export function attachmentsOf(message: Pick<MessageLike, 'attachments'>): Attachment[] {
  return [...(message.attachments?.values() ?? [])].map((file) => ({ name: file.name, size: file.size, url: file.url, ...(file.contentType ? { contentType: file.contentType } : {}) }));
}

/** True when the text mentions a user or role other than the bot (then it is said to them). */
function mentionsSomeoneElse(content: string, botId: string): boolean {
  return [...content.matchAll(/<@[!&]?(\d+)>/g)].some((match) => match[1] !== botId);
}

/** True when the message replies to another person's message (the bot's own are handled before). */
function repliesToSomeoneElse(message: MessageLike): boolean {
  const repliedTo = message.mentions.repliedUser?.id;
  // Unknown when the replied-to message is gone; a reply to one's own message goes on one's own exchange.
  return message.reference?.messageId !== undefined && repliedTo !== undefined && repliedTo !== message.author?.id;
}

/** An edited message with text; null when the update carries no content or author (embeds, partials) or comes from a bot. */
export function editEvent(message: MessageLike, botId: string, at: Date): EditEvent | null {
  const { author } = message;
  if (author === null || author.bot || author.id === botId || message.content === null) return null;
  return {
    kind: 'edit',
    member: memberKey(message.guildId, author.id),
    channelId: message.channelId,
    messageId: message.id,
    text: stripBotMention(message.content, botId),
    at: message.editedAt ?? at,
  };
}

/** A deleted message; Discord does not say who deleted it. */
export function deleteEvent(message: { id: string; channelId: string; guildId: string | null }, at: Date): DeleteEvent {
  return { kind: 'delete', platform: 'discord', workspaceId: message.guildId ?? DM_WORKSPACE, channelId: message.channelId, messageId: message.id, at };
}

/** The emoji as the core names it: the unicode character, or a custom emoji's name. */
export function emojiName(emoji: { id: string | null; name: string | null }): string | null {
  return emoji.name ?? emoji.id;
}

/** A reaction added or removed by a member; null for the bot's own and other bots' reactions. */
export function reactionEvent(reaction: ReactionLike, user: { id: string; bot?: boolean | null }, added: boolean, botId: string, at: Date): ReactionEvent | null {
  const emoji = emojiName(reaction.emoji);
  if (emoji === null || user.id === botId || user.bot === true) return null;
  const { message } = reaction;
  return { kind: 'reaction', member: memberKey(message.guildId, user.id), channelId: message.channelId, messageId: message.id, emoji, added, at };
}

/**
 * `/persona <subcommand>` as the core's arguments: `[subcommand, ...rest]`, where
 * `forget confirm:true` gives `['forget', 'confirm']` and `reset member:@x` gives `['reset', '<id of x>']`.
 */
export function commandArgs(options: readonly CommandOptionLike[]): string[] {
  const sub = options.find((option) => option.type === ApplicationCommandOptionType.Subcommand);
  if (!sub) return [];
  const inner = sub.options ?? [];
  const target = inner.find((option) => option.name === 'member' && option.type === ApplicationCommandOptionType.User);
  const confirm = inner.find((option) => option.name === 'confirm' && option.value === true);
  const value = (name: string) => inner.find((option) => option.name === name)?.value;
  if (sub.name === 'reset' && typeof target?.value === 'string') return ['reset', target.value];
  if (sub.name === 'forget' && confirm) return ['forget', 'confirm'];
  if (sub.name === 'forget' && typeof value('memory') === 'string') return ['forget', String(value('memory'))];
  if (sub.name === 'memories' && value('page') !== undefined) return ['memories', String(value('page'))];
  return [sub.name];
}

/**
 * `/persona admin instructions action:<set|show|clear> [channel:#x]` as the core's arguments:
 * `['admin', 'instructions', action, channelId?]`.
 */
function adminArgs(options: readonly CommandOptionLike[]): string[] | null {
  const group = options.find((option) => option.type === ApplicationCommandOptionType.SubcommandGroup && option.name === 'admin');
  const sub = group?.options?.find((option) => option.type === ApplicationCommandOptionType.Subcommand);
  if (!sub) return null;
  const inner = sub.options ?? [];
  const action = inner.find((option) => option.name === 'action')?.value;
  const channel = inner.find((option) => option.name === 'channel')?.value;
  return ['admin', sub.name, String(action ?? 'show'), ...(typeof channel === 'string' ? [channel] : [])];
}

/** Whether the member may manage the guild (Manage Server, or Administrator). */
function canManage(permissions: { has(permission: bigint): boolean } | null): boolean {
  return permissions !== null && (permissions.has(PermissionFlagsBits.ManageGuild) || permissions.has(PermissionFlagsBits.Administrator));
}

/** A press on 👍 or "Correct it" under an answer; null for components that are not ours. */
export function controlEvent(interaction: ComponentLike): ControlEvent | null {
  const control = parseControl(interaction.customId);
  if (!control || interaction.channelId === null) return null;
  return { kind: 'control', member: memberKey(interaction.guildId, interaction.user.id), channelId: interaction.channelId, ...control, at: interaction.createdAt };
}

/** A submitted form of ours; `text` is its text box. */
export function formEvent(interaction: ComponentLike & { fields: { getTextInputValue(customId: string): string } }): FormEvent | null {
  const form = parseForm(interaction.customId);
  if (!form || interaction.channelId === null) return null;
  return {
    kind: 'form',
    member: memberKey(interaction.guildId, interaction.user.id),
    channelId: interaction.channelId,
    ...form,
    text: interaction.fields.getTextInputValue(FORM_FIELD),
    isAdmin: interaction.guildId !== null && canManage(interaction.memberPermissions),
    at: interaction.createdAt,
  };
}

/** A `/persona` command; `isAdmin` when the member may manage the guild. */
export function commandEvent(interaction: CommandLike): CommandEvent {
  // Run in a thread, the command's place is also the thread's channel (its instructions apply there).
  const parentId = interaction.channel?.isThread() ? (interaction.channel as { parentId?: string | null }).parentId : undefined;
  return {
    kind: 'command',
    member: memberKey(interaction.guildId, interaction.user.id),
    channelId: interaction.channelId,
    ...(parentId ? { parentChannelId: parentId } : {}),
    name: 'persona',
    args: adminArgs(interaction.options.data) ?? commandArgs(interaction.options.data),
    isAdmin: interaction.guildId !== null && canManage(interaction.memberPermissions),
    ...named(shownName(interaction.member, interaction.user)),
    at: interaction.createdAt,
  };
}

function named(name: string | undefined): { displayName?: string } {
  return name ? { displayName: name } : {};
}
