import type { AnswerMeasurement } from '../memory/answer-measurements.js';
import { ModelError } from './errors.js';

/** An answer withdrawn on purpose (its question became a correction): nothing is sent or stored. */
export class CancelledAnswer extends Error {
  readonly code = 'ANSWER_CANCELLED';
  constructor() {
    super('The answer was cancelled.');
    this.name = 'CancelledAnswer';
  }
}

/** When an answer's steps happened, for the dashboard's figures. */
export class AnswerClock {
  private readonly arrived = Date.now();
  private gotModel: number | null = null;
  private firstText: number | null = null;
  cost: Pick<AnswerMeasurement, 'modelCalls' | 'promptTokens' | 'completionTokens'> = {};
  /** The question's embedding, once made. */
  vector: Float32Array | undefined;
  /** The answer is stored. */
  answered = false;

  started(): void {
    this.gotModel = Date.now();
  }

  text(): void {
    this.firstText ??= Date.now();
  }

  measurement(): AnswerMeasurement {
    const now = Date.now();
    return { ...this.cost, answerMs: now - this.arrived, waitMs: (this.gotModel ?? now) - this.arrived, firstTextMs: (this.firstText ?? now) - this.arrived };
  }
}

/** The text shown so far, with an optional lead-in before the model's words. */
export class Written {
  shown = '';
  constructor(readonly leadIn?: string) {}

  /** Adds the model's next words; returns what to append to the stream (the lead-in comes first). */
  add(delta: string): string {
    const lead = this.shown === '' && this.leadIn ? `${this.leadIn}\n\n` : '';
    this.shown += lead + delta;
    return lead + delta;
  }

  retract(): void {
    this.shown = '';
  }

  /** The whole message: the lead-in, then the stored answer. */
  final(answer: string): string {
    return this.leadIn ? `${this.leadIn}\n\n${answer}` : answer;
  }
}

export function modelCode(error: unknown): ModelError['code'] | null {
  if (error instanceof ModelError) return error.code;
  const name = (error as Error | undefined)?.name;
  if (name === 'TimeoutError') return 'MODEL_TIMEOUT';
  if (name === 'AbortError') return 'MODEL_ABORTED';
  return null;
}
