import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { AnswerStream, StreamTarget } from '../../src/core/ports.js';
import { PacedFlush } from '../paced-flush.js';
import { splitText } from '../split-text.js';
import { controlsBlock, textBlocks } from './slack-controls.js';
import { escapeForSlack, slackErrorSummary } from './slack-formatting.js';

type WebClient = webApi.WebClient;
type Streamer = ReturnType<WebClient['chatStream']>;

/** Slack accepts up to 40 000 characters but truncates display around 4 000; stay under it. */
export const MESSAGE_LIMIT = 3_500;

/**
 * What this workspace lets the app do, learned from Slack's answers and shared by every answer:
 * after one refusal the bot stops asking (streaming methods; `assistant.threads.setStatus`).
 */
export class SlackFeatures {
  streaming = true;
  status = true;
  /** Slack's AI-app feedback buttons; where they are refused, plain buttons stand in. */
  feedbackButtons = true;
}

/** Errors that mean "this app or this place cannot use the method", not "try again". */
const REFUSALS = new Set(['missing_scope', 'not_allowed', 'not_allowed_token_type', 'method_not_supported_for_channel_type', 'unknown_method', 'invalid_arguments', 'feature_not_enabled', 'channel_type_not_supported', 'not_in_channel']);

/** Whether an error from the Web API refuses the method outright. */
export function isRefusal(error: unknown): boolean {
  return REFUSALS.has(String((error as { data?: { error?: unknown } }).data?.error ?? ''));
}

/**
 * An answer written into Slack as it arrives: with Slack's streaming methods (`client.chatStream()`:
 * chat.startStream / appendStream / stopStream) in the question's thread, at most one append per
 * interval; where streaming is refused, a posted message updated at most once per interval. While
 * no text is visible, statuses go to `assistant.threads.setStatus` where the app may use it, else
 * into a placeholder message that the answer then replaces. A finished answer ends with its controls
 * (👍, "Correct it"): blocks given to chat.stopStream, or to the last chat.update.
 */
export class SlackAnswerStream implements AnswerStream {
  private text = '';
  private statusText: string | null = null;
  private streamer: Streamer | null = null;
  /** Text already appended to the stream. */
  private streamed = '';
  private readonly posted: Array<{ ts: string; content: string; controls?: boolean }> = [];
  private readonly pacer: PacedFlush;
  /** The answer finished: its last message gets the controls. */
  private withControls = false;
  private ended = false;
  private statusSet = false;

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
    private readonly to: StreamTarget,
    private readonly features: SlackFeatures,
    private readonly onPosted: (messageId: string) => void,
    intervalMs = 1_000,
  ) {
    this.pacer = new PacedFlush(
      {
        flush: (final) => this.write(final),
        dirty: () => this.dirty(),
        empty: () => this.posted.length === 0,
        failed: (error) => this.logger.warn({ channelId: this.to.channelId, ...slackErrorSummary(error) }, 'streamed answer not updated'),
      },
      intervalMs,
    );
  }

  status(text: string): void {
    if (this.ended || this.text !== '') return;
    this.statusText = text;
    if (this.features.status) return void this.setStatus(text);
    this.pacer.request();
  }

  append(text: string): void {
    this.text += text;
    this.pacer.request();
  }

  retract(): void {
    this.text = '';
    this.pacer.request();
  }

  finish(text: string): Promise<{ messageIds: string[] }> {
    this.withControls = this.to.controls !== undefined && text.trim() !== '';
    return this.end(text);
  }

  fail(text: string, note: string): Promise<{ messageIds: string[] }> {
    return this.end(text.trim() === '' ? note : `${text.trimEnd()}\n\n${note}`);
  }

  private async end(text: string): Promise<{ messageIds: string[] }> {
    this.ended = true;
    this.text = text;
    this.statusText = null;
    await this.pacer.end();
    if (this.statusSet) await this.setStatus('');
    return { messageIds: this.posted.map((message) => message.ts) };
  }

  private async write(final: boolean): Promise<void> {
    if (this.canStream()) {
      const appended = await this.appendToStream(final).catch((error: unknown) => {
        if (!isRefusal(error)) throw error;
        // Refused at the start: no stream exists, so there is nothing to stop.
        if (!this.streamer?.ts) this.streamer = null;
        this.features.streaming = false;
        this.logger.info({ channelId: this.to.channelId, ...slackErrorSummary(error) }, 'streaming refused; posting and updating instead');
        return false;
      });
      if (appended) return;
    }
    if (this.streamer) await this.leaveStream();
    await this.update();
  }

  /** Streams while nothing else was posted and the text only grew; returns false to fall back. */
  private canStream(): boolean {
    return this.features.streaming && this.threadTs !== undefined && (this.streamer !== null || this.posted.length === 0) && this.text.startsWith(this.streamed) && this.text.trim() !== '';
  }

  private async appendToStream(final: boolean): Promise<boolean> {
    // A word cut in two could hide an @here from escaping: until the end, send whole words only.
    const upTo = final ? this.text.length : this.text.lastIndexOf(' ') + 1;
    const delta = this.text.slice(this.streamed.length, Math.max(this.streamed.length, upTo));
    if (!this.streamer) {
      if (delta.trim() === '') return true;
      this.streamer = this.client.chatStream({ channel: this.to.channelId, thread_ts: this.threadTs!, recipient_team_id: this.to.member.workspaceId, recipient_user_id: this.to.member.userId, buffer_size: 1 });
    }
    if (delta !== '') await this.streamer.append({ markdown_text: escapeForSlack(delta) });
    this.streamed += delta;
    if (this.posted.length === 0 && this.streamer.ts) {
      this.posted.push({ ts: this.streamer.ts, content: this.streamed });
      this.onPosted(this.streamer.ts);
    }
    if (this.posted[0]) this.posted[0].content = this.streamed;
    if (final) {
      const streamer = this.streamer;
      await this.withBlocks(this.withControls, (blocks) => streamer.stop(blocks ? { blocks } : undefined));
    }
    return true;
  }

  /**
   * Makes a call with the controls' blocks (or none); where Slack refuses its feedback buttons, they
   * are remembered as refused and the call is made again with plain buttons.
   */
  private async withBlocks<T>(controls: boolean, call: (blocks: Array<ReturnType<typeof controlsBlock>> | undefined) => Promise<T>, text?: string): Promise<T> {
    const build = () => (controls ? [...(text === undefined ? [] : textBlocks(text)), controlsBlock(this.to.controls!.answerId, this.features.feedbackButtons)] : undefined);
    try {
      return await call(build());
    } catch (error) {
      if (!controls || !this.features.feedbackButtons || (error as { data?: { error?: string } }).data?.error !== 'invalid_blocks') throw error;
      this.features.feedbackButtons = false;
      this.logger.info({ channelId: this.to.channelId }, 'feedback buttons refused; using plain buttons');
      return call(build());
    }
  }

  /** Ends the stream as it stands, so the message can be updated like any other from now on. */
  private async leaveStream(): Promise<void> {
    const streamer = this.streamer!;
    this.streamer = null;
    await streamer.stop().catch((error: unknown) => this.logger.warn({ channelId: this.to.channelId, ...slackErrorSummary(error) }, 'stream not stopped'));
  }

  /** Makes the posted messages show the wanted text: chat.update what changed, post what is new. */
  private async update(): Promise<void> {
    const wanted = this.chunks();
    for (const [index, content] of wanted.entries()) {
      const existing = this.posted[index];
      const controls = this.withControls && index === wanted.length - 1;
      if (!existing) {
        const message = { channel: this.to.channelId, text: content, thread_ts: this.threadTs, unfurl_links: false, unfurl_media: false };
        const posted = await this.withBlocks(controls, (blocks) => this.client.chat.postMessage({ ...message, ...(blocks ? { blocks } : {}) }), content);
        if (!posted.ts) continue;
        this.posted.push({ ts: posted.ts, content, controls });
        this.onPosted(posted.ts);
      } else if (existing.content !== content || Boolean(existing.controls) !== controls) {
        await this.withBlocks(controls, (blocks) => this.client.chat.update({ channel: this.to.channelId, ts: existing.ts, text: content, ...(blocks ? { blocks } : {}) }), content);
        existing.content = content;
        existing.controls = controls;
      }
    }
    for (const extra of this.posted.splice(wanted.length)) {
      await this.client.chat.delete({ channel: this.to.channelId, ts: extra.ts }).catch((error: unknown) => this.logger.warn({ channelId: this.to.channelId, ...slackErrorSummary(error) }, 'leftover message not deleted'));
    }
  }

  private chunks(): string[] {
    const wanted = this.wanted();
    if (wanted === '') return [];
    return this.text.trim() !== '' ? splitText(escapeForSlack(this.text), MESSAGE_LIMIT) : [wanted];
  }

  /** What should be visible: the text, or a quiet placeholder status when there is none. */
  private wanted(): string {
    if (this.text.trim() !== '') return this.text;
    return this.statusText && !this.features.status && !this.ended ? `_${escapeForSlack(this.statusText)}_` : '';
  }

  /** Whether a flush would change what the member sees. */
  private dirty(): boolean {
    // While streaming, only whole words go out before the end.
    if (this.streamer || this.canStream()) return this.text.lastIndexOf(' ') + 1 > this.streamed.length;
    const wanted = this.chunks();
    return wanted.length !== this.posted.length || wanted.some((content, index) => this.posted[index]?.content !== content || Boolean(this.posted[index]?.controls) !== (this.withControls && index === wanted.length - 1));
  }

  private async setStatus(status: string): Promise<void> {
    if (!this.threadTs) return;
    try {
      await this.client.assistant.threads.setStatus({ channel_id: this.to.channelId, thread_ts: this.threadTs, status });
      this.statusSet = status !== '';
    } catch (error) {
      if (isRefusal(error)) {
        this.features.status = false;
        this.logger.info({ channelId: this.to.channelId, ...slackErrorSummary(error) }, 'assistant status refused; using a placeholder message');
        if (status !== '') this.pacer.request();
      } else {
        this.logger.debug({ channelId: this.to.channelId, ...slackErrorSummary(error) }, 'assistant status not set');
      }
    }
  }

  private get threadTs(): string | undefined {
    return this.to.threadId ?? this.to.replyToId;
  }
}
