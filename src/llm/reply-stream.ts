import type { ChatRequest, ChatResult } from '../core/ports.js';
import { answerSpan } from './thinking.js';

/** What a client knows (from settings) or learns (from replies) about how its model writes, across calls. */
export interface ModelHabits {
  /**
   * The model's thinking comes in its text and may end with a lone `</think>` (its template opened
   * it): text is held until that tag, unless the server sends the thinking apart.
   */
  closesThinkingOnly: boolean;
}

/**
 * Where a tool call written as text (or code that may be one, or JSON that may end the reply as a
 * call, its quotes double or single) begins: text from here on waits for the turn to end.
 */
const CALL_MARKER = /<tool_call>|<function=|<\|python_tag\|>|```|\{\s*["']|\[\s*\{/;
const MARKER_TEXTS = ['<tool_call>', '<function=', '<|python_tag|>', '```'];
/** Longest marker text; a possible marker still being written sits within this many characters of the end. */
const MARKER_REACH = 16;

/**
 * Passes a streamed reply on as answer text only: thinking is left out (whichever form it takes),
 * and from where a tool call written as text may begin the text waits for the end of the turn.
 * When the turn ends, what is still missing of the final answer is passed on; text shown by mistake
 * (thinking whose closing tag came late) is taken back through `onRetract`.
 */
export class ReplyStream {
  private raw = '';
  /** What is shown is `raw` from `from` to `to`: only these two move while the answer streams. */
  private from = -1;
  private to = -1;
  /** The server sends thinking in a field of its own, so the text holds none. */
  private separated = false;

  constructor(
    private readonly request: Pick<ChatRequest, 'onText' | 'onRetract'>,
    private readonly habits: ModelHabits,
  ) {}

  /** Takes the next piece of the reply's content as the server sent it. */
  push(delta: string): void {
    this.raw += delta;
    if (!this.habits.closesThinkingOnly && this.raw.includes('</think>') && !this.raw.includes('<think>')) this.habits.closesThinkingOnly = true;
    const span = answerSpan(this.raw, this.habits.closesThinkingOnly && !this.separated);
    if (!span) return;
    let start = span.start;
    while (start < span.end && /\s/.test(this.raw[start]!)) start += 1;
    if (start === span.end) return;
    if (start !== this.from) {
      // The answer begins somewhere else than thought (thinking whose end came late): what was shown goes.
      if (this.to > this.from) this.request.onRetract?.();
      this.from = start;
      this.to = start;
    }
    // What was shown holds no marker, so only its last few characters and the new text are searched.
    const to = heldFrom(this.raw, start, span.end, Math.max(start, this.to - MARKER_REACH));
    if (to > this.to) {
      this.emit(this.raw.slice(this.to, to));
      this.to = to;
    }
  }

  /** The server sent thinking in its own field (`reasoning_content`, `reasoning`, Ollama's `thinking`): the text is answer only. */
  reasoning(): void {
    if (this.separated) return;
    this.separated = true;
    this.push('');
  }

  /** The reply is complete and cleaned: show the rest of its answer (a tool call is the agent's to take back). */
  end(result: ChatResult): void {
    if (result.toolCalls.length > 0 || result.toolCallProblem) return;
    const final = result.content.trimStart();
    const shown = this.to > this.from ? this.raw.slice(this.from, this.to) : '';
    if (final.startsWith(shown)) return this.emit(final.slice(shown.length));
    // Space trimmed from the end of the final answer is not a change of mind.
    if (shown.startsWith(final) && shown.slice(final.length).trim() === '') return;
    if (shown !== '') this.request.onRetract?.();
    this.emit(final);
  }

  private emit(text: string): void {
    if (text !== '') this.request.onText?.(text);
  }
}

/**
 * Where text must wait in `raw[start, limit)`: at the first thing (searched from `from`) that may be a
 * tool call written as text, or at a marker still being written at the end; `limit` when there is none.
 */
function heldFrom(raw: string, start: number, limit: number, from: number): number {
  const search = new RegExp(CALL_MARKER.source, 'g');
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
