import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { AnswerStream, Chat, MemberKey, Place, SendTarget, StreamTarget } from '../../src/core/ports.js';
import { splitText } from '../split-text.js';
import { escapeForSlack, slackErrorSummary } from './slack-formatting.js';
import { MESSAGE_LIMIT, SlackAnswerStream, SlackFeatures } from './slack-stream.js';

export { escapeForSlack, slackErrorSummary } from './slack-formatting.js';

type WebClient = webApi.WebClient;


/** Slack reaction names for the emoji the core uses. */
const reactionNames: Record<string, string> = {
  '✅': 'white_check_mark',
  '👀': 'eyes',
  '👍': '+1',
  '👎': '-1',
  '⚠️': 'warning',
};

/** Posts an ephemeral answer to a slash command through its `response_url`. */
export type Respond = (message: { response_type: 'ephemeral'; text: string }) => Promise<unknown>;

/** The Slack side of `Chat`, over the Web API. */
export class SlackChat implements Chat {
  constructor(
    protected readonly client: WebClient,
    protected readonly logger: Logger,
    /** What the workspace allows, shared by every answer; a fresh one assumes everything. */
    protected readonly features = new SlackFeatures(),
    /** How often a streamed answer touches Slack; tests shorten it. */
    protected readonly streamIntervalMs = 1_000,
  ) {}

  /** An answer streamed into the question's thread (see SlackAnswerStream). */
  stream(to: StreamTarget, onPosted: (messageId: string) => void): AnswerStream {
    return new SlackAnswerStream(this.client, this.logger, to, this.features, onPosted, this.streamIntervalMs);
  }

  /**
   * Posts in the thread of the question: its `thread_ts` when it sits in a thread, else its own
   * ts (`replyToId`). DMs too, so that a reply in the thread always follows the answer it is about.
   */
  async send(to: SendTarget, text: string): Promise<{ messageIds: string[] }> {
    const threadTs = to.threadId ?? to.replyToId;
    const messageIds: string[] = [];
    for (const chunk of splitText(escapeForSlack(text), MESSAGE_LIMIT)) {
      const posted = await this.client.chat.postMessage({ channel: to.channelId, text: chunk, thread_ts: threadTs, unfurl_links: false, unfurl_media: false });
      if (posted.ts) messageIds.push(posted.ts);
    }
    this.logger.debug({ channelId: to.channelId, threadTs, messageIds, text }, 'sent');
    return { messageIds };
  }

  /** An ephemeral message: only the member sees it, in the channel where they are. */
  async sendPrivate(to: { channelId: string; member: MemberKey }, text: string): Promise<void> {
    await this.postEphemeral(to, splitText(escapeForSlack(text), MESSAGE_LIMIT));
  }

  /** Posts already escaped chunks ephemerally; a note that cannot be shown must not fail the event that caused it. */
  protected async postEphemeral(to: { channelId: string; member: MemberKey }, chunks: string[]): Promise<void> {
    try {
      for (const text of chunks) await this.client.chat.postEphemeral({ channel: to.channelId, user: to.member.userId, text });
    } catch (error) {
      this.logger.warn({ channelId: to.channelId, userId: to.member.userId, ...slackErrorSummary(error) }, 'ephemeral message not delivered');
    }
  }

  /** Adds the bot's reaction; one it already added is fine. */
  async react(to: { channelId: string; messageId: string }, emoji: string): Promise<void> {
    try {
      await this.client.reactions.add({ channel: to.channelId, timestamp: to.messageId, name: reactionName(emoji) });
    } catch (error) {
      if ((error as { data?: { error?: string } }).data?.error !== 'already_reacted') throw error;
    }
  }

  /** Slack bots have no typing indicator: 👀 on the question while the bot works, removed after. */
  async typing(to: Place & { messageId?: string }): Promise<() => Promise<void>> {
    const { messageId } = to;
    if (!messageId) return async () => undefined;
    const target = { channel: to.channelId, timestamp: messageId, name: 'eyes' };
    try {
      await this.client.reactions.add(target);
    } catch (error) {
      this.logger.debug({ channelId: to.channelId, messageId, ...slackErrorSummary(error) }, 'thinking reaction not added');
      return async () => undefined;
    }
    return async () => {
      await this.client.reactions.remove(target).catch((error: unknown) => this.logger.debug({ channelId: to.channelId, messageId, ...slackErrorSummary(error) }, 'thinking reaction not removed'));
    };
  }
}

/** The chat for one `/persona` command: private answers go through the command's `response_url`. */
export class CommandChat extends SlackChat {
  constructor(
    client: WebClient,
    logger: Logger,
    private readonly respond: Respond,
  ) {
    super(client, logger);
  }

  /** Long text goes as several responses (a `response_url` takes up to five within 30 minutes). */
  override async sendPrivate(to: { channelId: string; member: MemberKey }, text: string): Promise<void> {
    const chunks = splitText(escapeForSlack(text), MESSAGE_LIMIT);
    for (const [index, chunk] of chunks.entries()) {
      try {
        await this.respond({ response_type: 'ephemeral', text: chunk });
      } catch (error) {
        this.logger.warn({ channelId: to.channelId, userId: to.member.userId, ...slackErrorSummary(error) }, 'command response failed; trying ephemeral messages');
        return this.postEphemeral(to, chunks.slice(index));
      }
    }
  }
}

/** Slack reaction names: known emoji are mapped, `:name:` loses its colons. */
export function reactionName(emoji: string): string {
  return reactionNames[emoji] ?? emoji.replace(/^:|:$/g, '');
}
