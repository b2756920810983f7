/** Characters that may open a tool call or a thinking block written as text; such a turn is held back whole. */
const HOLD_BACK = /^[{[<`]/;

/**
 * Passes a model's streamed text on as it comes, except a turn that opens like a tool call or a
 * thinking block written as text (`{`, `[`, `<`, a code fence): that is held until the turn ends,
 * so it never flashes up in front of the member.
 */
export class TextRelay {
  private pending = '';
  private mode: 'undecided' | 'relay' | 'hold' = 'undecided';
  /** Whether any text has been passed on. */
  shown = false;

  constructor(private readonly emit: (delta: string) => void) {}

  /** Takes the next piece of streamed text. */
  push(delta: string): void {
    if (this.mode === 'relay') return this.pass(delta);
    this.pending += delta;
    if (this.mode === 'hold') return;
    const start = this.pending.trimStart();
    if (start === '') return;
    this.mode = HOLD_BACK.test(start) ? 'hold' : 'relay';
    if (this.mode === 'relay') {
      const text = this.pending;
      this.pending = '';
      this.pass(text);
    }
  }

  /** What was passed on is taken back: the turn starts over. */
  reset(): void {
    this.pending = '';
    this.mode = 'undecided';
    this.shown = false;
  }

  /** The turn ended as an answer: pass on whatever was held. */
  end(): void {
    if (this.pending.trim() !== '') this.pass(this.pending);
    this.pending = '';
  }

  private pass(text: string): void {
    if (!this.shown) text = text.trimStart();
    if (text === '') return;
    this.shown = true;
    this.emit(text);
  }
}
