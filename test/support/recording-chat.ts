import type { AnswerStream, Chat, MemberKey, Place, SendTarget, StreamTarget } from '../../src/core/ports.js';

/** A Chat that records everything the bot does and hands out message ids `bot-1`, `bot-2`, … */
export class RecordingChat implements Chat {
  readonly sent: Array<{ to: SendTarget; text: string; messageIds: string[] }> = [];
  readonly privates: Array<{ channelId: string; member: MemberKey; text: string }> = [];
  readonly reactions: Array<{ channelId: string; messageId: string; emoji: string }> = [];
  readonly typings: Array<Place & { messageId?: string }> = [];
  private counter = 0;

  async send(to: SendTarget, text: string): Promise<{ messageIds: string[] }> {
    const messageIds = [`bot-${++this.counter}`];
    this.sent.push({ to, text, messageIds });
    return { messageIds };
  }

  async sendPrivate(to: { channelId: string; member: MemberKey }, text: string): Promise<void> {
    this.privates.push({ ...to, text });
  }

  async react(to: { channelId: string; messageId: string }, emoji: string): Promise<void> {
    this.reactions.push({ ...to, emoji });
  }

  async typing(to: Place & { messageId?: string }): Promise<() => Promise<void>> {
    this.typings.push(to);
    return async () => undefined;
  }

  /** The last message the bot posted. */
  last(): { to: SendTarget; text: string; messageIds: string[] } {
    const last = this.sent.at(-1);
    if (!last) throw new Error('the bot has sent nothing');
    return last;
  }
}

/** One streamed answer as the bot wrote it. */
export interface RecordedStream {
  to: StreamTarget;
  /** Everything the bot did to the stream, in order. */
  events: Array<{ kind: 'status' | 'append' | 'retract' | 'finish' | 'fail'; text: string; at: number }>;
  /** Text visible now: the appended text since the last retract, or the final text once finished. */
  visible: string;
  done: boolean;
  messageIds: string[];
}

/** A RecordingChat that also streams: each answer is recorded event by event, with message ids `bot-N`. */
export class StreamingChat extends RecordingChat {
  readonly streams: RecordedStream[] = [];
  private streamCounter = 0;

  stream(to: StreamTarget, onPosted: (messageId: string) => void): AnswerStream {
    const record: RecordedStream = { to, events: [], visible: '', done: false, messageIds: [] };
    this.streams.push(record);
    const post = () => {
      if (record.messageIds.length > 0) return;
      const id = `stream-${++this.streamCounter}`;
      record.messageIds.push(id);
      onPosted(id);
    };
    const log = (kind: RecordedStream['events'][number]['kind'], text: string) => record.events.push({ kind, text, at: Date.now() });
    const end = async (kind: 'finish' | 'fail', text: string) => {
      log(kind, text);
      record.visible = text;
      record.done = true;
      if (text !== '') post();
      return { messageIds: record.messageIds };
    };
    return {
      status: (text) => {
        log('status', text);
        post();
      },
      append: (text) => {
        log('append', text);
        record.visible += text;
        post();
      },
      retract: () => {
        log('retract', '');
        record.visible = '';
      },
      finish: (text) => end('finish', text),
      fail: (text, note) => end('fail', text.trim() === '' ? note : `${text}\n\n${note}`),
    };
  }

  /** The stream of the answer to this question. */
  streamFor(questionMessageId: string): RecordedStream | undefined {
    return this.streams.find((stream) => stream.to.replyToId === questionMessageId);
  }
}
