import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { AnswerStream, Chat, ChatEvent, EventSink, MemberKey, PrivateFile, RunningAdapter, SendTarget } from '../../src/core/ports.js';
import { ConsoleAnswerStream, indent, type Terminal } from './console-stream.js';

/** Options for the terminal chat; streams are injectable so tests can drive it. */
export interface ConsoleOptions {
  sink: EventSink;
  member: MemberKey;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Called when the member quits (`/quit` or end of input). */
  onClose?: () => void;
}

const help = [
  'Type a question and press Enter. Commands:',
  '  /down            👎 the last answer (then /reply with the right one)',
  '  /up              👍 the last answer',
  '  /undo            take back your last /up or /down',
  '  /reply <text>    reply to the last answer (your correction)',
  '  /edit <text>     edit your last reply',
  '  /persona [view|history|reset|forget [confirm]]',
  '  /persona memories [page]   your memories, with ids; /persona forget <id> removes one',
  '  /persona export   everything kept about you, as JSON',
  '  /help, /quit',
].join('\n');

/** A local chat in the terminal: each line is a mention from one local member, through the same ports as the platforms. */
export function startConsole(options: ConsoleOptions): RunningAdapter & { done: Promise<void> } {
  const output = options.output ?? process.stdout;
  const write = (text: string) => void output.write(`${text}\n`);
  const ids = new MessageIds();
  // Lines typed while an answer is written wait their turn; questions among them mean answers need naming.
  let waiting = 0;
  const isQuestion = (line: string) => line.trim() !== '' && !line.trim().startsWith('/');
  const chat = new ConsoleChat({ line: write, raw: (text) => void output.write(text) }, ids, () => waiting);
  const session = new ConsoleSession(options.member, chat, options.sink, write, ids);
  const lines = createInterface({ input: options.input ?? process.stdin, terminal: false });
  let queue = Promise.resolve();
  const done = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      if (isQuestion(line)) waiting += 1;
      queue = queue
        .then(() => {
          if (isQuestion(line)) waiting -= 1;
          return session.onLine(line);
        })
        .then((quit) => (quit ? lines.close() : undefined));
    });
    lines.on('close', () => void queue.then(() => { options.onClose?.(); resolve(); }));
  });
  write(`persona-bot console — you are ${options.member.userId}. /help lists the commands.`);
  return { name: 'console', outlet: { platform: 'console', chat }, done, stop: async () => { lines.close(); await done; } };
}

/**
 * Message ids unique across runs: the database remembers every id it has seen, so ids that started
 * again at 1 would make a new question a "duplicate" and pair a reply with an older answer.
 */
class MessageIds {
  private readonly session = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  private counter = 0;

  next(author: 'you' | 'bot'): string {
    this.counter += 1;
    return `${author}-${this.session}-${this.counter}`;
  }
}

/** The console's state: the last answer and the member's last reaction and reply. */
class ConsoleSession {
  private lastReaction: { emoji: string; messageId: string } | null = null;
  private lastReplyId: string | null = null;
  private lastReplyTo: string | null = null;

  constructor(
    private readonly member: MemberKey,
    private readonly chat: ConsoleChat,
    private readonly sink: EventSink,
    private readonly write: (text: string) => void,
    private readonly ids: MessageIds,
  ) {}

  /** Handles one typed line; returns true when the member quits. */
  async onLine(raw: string): Promise<boolean> {
    const line = raw.trim();
    if (line === '') return false;
    const [command = '', ...rest] = line.startsWith('/') ? line.slice(1).split(/\s+/) : [];
    const argument = line.slice(command.length + 1).trim();
    const base = { member: this.member, channelId: 'console', at: new Date() };
    if (!line.startsWith('/')) return this.ask(line, base);
    switch (command.toLowerCase()) {
      case 'quit':
      case 'exit':
        return true;
      case 'help':
        return this.say(help);
      case 'up':
      case 'down':
        return this.react(command === 'up' ? '👍' : '👎');
      case 'undo':
        return this.undo();
      case 'reply':
        return this.replyToLast(argument);
      case 'edit':
        if (!this.lastReplyId) return this.say('There is no reply of yours to edit yet.');
        if (argument === '') return this.say('Write the new text after /edit, e.g. /edit Lisbon in spring');
        return this.emit({ ...base, kind: 'edit', messageId: this.lastReplyId, text: argument });
      case 'persona':
        return this.emit({ ...base, kind: 'command', name: 'persona', args: rest });
      default:
        return this.say(`Unknown command /${command}.\n${help}`);
    }
  }

  /** Echoes a reaction only once the core says it counted; otherwise says why it did not. */
  private async react(emoji: string): Promise<boolean> {
    const messageId = this.chat.lastAnswerId;
    if (!messageId) return this.say('There is no answer to react to yet.');
    const outcome = await this.sink.handle({ kind: 'reaction', member: this.member, channelId: 'console', messageId, emoji, added: true, at: new Date() }, this.chat);
    if (!outcome?.counted) return this.say(`(your ${emoji} did not count${outcome?.note ? `: ${outcome.note}` : ''})`);
    this.lastReaction = { emoji, messageId };
    // "Reply to it" has no gesture in a terminal: name the command that does it.
    const hint = emoji === '👎' && this.lastReplyTo !== messageId ? '; type /reply <the right answer> to correct it' : '';
    return this.say(`(you reacted ${emoji} to the last answer${hint})`);
  }

  private async undo(): Promise<boolean> {
    if (!this.lastReaction) return this.say('There is no reaction to take back.');
    const { emoji, messageId } = this.lastReaction;
    this.lastReaction = null;
    const outcome = await this.sink.handle({ kind: 'reaction', member: this.member, channelId: 'console', messageId, emoji, added: false, at: new Date() }, this.chat);
    if (!outcome?.counted) return this.say(`(taking back ${emoji} changed nothing${outcome?.note ? `: ${outcome.note}` : ''})`);
    return this.say(`(you took back ${emoji})`);
  }

  private replyToLast(text: string): Promise<boolean> {
    const replyToId = this.chat.lastAnswerId;
    if (!replyToId) return this.say('There is no answer to reply to yet.');
    if (text === '') return this.say('Write your reply after /reply, e.g. /reply Lisbon, always Lisbon');
    this.lastReplyId = this.ids.next('you');
    this.lastReplyTo = replyToId;
    return this.emit({ kind: 'reply', member: this.member, channelId: 'console', messageId: this.lastReplyId, replyToId, addressed: false, text, at: new Date() });
  }

  private ask(line: string, base: { member: MemberKey; channelId: string; at: Date }): Promise<boolean> {
    const messageId = this.ids.next('you');
    this.chat.noteQuestion(messageId, line);
    return this.emit({ ...base, kind: 'mention', messageId, text: line });
  }

  private async emit(event: ChatEvent): Promise<boolean> {
    await this.sink.handle(event, this.chat);
    return false;
  }

  private async say(text: string): Promise<boolean> {
    this.write(text);
    return false;
  }
}

/** Prints what the bot does. */
class ConsoleChat implements Chat {
  lastAnswerId: string | null = null;
  private readonly write: (text: string) => void;

  constructor(
    private readonly terminal: Terminal,
    private readonly ids: MessageIds,
    private readonly questionsWaiting: () => number,
  ) {
    this.write = terminal.line;
  }

  private readonly questions = new Map<string, string>();

  /** A question's text, to name it in its answer if more questions are typed before it is answered. */
  noteQuestion(messageId: string, text: string): void {
    this.questions.set(messageId, text.length > 40 ? `${text.slice(0, 39)}…` : text);
  }

  /** Prints the answer as it is written. */
  stream(to: SendTarget, onPosted: (messageId: string) => void): AnswerStream {
    const post = () => {
      const id = this.ids.next('bot');
      this.lastAnswerId = id;
      return id;
    };
    const name = to.replyToId === undefined ? undefined : this.questions.get(to.replyToId);
    if (to.replyToId !== undefined) this.questions.delete(to.replyToId);
    // Decided when the answer starts to print: only then is it known whether another question came in meanwhile.
    const prompt = () => (name !== undefined && this.questionsWaiting() > 0 ? `bot (to "${name}")> ` : 'bot> ');
    return new ConsoleAnswerStream(this.terminal, post, onPosted, prompt);
  }

  async send(_to: unknown, text: string): Promise<{ messageIds: string[] }> {
    const id = this.ids.next('bot');
    this.lastAnswerId = id;
    this.write(`bot> ${indent(text)}`);
    return { messageIds: [id] };
  }

  async sendPrivate(_to: unknown, text: string): Promise<void> {
    this.write(`bot (only you)> ${indent(text)}`);
  }

  /** The terminal is the member's own: the file is printed whole after its note. */
  async sendPrivateFile(_to: unknown, file: PrivateFile): Promise<void> {
    this.write(`bot (only you)> ${indent(file.note)} (${file.name} follows)\n${file.content}`);
  }

  async react(_to: unknown, emoji: string): Promise<void> {
    this.write(`bot reacted ${emoji} to your message`);
  }

  async typing(): Promise<() => Promise<void>> {
    this.write('bot is thinking…');
    return async () => undefined;
  }
}

