import { MessageFlags, type APIModalInteractionResponseCallbackData } from 'discord.js';
import type { Logger } from 'pino';
import type { AnswerStream, Attachment, Chat, Form, Place, PrivateFile, PrivateTarget, SendTarget, StreamTarget } from '../../src/core/ports.js';
import { splitText } from '../split-text.js';
import { MESSAGE_LIMIT, type DiscordChat } from './discord-chat.js';
import { formModal } from './discord-controls.js';
import { retryOnce, type LogIds } from './retry-once.js';

/** What an ephemeral response carries. */
interface ResponseOptions {
  content: string;
  allowedMentions: { parse: [] };
  files?: Array<{ attachment: Buffer; name: string }>;
}

/** The parts of a discord.js interaction (command, button, modal submit) that answering it needs. */
export interface RepliableLike {
  readonly deferred: boolean;
  reply(options: ResponseOptions & { flags: MessageFlags.Ephemeral }): Promise<unknown>;
  editReply(options: ResponseOptions): Promise<unknown>;
  followUp(options: ResponseOptions & { flags: MessageFlags.Ephemeral }): Promise<unknown>;
  /** Buttons and commands can answer with a modal; a modal submit cannot. */
  showModal?(modal: APIModalInteractionResponseCallbackData): Promise<unknown>;
}

const noPings = { parse: [] as [] };

/**
 * The Chat handed to the core for one interaction: private text, files and forms go to the member
 * through the interaction (an ephemeral reply, or the deferred reply filled in, then follow-ups).
 * Everything else is the channel's DiscordChat.
 */
export class InteractionChat implements Chat {
  /** Whether the interaction has been answered (a reply, the deferred reply filled in, or a modal). */
  answered = false;

  constructor(
    private readonly chat: DiscordChat,
    private readonly interaction: RepliableLike,
    private readonly logger: Logger,
    private readonly ids: LogIds,
  ) {}

  /** The first chunk answers the interaction; longer text follows as more ephemeral messages. */
  sendPrivate(_to: PrivateTarget, text: string): Promise<void> {
    return this.say(text);
  }

  /** An ephemeral message with the file attached: only the member can see or download it. */
  async sendPrivateFile(_to: PrivateTarget, file: PrivateFile): Promise<void> {
    await this.respond({ content: file.note, allowedMentions: noPings, files: [{ attachment: Buffer.from(file.content, 'utf8'), name: file.name }] });
  }

  /** A modal, which must be the interaction's first answer (no deferral before it). */
  async openForm(form: Form): Promise<void> {
    if (this.answered || this.interaction.deferred || !this.interaction.showModal) {
      return this.say('That needs a form, which I can only open right after a button or a command; try again.');
    }
    await this.interaction.showModal(formModal(form));
    this.answered = true;
  }

  send(to: SendTarget, text: string): Promise<{ messageIds: string[] }> {
    return this.chat.send(to, text);
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

  download(attachment: Attachment, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
    return this.chat.download(attachment, maxBytes, signal);
  }

  private async say(text: string): Promise<void> {
    for (const content of splitText(text, MESSAGE_LIMIT)) await this.respond({ content, allowedMentions: noPings });
  }

  private async respond(options: ResponseOptions): Promise<void> {
    const ephemeral = { ...options, flags: MessageFlags.Ephemeral as const };
    if (this.answered) await retryOnce(this.logger, 'interaction follow-up', this.ids, () => this.interaction.followUp(ephemeral));
    else if (this.interaction.deferred) await retryOnce(this.logger, 'interaction reply', this.ids, () => this.interaction.editReply(options));
    else await retryOnce(this.logger, 'interaction reply', this.ids, () => this.interaction.reply(ephemeral));
    this.answered = true;
  }
}
