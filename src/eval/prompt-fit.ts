import { assembleAnswerPrompt, type Trim } from '../core/answer-prompt.js';
import { answerReserve, fitFields, TokenCounter } from '../core/context-budget.js';
import type { ModelMessage } from '../core/ports.js';

/**
 * Token estimates that never learn from the server's counts: a prompt is always fitted the same way,
 * so a resumed run sends what an uninterrupted one would (and its cached answers still match). The raw
 * estimate counts three characters a token, more than real tokenizers do, so it errs on the safe side.
 */
export class FixedTokenCounter extends TokenCounter {
  override observe(): void {}
}

/** A one-message prompt fitted to the context, and what had to be left out (empty when nothing was). */
export interface FittedPrompt {
  content: string;
  /** Ranked items kept (memories, best first). */
  kept: number;
  trimmed: string[];
}

/** How a one-message prompt is built: its fields, and a count of ranked items it may show fewer of. */
export interface PromptShape {
  /** Renders the prompt with these field values and the first `kept` ranked items. */
  render: (fields: Record<string, string>, kept: number) => string;
  fields: Record<string, string>;
  /** How many ranked items there are, and what they are called in the record ("memories"). */
  ranked?: { count: number; name: string };
  /** Fields cut (evenly, longest first, keeping their beginning) once no ranked item is left to drop. */
  shrinkable?: string[];
}

/**
 * Fits the baselines' prompts to the context the model runs with, as the answer path does for the
 * agent: the question is never cut; ranked items go first (lowest-ranked first), then the shrinkable
 * fields. A prompt whose fixed part alone does not fit throws ContextTooSmallError.
 */
export class PromptFitter {
  constructor(
    private readonly model: { contextTokens: number },
    readonly counter: TokenCounter = new FixedTokenCounter(),
  ) {}

  /** A single user message under `system`, fitted. */
  message(system: string, shape: PromptShape): FittedPrompt {
    const budget = this.budget(system);
    const total = shape.ranked?.count ?? 0;
    let kept = total;
    while (kept > 0 && this.counter.text(shape.render(shape.fields, kept)) > budget) kept -= 1;
    const dropped = total - kept === 0 ? [] : [`${total - kept} of ${total} ${shape.ranked!.name}`];
    const text = shape.render(shape.fields, kept);
    if (this.counter.text(text) <= budget) return { content: text, kept, trimmed: dropped };
    const fitted = fitFields(this.counter, (fields) => shape.render(fields, 0), shape.fields, shape.shrinkable ?? [], budget);
    return { content: fitted.text, kept: 0, trimmed: [...dropped, ...fitted.clipped] };
  }

  /** ICL: worked examples (user/assistant pairs, oldest first) before the question; the oldest are dropped first. */
  examples(system: string, examples: ModelMessage[], question: string): { messages: ModelMessage[]; kept: number; trimmed: string[] } {
    const { messages, trimmed } = assembleAnswerPrompt({ system, tools: [], question, history: examples, steps: [] }, this.counter, this.model.contextTokens);
    const total = examples.length / 2;
    return { messages, kept: total - trimmed.historyTurns, trimmed: trimmed.historyTurns > 0 ? [`${trimmed.historyTurns} of ${total} examples`] : [] };
  }

  private budget(system: string): number {
    const context = this.model.contextTokens;
    return context - answerReserve(context) - this.counter.request(system, [{ role: 'user', content: '' }]);
  }
}

/** What the agent's context budget left out of an answer, in the record's words. */
export function describeTrim(trim: Trim): string[] {
  const parts: Array<[number, string]> = [
    [trim.memories, 'memories'],
    [trim.historyTurns, 'earlier turns'],
    [trim.stepsClipped, 'tool results cut'],
    [trim.fileChars ?? 0, 'file characters'],
  ];
  return parts.filter(([count]) => count > 0).map(([count, name]) => `${count} ${name}`);
}
