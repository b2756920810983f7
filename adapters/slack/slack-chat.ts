import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { AnswerStream, Attachment, Chat, Form, MemberKey, Place, PrivateFile, PrivateTarget, SendTarget, StreamTarget } from '../../src/core/ports.js';
import { downloadAttachment, type FileHosts } from '../attachment-download.js';
import { splitText } from '../split-text.js';
import { formView, type FormPlace } from './slack-controls.js';
import type { SlackNames } from './slack-names.js';
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

/** Posts an ephemeral answer to a slash command or a button through its `response_url`. */
export type Respond = (message: { response_type: 'ephemeral'; text: string; replace_original?: false }) => Promise<unknown>;

/** Where Slack serves members' files (with the bot token). */
export const SLACK_FILE_HOSTS: FileHosts = { hosts: ['files.slack.com'] };

/** What a SlackChat may be told besides its client. */
export interface SlackChatOptions {
  /** What the workspace allows, shared by every answer; a fresh one assumes everything. */
  features?: SlackFeatures;
  /** How often a streamed answer touches Slack; tests shorten it. */
  streamIntervalMs?: number;
  /** Where files may be fetched from; tests only (the fake's loopback server). */
  fileHosts?: FileHosts;
  /** Members' names, looked up once and shared by every chat of the adapter. */
  names?: SlackNames;
}

/** The Slack side of `Chat`, over the Web API. */
export class SlackChat implements Chat {
  protected readonly features: SlackFeatures;

  constructor(
    protected readonly client: WebClient,
    protected readonly logger: Logger,
    protected readonly options: SlackChatOptions = {},
  ) {
    this.features = options.features ?? new SlackFeatures();
  }

  /** An answer streamed into the question's thread (see SlackAnswerStream). */
  stream(to: StreamTarget, onPosted: (messageId: string) => void): AnswerStream {
    return new SlackAnswerStream(this.client, this.logger, to, this.features, onPosted, this.options.streamIntervalMs ?? 1_000);
  }

  /** The member's Slack name (see SlackNames); undefined without a name cache. */
  async memberName(member: MemberKey): Promise<string | undefined> {
    return this.options.names?.of(this.client, member);
  }

  /** A member's file from files.slack.com, fetched with the bot token, at most `maxBytes`. */
  download(attachment: Attachment, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
    const headers = this.client.token ? { authorization: `Bearer ${this.client.token}` } : undefined;
    return downloadAttachment(attachment.url, { allowed: this.options.fileHosts ?? SLACK_FILE_HOSTS, maxBytes, headers, signal });
  }

  /** Slack has no ephemeral file: it goes into the member's DM with the bot, and they are told where it is. */
  async sendPrivateFile(to: PrivateTarget, file: PrivateFile): Promise<void> {
    const opened = await this.client.conversations.open({ users: to.member.userId });
    const channel = opened.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    await this.client.files.uploadV2({ channel_id: channel, filename: file.name, title: file.name, content: file.content, initial_comment: file.note });
    await this.sendPrivate(to, `${file.note} I put the file (${file.name}) in our direct messages.`);
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

  /** An ephemeral message: only the member sees it, where they are: in the thread of the message it is about. */
  async sendPrivate(to: PrivateTarget, text: string): Promise<void> {
    await this.postEphemeral(to, splitText(escapeForSlack(text), MESSAGE_LIMIT), to.threadId ?? (await this.threadOf(to)));
  }

  /** The thread of the message a note is about (a reaction event does not say); none for a message outside threads. */
  private async threadOf(to: PrivateTarget): Promise<string | undefined> {
    if (!to.about) return undefined;
    try {
      // Given any message of a thread, Slack returns the thread; each message carries its `thread_ts`.
      const found = await this.client.conversations.replies({ channel: to.channelId, ts: to.about, limit: 1 });
      return found.messages?.[0]?.thread_ts;
    } catch (error) {
      this.logger.debug({ channelId: to.channelId, messageId: to.about, ...slackErrorSummary(error) }, 'thread of the message not found; the note goes to the channel');
      return undefined;
    }
  }

  /** Posts already escaped chunks ephemerally; a note that cannot be shown must not fail the event that caused it. */
  protected async postEphemeral(to: PrivateTarget, chunks: string[], threadTs?: string): Promise<void> {
    try {
      for (const text of chunks) await this.client.chat.postEphemeral({ channel: to.channelId, user: to.member.userId, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
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

/** What an interaction (a command, a button, a submitted form) gives its answers. */
export interface InteractionContext {
  /** The command's or button's `response_url`; a submitted form has none. */
  respond?: Respond;
  /** Opens a modal; valid for 3 seconds after the interaction. */
  triggerId?: string;
  /** Where the member is: ephemeral notes go there, and a form's answer comes back there. */
  place?: FormPlace;
}

/**
 * The chat for one interaction: private answers go through its `response_url` (or ephemerally to
 * where the member is), and forms open as modals with its trigger.
 */
export class InteractionChat extends SlackChat {
  constructor(
    client: WebClient,
    logger: Logger,
    private readonly interaction: InteractionContext,
    options: SlackChatOptions = {},
  ) {
    super(client, logger, options);
  }

  /** Long text goes as several responses (a `response_url` takes up to five within 30 minutes). */
  override async sendPrivate(to: PrivateTarget, text: string): Promise<void> {
    const chunks = splitText(escapeForSlack(text), MESSAGE_LIMIT);
    const { respond, place } = this.interaction;
    const here = { ...to, channelId: place?.channel ?? to.channelId };
    if (!respond) return this.postEphemeral(here, chunks, place?.thread ?? to.threadId);
    for (const [index, chunk] of chunks.entries()) {
      try {
        await respond({ response_type: 'ephemeral', text: chunk, replace_original: false });
      } catch (error) {
        this.logger.warn({ channelId: to.channelId, userId: to.member.userId, ...slackErrorSummary(error) }, 'interaction response failed; trying ephemeral messages');
        return this.postEphemeral(here, chunks.slice(index), place?.thread ?? to.threadId);
      }
    }
  }

  /** A modal opened with the interaction's trigger. */
  async openForm(form: Form): Promise<void> {
    const { triggerId, place } = this.interaction;
    if (!triggerId || !place) throw new Error('a form needs an interaction to open it');
    await this.client.views.open({ trigger_id: triggerId, view: formView(form, place) });
  }
}

/** Slack reaction names: known emoji are mapped, `:name:` loses its colons. */
export function reactionName(emoji: string): string {
  return reactionNames[emoji] ?? emoji.replace(/^:|:$/g, '');
}
