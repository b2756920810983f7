import type { ChatRequest, ChatResult } from '../core/ports.js';
import { answerSpan, partialTagLength } from './thinking.js';

/** What a client knows (from settings) or learns (from replies) about how its model writes, across calls. */
export interface ModelHabits {
  /**
   * The model's thinking comes in its text and may end with a lone `</think>` (its template opened
   * it): text is held until that tag, unless the server sends the thinking apart.
   */
  closesThinkingOnly: boolean;
  /**
   * Whether the model writes a lone `</think>` is known: said by the settings or the server, or seen
   * in a streamed reply read to its end. Until then a reply is held as if it did.
   */
  known: boolean;
}

/**
 * Where a tool call written as text (or code that may be one, or JSON that may end the reply as a
 * call) or a thinking block in the middle of the answer begins: text from here on is held back.
 */
const HOLD_MARKER = /<tool_call>|<function=|<\|python_tag\|>|<think>|```|\{\s*["']|\[\s*\{/;
const MARKER_TEXTS = ['<tool_call>', '<function=', '<|python_tag|>', '<think>', '```'];
/** Longest marker text; a possible marker still being written sits within this many characters of the end. */
const MARKER_REACH = 16;
const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Passes a streamed reply on as answer text only: thinking is left out (whichever form it takes, and
 * wherever a `<think>` block sits), and from where a tool call written as text may begin the text
 * waits for the end of the turn. When the turn ends, what is still missing of the final answer is
 * passed on; text shown by mistake (thinking whose closing tag came late) is taken back through `onRetract`.
 */
export class ReplyStream {
  private raw = '';
  /** Where the answer begins in `raw`; `cursor` is how far it has been read (shown, or left out as thinking). */
  private from = -1;
  private cursor = -1;
  /** Where the text being read now began: the answer's start, or the end of a `<think>` block left out. */
  private segment = -1;
  /** What has been passed on since `from`. */
  private shown = '';
  /** The server sends thinking in a field of its own, so the text holds none. */
  private separated = false;
  /** A thinking tag (`<think>` or `</think>`) has come in the text. */
  private tagged = false;

  constructor(
    private readonly request: Pick<ChatRequest, 'onText' | 'onRetract'>,
    private readonly habits: ModelHabits,
  ) {}

  /** Takes the next piece of the reply's content as the server sent it. */
  push(delta: string): void {
    // Only the new text (and the few characters a tag may straddle) is searched for one.
    const tail = Math.max(0, this.raw.length - CLOSE.length);
    this.raw += delta;
    this.tagged ||= this.raw.includes('think>', tail);
    if (this.tagged && !this.habits.closesThinkingOnly && this.raw.includes(CLOSE) && !this.raw.includes(OPEN)) this.habits.closesThinkingOnly = true;
    const closesOnly = (this.habits.closesThinkingOnly || !this.habits.known) && !this.separated;
    if (closesOnly && !this.tagged) return;
    // Text without a thinking tag keeps the start it was given: the whole reply need not be searched again.
    const span = this.tagged || this.from < 0 ? answerSpan(this.raw, closesOnly) : { start: this.from, end: this.raw.length - partialTagLength(this.raw, CLOSE) };
    if (!span) return;
    let start = span.start;
    while (start < span.end && /\s/.test(this.raw[start]!)) start += 1;
    if (start === span.end) return;
    if (start !== this.from) {
      // The answer begins somewhere else than thought (thinking whose end came late): what was shown goes.
      if (this.shown !== '') this.request.onRetract?.();
      this.from = this.cursor = this.segment = start;
      this.shown = '';
    }
    this.read(span.end);
  }

  /** The server sent thinking in its own field (`reasoning_content`, `reasoning`, Ollama's `thinking`): the text is answer only. */
  reasoning(): void {
    if (this.separated) return;
    this.separated = true;
    this.push('');
  }

  /** The reply is complete and cleaned: show the rest of its answer (a tool call is the agent's to take back). */
  end(result: ChatResult): void {
    // A reply without text (a call from the tool-call field) says nothing of how the model writes.
    if (this.raw.trim() !== '' || this.separated) this.habits.known = true;
    if (result.toolCalls.length > 0 || result.toolCallProblem) return;
    const final = result.content.trimStart();
    if (final.startsWith(this.shown)) return this.emit(final.slice(this.shown.length));
    // Space trimmed from the end of the final answer is not a change of mind.
    if (this.shown.startsWith(final) && this.shown.slice(final.length).trim() === '') return;
    if (this.shown !== '') this.request.onRetract?.();
    this.shown = '';
    this.emit(final);
  }

  /** Passes on the answer up to `limit`, up to the first thing that must wait; a closed `<think>` block there is left out. */
  private read(limit: number): void {
    for (;;) {
      // After a block left out, space on both sides of it would double: one side is enough (as stripThinking keeps it).
      if (this.cursor === this.segment && this.segment !== this.from && /\s$/.test(this.shown)) {
        while (this.cursor < limit && /\s/.test(this.raw[this.cursor]!)) this.cursor += 1;
        this.segment = this.cursor;
      }
      // What was shown holds no marker, so only its last few characters and the new text are searched.
      const to = heldFrom(this.raw, this.segment, limit, Math.max(this.segment, this.cursor - MARKER_REACH));
      if (to > this.cursor) {
        this.emit(this.raw.slice(this.cursor, to));
        this.cursor = to;
      }
      if (!this.raw.startsWith(OPEN, this.cursor)) return;
      const close = this.raw.indexOf(CLOSE, this.cursor);
      if (close < 0) return;
      this.cursor = this.segment = close + CLOSE.length;
    }
  }

  private emit(text: string): void {
    if (text === '') return;
    this.shown += text;
    this.request.onText?.(text);
  }
}

/**
 * Where text must wait in `raw[start, limit)`: at the first thing (searched from `from`) that may be a
 * tool call written as text or a thinking block, or at a marker still being written at the end; `limit` when there is none.
 */
function heldFrom(raw: string, start: number, limit: number, from: number): number {
  const search = new RegExp(HOLD_MARKER.source, 'g');
  search.lastIndex = from;
  const marker = search.exec(raw);
  const end = marker && marker.index < limit ? marker.index : limit;
  for (let index = Math.max(start, end - MARKER_REACH); index < end; index += 1) {
    if ('<`{['.includes(raw[index]!) && mayBecomeMarker(raw.slice(index, end))) return index;
  }
  return end;
}

function mayBecomeMarker(tail: string): boolean {
  return MARKER_TEXTS.some((marker) => marker.startsWith(tail)) || /^[{[]\s*$/.test(tail);
}
