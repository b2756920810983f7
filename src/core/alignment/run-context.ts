import type { LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import type { AlignmentRecords } from '../../memory/alignment-records.js';
import type { Agent } from '../agent.js';
import type { LanguageModel } from '../ports.js';
import type { Prompts } from '../prompts.js';
import type { StructuredTally } from '../structured.js';

/** The steps of Algorithm 1 that call the model, as `align` reports them. */
export const steps = ['profile', 'replay', 'feedback', 'rewrite', 'judge'] as const;

/** One of `steps`. */
export type Step = (typeof steps)[number];

/** Model calls of one member's run, per step. */
export class Calls {
  readonly byStep: Record<Step, number> = { profile: 0, replay: 0, feedback: 0, rewrite: 0, judge: 0 };

  /** Counts `calls` model calls made by `step`. */
  add(step: Step, calls: number): void {
    this.byStep[step] += calls;
  }

  /** All model calls of the run. */
  get total(): number {
    return steps.reduce((sum, step) => sum + this.byStep[step], 0);
  }
}

/** What every step of one member's run needs: the model and prompts, the member, the call counter. */
export interface RunContext {
  memberId: number;
  model: LanguageModel;
  prompts: Prompts;
  agent: Agent;
  records: AlignmentRecords;
  logger: Logger;
  temperature: number;
  /** Bounds model calls in flight across all members of a run. */
  limit: LimitFunction;
  calls: Calls;
  /** How the run's structured answers (judge, rewrite) went. */
  structured: StructuredTally;
  signal?: AbortSignal;
}
