import { MessageFlags, Routes, type APIChannel, type APIMessage, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Logger } from 'pino';
import type { AnswerStream, Chat, MemberKey, Place, SendTarget, StreamTarget } from '../../src/core/ports.js';
import { splitText } from '../split-text.js';
import { DiscordAnswerStream, defaultPacing, type StreamPacing } from './discord-stream.js';
import { retryOnce } from './retry-once.js';

/** Discord's limit on a message's content. */
export const MESSAGE_LIMIT = 2_000;

/** Discord shows "typing…" for about 10 s; it is sent again before it fades. */
export const TYPING_REFRESH_MS = 8_000;

/** An answer never pings anyone: no @everyone, roles, users, nor the member replied to. */
export const NO_PINGS = { parse: [], replied_user: false } satisfies RESTPostAPIChannelMessageJSONBody['allowed_mentions'];

/** The outgoing side of Discord over REST by ids, so nothing depends on what the client has cached. */
export class DiscordChat implements Chat {
  private readonly typingTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly rest: REST,
    private readonly logger: Logger,
    private readonly pacing: StreamPacing = defaultPacing,
  ) {}

  /** An answer posted at its first words and edited as it grows (see DiscordAnswerStream). */
  stream(to: StreamTarget, onPosted: (messageId: string) => void): AnswerStream {
    return new DiscordAnswerStream(this.rest, this.logger, to, onPosted, NO_PINGS, this.pacing);
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
   * Outside a slash command Discord has no message only one member sees, so the text goes to
   * the member's DMs. Members who closed their DMs miss it; that must not fail the event.
   */
  async sendPrivate(to: { channelId: string; member: MemberKey }, text: string): Promise<void> {
    const userId = to.member.userId;
    try {
      const dm = (await retryOnce(this.logger, 'open DM', { userId }, () => this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } }))) as APIChannel;
      await this.send({ channelId: dm.id }, text);
    } catch {
      this.logger.warn({ userId, channelId: to.channelId }, 'private message not delivered');
    }
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

/** The reply side of a deferred slash command, as discord.js interactions offer it. */
export interface DeferredReply {
  editReply(options: { content: string; allowedMentions: { parse: [] } }): Promise<unknown>;
  followUp(options: { content: string; flags: MessageFlags.Ephemeral; allowedMentions: { parse: [] } }): Promise<unknown>;
  deleteReply(): Promise<void>;
}

/** The Chat handed to the core for one slash command: private text becomes the ephemeral reply. */
export class InteractionChat implements Chat {
  /** Whether the deferred reply has been filled in. */
  answered = false;

  constructor(
    private readonly chat: DiscordChat,
    private readonly reply: DeferredReply,
    private readonly logger: Logger,
    private readonly ids: { interactionId: string; userId: string },
  ) {}

  send(to: SendTarget, text: string): Promise<{ messageIds: string[] }> {
    return this.chat.send(to, text);
  }

  /** The first chunk edits the deferred reply; longer text follows as more ephemeral messages. */
  async sendPrivate(_to: { channelId: string; member: MemberKey }, text: string): Promise<void> {
    for (const content of splitText(text, MESSAGE_LIMIT)) {
      const allowedMentions = { parse: [] as [] };
      if (this.answered) {
        await retryOnce(this.logger, 'command follow-up', this.ids, () => this.reply.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions }));
      } else {
        await retryOnce(this.logger, 'command reply', this.ids, () => this.reply.editReply({ content, allowedMentions }));
        this.answered = true;
      }
    }
  }

  react(to: { channelId: string; messageId: string }, emoji: string): Promise<void> {
    return this.chat.react(to, emoji);
  }

  typing(to: Place & { messageId?: string }): Promise<() => Promise<void>> {
    return this.chat.typing(to);
  }

  stream(to: StreamTarget, onPosted: (messageId: string) => void): AnswerStream {
    return this.chat.stream(to, onPosted);
  }
}
