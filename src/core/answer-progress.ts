import { messages } from './messages.js';
import type { AnswerStream, Chat, SendTarget } from './ports.js';

/** How long a member waits before the bot says where their question stands. */
export interface ProgressDelays {
  /** Queue position shown once a question has waited this long. */
  queueNoticeMs: number;
  /** "searching your memory…" shown once the answer has been worked on this long with no text yet. */
  workNoticeMs: number;
}

export const defaultProgressDelays: ProgressDelays = { queueNoticeMs: 3_000, workNoticeMs: 4_000 };

/**
 * Decides what a member sees while their answer is not written yet: nothing for the first few
 * seconds, then their place in the queue (updated as it moves), then what the agent is doing.
 * Once answer text is visible, it says nothing more.
 */
export class AnswerProgress {
  private ahead = 0;
  private queueShown = false;
  private tool: string | null = null;
  private textShown = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: AnswerStream,
    private readonly delays: ProgressDelays,
  ) {
    this.timer = setTimeout(() => this.showQueue(), delays.queueNoticeMs);
    this.timer.unref();
  }

  /** The question's place in the queue changed. */
  queued(ahead: number): void {
    this.ahead = ahead;
    if (this.queueShown && !this.finished) this.stream.status(messages.queued(ahead));
  }

  /** The question got the model: what it shows next is work, not a queue place. */
  started(): void {
    this.reset(() => this.showWork(), this.delays.workNoticeMs);
    if (this.queueShown) this.stream.status(messages.working(null));
  }

  /** The agent runs a tool; named in the status if no text appears for a while. */
  toolStep(name: string): void {
    this.tool = name;
    this.reset(() => this.showWork(), this.delays.workNoticeMs);
  }

  /** Answer text became visible. */
  text(): void {
    this.textShown = true;
    this.stop();
  }

  /** The answer's text was taken back; statuses may show again. */
  retracted(): void {
    this.textShown = false;
    if (!this.finished) this.stream.status(messages.working(this.tool));
  }

  /** No more statuses. */
  stop(): void {
    this.finished = this.finished || this.textShown;
    clearTimeout(this.timer);
  }

  /** Ends for good. */
  close(): void {
    this.finished = true;
    clearTimeout(this.timer);
  }

  private showQueue(): void {
    if (this.finished || this.ahead === 0) return;
    this.queueShown = true;
    this.stream.status(messages.queued(this.ahead));
  }

  /** A tool step that takes a while is named; plain thinking is already shown by the typing indicator. */
  private showWork(): void {
    if (this.finished || this.textShown || this.tool === null) return;
    this.stream.status(messages.working(this.tool));
  }

  private reset(run: () => void, ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(run, ms);
    this.timer.unref();
  }
}

/** For a chat without streaming: the whole answer is sent at the end. */
export function sendWhenDone(chat: Chat, to: SendTarget, onPosted: (messageId: string) => void): AnswerStream {
  const send = async (text: string) => {
    const sent = await chat.send(to, text);
    sent.messageIds.forEach(onPosted);
    return sent;
  };
  return {
    status: () => undefined,
    append: () => undefined,
    retract: () => undefined,
    finish: send,
    fail: (text, note) => send(text.trim() === '' ? note : `${text}\n\n${note}`),
  };
}
