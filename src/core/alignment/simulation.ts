import type { AlignmentRecords, AnswerToKeep, StoredAnswer } from '../../memory/alignment-records.js';
import type { InteractionRecord } from '../../memory/records.js';
import { ModelError } from '../errors.js';
import type { RunContext } from './run-context.js';

/**
 * A persona during one run: its text, the stored version it is (if any), and its answers to the
 * labelled questions and their scores as far as they are known. What a stored version answered or
 * was scored on before is loaded, so the model is asked only for what is missing.
 */
export class Contender {
  /** r̂ by interaction id. */
  readonly answers = new Map<number, string>();
  /** Agreement with the ground truth (0–1) by interaction id; null when the judge could not score it. */
  readonly scores = new Map<number, number | null>();

  constructor(
    readonly text: string,
    readonly versionId?: number,
  ) {}

  /** A stored version, with its live answers and its stored answers and scores for `items`. */
  static stored(version: { id: number; text: string }, items: InteractionRecord[], records: AlignmentRecords): Contender {
    const contender = new Contender(version.text, version.id);
    const stored = records.answers(version.id, items);
    for (const item of items) contender.load(item, stored.get(item.id));
    return contender;
  }

  /** What it knows about these items, to keep for the next run. */
  known(items: InteractionRecord[]): AnswerToKeep[] {
    return items.flatMap((item) => {
      const answer = this.answers.get(item.id);
      if (answer === undefined) return [];
      const score = this.scores.get(item.id);
      return [{ interactionId: item.id, answer, truth: score === undefined ? null : item.groundTruth, score: score ?? null }];
    });
  }

  private load(item: InteractionRecord, stored: StoredAnswer | undefined): void {
    if (stored) {
      this.answers.set(item.id, stored.answer);
      // The store drops a score given on a ground truth that has changed since: an edited correction is scored again.
      if (stored.score !== null) this.scores.set(item.id, stored.score);
    } else if (item.personaVersionId === this.versionId && item.answer) {
      this.answers.set(item.id, item.answer);
    }
  }
}

/**
 * r̂_j: the contender's answer to each item it has not answered yet. The agent answers again with the
 * contender's persona, seeing only memories older than the item (never its own row or later ones).
 */
export async function simulate(ctx: RunContext, contender: Contender, items: InteractionRecord[]): Promise<void> {
  const missing = items.filter((item) => !contender.answers.has(item.id));
  await Promise.all(
    missing.map((item) =>
      ctx.limit(async () => {
        contender.answers.set(item.id, await replay(ctx, contender.text, item));
      }),
    ),
  );
}

async function replay(ctx: RunContext, persona: string, item: InteractionRecord): Promise<string> {
  try {
    const result = await ctx.agent.answer({ memberId: ctx.memberId, persona, question: item.question, beforeId: item.id, signal: ctx.signal });
    ctx.calls.add('replay', result.modelCalls);
    return result.answer;
  } catch (error) {
    // A model that rambles into no answer gave a bad answer; Ollama failing is a failed run.
    if (error instanceof ModelError && error.code === 'MODEL_NO_ANSWER') {
      ctx.calls.add('replay', 1);
      return '';
    }
    throw error;
  }
}
