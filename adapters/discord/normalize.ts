import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits } from 'discord.js';
import type { CommandEvent, DeleteEvent, EditEvent, MemberKey, MentionEvent, ReactionEvent, ReplyEvent } from '../../src/core/ports.js';

/** Workspace id for direct messages, which belong to no guild. */
export const DM_WORKSPACE = '@dm';

/** The parts of a discord.js `Message` the adapter reads. */
export interface MessageLike {
  id: string;
  content: string | null;
  author: { id: string; bot: boolean } | null;
  guildId: string | null;
  channelId: string;
  channel: { type: ChannelType } | null;
  reference: { messageId?: string | undefined } | null;
  mentions: { repliedUser: { id: string } | null };
  createdAt: Date;
  editedAt?: Date | null;
}

/** The parts of a discord.js `MessageReaction` and its `User` the adapter reads. */
export interface ReactionLike {
  emoji: { id: string | null; name: string | null };
  message: { id: string; channelId: string; guildId: string | null };
}

/** The parts of a discord.js `ChatInputCommandInteraction` the adapter reads. */
export interface CommandLike {
  commandName: string;
  user: { id: string };
  guildId: string | null;
  channelId: string;
  memberPermissions: { has(permission: bigint): boolean } | null;
  options: { data: readonly CommandOptionLike[] };
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
  const base = {
    member: memberKey(message.guildId, author.id),
    channelId: message.channelId,
    messageId: message.id,
    text: stripBotMention(content, options.botId),
    at: message.createdAt,
    ...(isThread(message.channel) ? { threadId: message.channelId } : {}),
  };
  const replyToId = message.reference?.messageId;
  const replyPart = replyToId === undefined ? {} : { replyToId };
  if (isDm || mentionsBot(content, options.botId)) return { kind: 'mention', ...base, ...replyPart };
  if (replyToId !== undefined && message.mentions.repliedUser?.id === options.botId) return { kind: 'reply', ...base, ...replyPart, addressed: true };
  if (replyToId !== undefined || base.threadId !== undefined) return { kind: 'reply', ...base, ...replyPart, addressed: false };
  return null;
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
  if (sub.name === 'reset' && typeof target?.value === 'string') return ['reset', target.value];
  if (sub.name === 'forget' && confirm) return ['forget', 'confirm'];
  return [sub.name];
}

/** A `/persona` command; `isAdmin` when the member may manage the guild. */
export function commandEvent(interaction: CommandLike): CommandEvent {
  const permissions = interaction.memberPermissions;
  const isAdmin = permissions !== null && (permissions.has(PermissionFlagsBits.ManageGuild) || permissions.has(PermissionFlagsBits.Administrator));
  return {
    kind: 'command',
    member: memberKey(interaction.guildId, interaction.user.id),
    channelId: interaction.channelId,
    name: 'persona',
    args: commandArgs(interaction.options.data),
    isAdmin,
    at: interaction.createdAt,
  };
}
