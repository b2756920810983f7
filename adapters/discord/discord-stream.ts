import { Routes, type APIMessage, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Logger } from 'pino';
import type { AnswerStream, StreamTarget } from '../../src/core/ports.js';
import { PacedFlush } from '../paced-flush.js';
import { splitText } from '../split-text.js';
import { answerControls } from './discord-controls.js';
import { errorSummary } from './retry-once.js';

/** Discord's limit on a message's content. */
const MESSAGE_LIMIT = 2_000;

/** How the stream paces its edits; tests shorten it. */
export interface StreamPacing {
  /** At most one edit of a message this often (Discord allows about five edits per 5 s per channel). */
  editIntervalMs: number;
}

export const defaultPacing: StreamPacing = { editIntervalMs: 1_000 };

/**
 * An answer written into Discord as it arrives: the reply is posted at the first words (or the first
 * status), then edited at most once per interval with everything so far, and a final edit when done.
 * Past 2 000 characters the text goes on in a follow-up message. Edits never queue up: only the
 * newest text is sent, so a rate-limited channel (discord.js waits out 429s) gets fewer, larger edits.
 * A finished answer carries its controls (👍, "Correct it") on its last message, added with the final edit.
 */
export class DiscordAnswerStream implements AnswerStream {
  private text = '';
  private statusText: string | null = null;
  private readonly posted: Array<{ id: string; content: string; controls: boolean }> = [];
  private readonly pacer: PacedFlush;
  /** The answer finished: its last message gets the controls. */
  private withControls = false;
  private ended = false;

  constructor(
    private readonly rest: REST,
    private readonly logger: Logger,
    private readonly to: StreamTarget,
    private readonly onPosted: (messageId: string) => void,
    private readonly allowedMentions: RESTPostAPIChannelMessageJSONBody['allowed_mentions'],
    pacing: StreamPacing = defaultPacing,
  ) {
    this.pacer = new PacedFlush(
      {
        flush: () => this.flush(),
        dirty: () => this.dirty(),
        empty: () => this.posted.length === 0,
        failed: (error) => this.logger.warn({ channelId: this.channelId, ...errorSummary(error) }, 'streamed answer not updated'),
      },
      pacing.editIntervalMs,
    );
  }

  status(text: string): void {
    this.statusText = text;
    if (this.text === '') this.pacer.request();
  }

  append(text: string): void {
    this.text += text;
    this.pacer.request();
  }

  retract(): void {
    this.text = '';
    this.pacer.request();
  }

  async finish(text: string): Promise<{ messageIds: string[] }> {
    this.withControls = this.to.controls !== undefined && text.trim() !== '';
    return this.end(text);
  }

  async fail(text: string, note: string): Promise<{ messageIds: string[] }> {
    return this.end(text.trim() === '' ? note : `${text.trimEnd()}\n\n${note}`);
  }

  private async end(text: string): Promise<{ messageIds: string[] }> {
    this.ended = true;
    this.text = text;
    this.statusText = null;
    await this.pacer.end();
    return { messageIds: this.posted.map((message) => message.id) };
  }

  /** Makes the posted messages show the wanted content: edits those that changed, posts new ones, deletes leftovers. */
  private async flush(): Promise<void> {
    const wanted = this.chunks();
    for (const [index, content] of wanted.entries()) {
      const existing = this.posted[index];
      const controls = this.withControls && index === wanted.length - 1;
      if (!existing) await this.post(content, index === 0, controls);
      else if (existing.content !== content || existing.controls !== controls) await this.edit(existing, content, controls);
    }
    for (const extra of this.posted.splice(wanted.length)) {
      await this.rest.delete(Routes.channelMessage(this.channelId, extra.id)).catch((error: unknown) => this.logger.warn({ channelId: this.channelId, messageId: extra.id, ...errorSummary(error) }, 'leftover message not deleted'));
    }
  }

  private chunks(): string[] {
    if (this.text.trim() !== '') return splitText(this.text, MESSAGE_LIMIT);
    // A status is quiet: Discord's small grey subtext.
    if (this.statusText && !this.ended) return [`-# ${this.statusText}`];
    return [];
  }

  private dirty(): boolean {
    const wanted = this.chunks();
    return wanted.length !== this.posted.length || wanted.some((content, index) => this.posted[index]?.content !== content || this.posted[index]?.controls !== (this.withControls && index === wanted.length - 1));
  }

  private async post(content: string, first: boolean, controls: boolean): Promise<void> {
    const reference = first && this.to.replyToId ? { message_reference: { message_id: this.to.replyToId, fail_if_not_exists: false } } : {};
    const body: RESTPostAPIChannelMessageJSONBody = { content, allowed_mentions: this.allowedMentions, ...reference, ...this.components(controls) };
    const message = (await this.rest.post(Routes.channelMessages(this.channelId), { body })) as APIMessage;
    this.posted.push({ id: message.id, content, controls });
    this.onPosted(message.id);
  }

  private async edit(message: { id: string; content: string; controls: boolean }, content: string, controls: boolean): Promise<void> {
    const components = controls || message.controls ? { components: this.components(controls).components ?? [] } : {};
    await this.rest.patch(Routes.channelMessage(this.channelId, message.id), { body: { content, allowed_mentions: this.allowedMentions, ...components } });
    message.content = content;
    message.controls = controls;
  }

  private components(controls: boolean): Pick<RESTPostAPIChannelMessageJSONBody, 'components'> {
    return controls && this.to.controls ? { components: answerControls(this.to.controls.answerId) } : {};
  }

  private get channelId(): string {
    return this.to.threadId ?? this.to.channelId;
  }
}
