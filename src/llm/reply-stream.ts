import type { ChatRequest, ChatResult } from '../core/ports.js';
import { visibleAnswer } from './thinking.js';

/** What a client knows (from settings) or learns (from replies) about how its model writes, across calls. */
export interface ModelHabits {
  /**
   * The model's thinking comes in its text and may end with a lone `</think>` (its template opened
   * it): text is held until that tag, unless the server sends the thinking apart.
   */
  closesThinkingOnly: boolean;
}

/** Where a tool call written as text (or code that may be one) begins: text from here on waits for the turn to end. */
const CALL_MARKER = /<tool_call>|<function=|<\|python_tag\|>|```|\{\s*"|\[\s*\{/;
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
  private shown = '';
  /** The server sends thinking in a field of its own, so the text holds none. */
  private separated = false;

  constructor(
    private readonly request: Pick<ChatRequest, 'onText' | 'onRetract'>,
    private readonly habits: ModelHabits,
  ) {}

  /** Takes the next piece of the reply's content as the server sent it. */
  push(delta: string): void {
    this.raw += delta;
    if (!this.habits.closesThinkingOnly && /<\/think>/.test(this.raw) && !/<think>/.test(this.raw)) this.habits.closesThinkingOnly = true;
    this.show(holdBack(visibleAnswer(this.raw, this.habits.closesThinkingOnly && !this.separated)), false);
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
    this.show(result.content, true);
  }

  private show(text: string, final: boolean): void {
    // Space before the answer is never shown, so it cannot make the final text look like a change of mind.
    const visible = text.trimStart();
    if (visible.startsWith(this.shown)) {
      this.emit(visible.slice(this.shown.length));
      this.shown = visible;
      return;
    }
    // Held text and trailing space trimmed from the final answer are not a change of mind.
    if (this.shown.startsWith(visible) && (!final || this.shown.slice(visible.length).trim() === '')) return;
    if (this.shown !== '') this.request.onRetract?.();
    this.shown = '';
    this.show(visible, final);
  }

  private emit(text: string): void {
    if (text !== '') this.request.onText?.(text);
  }
}

/** The text before anything that may be a tool call written as text, or a marker still being written. */
function holdBack(text: string): string {
  const marker = CALL_MARKER.exec(text);
  const before = marker ? text.slice(0, marker.index) : text;
  for (let index = Math.max(0, before.length - MARKER_REACH); index < before.length; index += 1) {
    if ('<`{['.includes(before[index]!) && mayBecomeMarker(before.slice(index))) return before.slice(0, index);
  }
  return before;
}

function mayBecomeMarker(tail: string): boolean {
  return MARKER_TEXTS.some((marker) => marker.startsWith(tail)) || /^[{[]\s*$/.test(tail);
}
