import type { AnswerStream } from '../../src/core/ports.js';

/** How the terminal is written to: whole lines, or raw text as it comes. */
export interface Terminal {
  line(text: string): void;
  raw(text: string): void;
}

/** Continuation lines of an answer line up under its first line. */
export function indent(text: string): string {
  return text.replace(/\n/g, '\n     ');
}

/**
 * An answer printed as the model writes it: `bot> ` and then each piece of text as it arrives.
 * A status is one quiet line in brackets; text the model takes back is marked, not erased.
 */
export class ConsoleAnswerStream implements AnswerStream {
  private open = false;
  private shown = '';
  private lastStatus = '';
  private id: string | null = null;

  constructor(
    private readonly terminal: Terminal,
    private readonly post: () => string,
    private readonly onPosted: (messageId: string) => void,
    private readonly prompt: () => string = () => 'bot> ',
  ) {}

  status(text: string): void {
    if (this.open || text === this.lastStatus) return;
    this.lastStatus = text;
    this.posted();
    this.terminal.line(`     (${text})`);
  }

  append(text: string): void {
    this.posted();
    if (!this.open) this.terminal.raw(this.prompt());
    this.open = true;
    this.shown += text;
    this.terminal.raw(indent(text));
  }

  retract(): void {
    if (!this.open) return;
    this.terminal.line('');
    this.terminal.line('     (…the bot went to look something up)');
    this.open = false;
    this.shown = '';
  }

  async finish(text: string): Promise<{ messageIds: string[] }> {
    if (this.open) {
      // The stored answer is the final text; what streamed may differ in trailing space only.
      if (!text.startsWith(this.shown)) this.terminal.raw(`\n     ${indent(text)}`);
      this.terminal.line('');
    } else if (text !== '') {
      this.posted();
      this.terminal.line(`${this.prompt()}${indent(text)}`);
    }
    this.open = false;
    return { messageIds: this.id ? [this.id] : [] };
  }

  async fail(text: string, note: string): Promise<{ messageIds: string[] }> {
    if (this.open) {
      this.terminal.line('');
      this.terminal.line(`     ${indent(note)}`);
      this.open = false;
      return { messageIds: this.id ? [this.id] : [] };
    }
    return this.finish(text.trim() === '' ? note : `${text}\n\n${note}`);
  }

  private posted(): void {
    if (this.id) return;
    this.id = this.post();
    this.onPosted(this.id);
  }
}
