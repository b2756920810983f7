import { Routes, type APIChannel, type APIMessage, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Logger } from 'pino';
import type { AnswerStream, Attachment, Chat, Place, PrivateTarget, SendTarget, StreamTarget } from '../../src/core/ports.js';
import { downloadAttachment, type FileHosts } from '../attachment-download.js';
import { splitText } from '../split-text.js';
import { DiscordAnswerStream, defaultPacing, type StreamPacing } from './discord-stream.js';
import { errorSummary, retryOnce } from './retry-once.js';

/** Discord's limit on a message's content. */
export const MESSAGE_LIMIT = 2_000;

/** Discord shows "typing…" for about 10 s; it is sent again before it fades. */
export const TYPING_REFRESH_MS = 8_000;

/** Where Discord serves members' attachments. */
export const DISCORD_FILE_HOSTS: FileHosts = { hosts: ['cdn.discordapp.com', 'media.discordapp.net'] };

/** How long a note placed beside a message stays before it is removed. */
export const NOTE_LIFETIME_MS = 120_000;

/** What a DiscordChat may be told besides its REST client; tests shorten and move things. */
export interface DiscordChatOptions {
  pacing?: StreamPacing;
  /** The file hosts attachments are fetched from (tests only: the fake's loopback server). */
  fileHosts?: FileHosts;
  noteLifetimeMs?: number;
}

/** An answer never pings anyone: no @everyone, roles, users, nor the member replied to. */
export const NO_PINGS = { parse: [], replied_user: false } satisfies RESTPostAPIChannelMessageJSONBody['allowed_mentions'];

/** The outgoing side of Discord over REST by ids, so nothing depends on what the client has cached. */
export class DiscordChat implements Chat {
  private readonly typingTimers = new Set<NodeJS.Timeout>();
  /** Notes placed beside messages, removed when their time is up (or at shutdown). */
  private readonly notes = new Map<string, { channelId: string; timer: NodeJS.Timeout }>();

  constructor(
    private readonly rest: REST,
    private readonly logger: Logger,
    private readonly options: DiscordChatOptions = {},
  ) {}

  /** An answer posted at its first words and edited as it grows (see DiscordAnswerStream). */
  stream(to: StreamTarget, onPosted: (messageId: string) => void): AnswerStream {
    return new DiscordAnswerStream(this.rest, this.logger, to, onPosted, NO_PINGS, this.options.pacing ?? defaultPacing);
  }

  /** An attachment from Discord's CDN, at most `maxBytes`. */
  download(attachment: Attachment, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
    return downloadAttachment(attachment.url, { allowed: this.options.fileHosts ?? DISCORD_FILE_HOSTS, maxBytes, signal });
  }

  /** Posts the text in chunks of at most 2 000 characters; the first replies to `replyToId`. */
  async send(to: SendTarget, text: string): Promise<{ messageIds: string[] }> {
    const channelId = to.threadId ?? to.channelId;
    const messageIds: string[] = [];
    for (const chunk of splitText(text, MESSAGE_LIMIT)) {
      const reference = messageIds.length === 0 && to.replyToId ? { message_reference: { message_id: to.replyToId, fail_if_not_exists: false } } : {};
      const body: RESTPostAPIChannelMessageJSONBody = { content: chunk, allowed_mentions: NO_PINGS, ...reference };
      const ids = { channelId, replyToId: to.replyToId, part: String(messageIds.length + 1) };
      const posted = await retryOnce(this.logger, 'send', ids, () => this.rest.post(Routes.channelMessages(channelId), { body }) as Promise<APIMessage>);
      messageIds.push(posted.id);
    }
    this.logger.debug({ channelId, messageIds, text }, 'sent');
    return { messageIds };
  }

  /**
   * Outside an interaction Discord has no message only one member sees. A note about a message (the
   * answer the member just reacted to, their correction) goes beside it, addressed to them without a
   * ping, and is removed after a while: they are looking at that channel, and DMs may be closed.
   * Only when the bot cannot post there (or the note is about nothing) does it go by DM. A note
   * that reaches nobody must not fail the event.
   */
  async sendPrivate(to: PrivateTarget, text: string): Promise<void> {
    if (to.about && (await this.noteBeside(to, text))) return;
    const userId = to.member.userId;
    try {
      const dm = (await retryOnce(this.logger, 'open DM', { userId }, () => this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } }))) as APIChannel;
      await this.send({ channelId: dm.id }, text);
    } catch {
      this.logger.warn({ userId, channelId: to.channelId }, 'private message not delivered');
    }
  }

  /** Removes every note still shown (at shutdown), so none outlives the bot. */
  async close(): Promise<void> {
    await Promise.all([...this.notes.keys()].map((id) => this.removeNote(id)));
  }

  /** Posts the note as a reply to the message it is about; false when Discord refuses it. */
  private async noteBeside(to: PrivateTarget, text: string): Promise<boolean> {
    const body: RESTPostAPIChannelMessageJSONBody = {
      content: `<@${to.member.userId}> ${text}`.slice(0, MESSAGE_LIMIT),
      allowed_mentions: NO_PINGS,
      message_reference: { message_id: to.about!, fail_if_not_exists: false },
    };
    try {
      const note = (await this.rest.post(Routes.channelMessages(to.channelId), { body })) as APIMessage;
      const timer = setTimeout(() => void this.removeNote(note.id), this.options.noteLifetimeMs ?? NOTE_LIFETIME_MS);
      timer.unref();
      this.notes.set(note.id, { channelId: to.channelId, timer });
      return true;
    } catch (error) {
      this.logger.info({ channelId: to.channelId, messageId: to.about, ...errorSummary(error) }, 'note not placed beside the message; trying a DM');
      return false;
    }
  }

  private async removeNote(noteId: string): Promise<void> {
    const note = this.notes.get(noteId);
    if (!note) return;
    this.notes.delete(noteId);
    clearTimeout(note.timer);
    await this.rest.delete(Routes.channelMessage(note.channelId, noteId)).catch((error: unknown) => this.logger.debug({ channelId: note.channelId, messageId: noteId, ...errorSummary(error) }, 'note not removed'));
  }

  /** Adds the bot's reaction (a unicode emoji, or `name:id` for a custom one). */
  async react(to: { channelId: string; messageId: string }, emoji: string): Promise<void> {
    const route = Routes.channelMessageOwnReaction(to.channelId, to.messageId, encodeURIComponent(emoji));
    await retryOnce(this.logger, 'react', { ...to }, () => this.rest.put(route));
  }

  /** Shows "typing…" now and every 8 s until the returned function is called. */
  async typing(to: Place & { messageId?: string }): Promise<() => Promise<void>> {
    const channelId = to.threadId ?? to.channelId;
    const ping = () => this.rest.post(Routes.channelTyping(channelId)).catch((error: unknown) => this.logger.debug({ channelId, err: String(error) }, 'typing failed'));
    await ping();
    const timer = setInterval(() => void ping(), TYPING_REFRESH_MS);
    timer.unref();
    this.typingTimers.add(timer);
    return async () => {
      clearInterval(timer);
      this.typingTimers.delete(timer);
    };
  }

  /** Stops every typing indicator still running (at shutdown). */
  stopTyping(): void {
    for (const timer of this.typingTimers) clearInterval(timer);
    this.typingTimers.clear();
  }
}

