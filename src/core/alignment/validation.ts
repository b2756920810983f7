import { z } from 'zod';
import { renderWithin } from '../context-budget.js';
import type { InteractionRecord } from '../../memory/records.js';
import { askStructured, StructuredAnswerError } from '../structured.js';
import type { AlignmentItems } from './batch-selection.js';
import type { RunContext } from './run-context.js';
import { simulate, type Contender } from './simulation.js';

/** Text this short is a label (a tag, a rating, a choice): compared by normalised match, not by a judge. */
const LABEL_MAX_CHARS = 40;
const LABEL_MAX_WORDS = 4;

/** Agreement before and after a rewrite on a set of questions (0–1 means), and on how many. */
export interface Figure {
  before: number | null;
  after: number | null;
  questions: number;
}

/** What the gate measured: on the held-out questions (when there were enough) and on the batch. */
export interface Figures {
  heldOut: Figure | null;
  batch: Figure;
}

/** The gate's decision on a candidate. */
export type Verdict = { accepted: true; figures: Figures } | { accepted: false; reason: string; figures: Figures | null };

/**
 * Replay before adopting: the candidate answers the held-out questions (the batch, when too few are
 * held out) and must agree with the member's answers at least as well as the current persona did. The
 * current persona's stored answers and scores are reused; what is left unscored of both personas goes
 * to the judge in one call. The batch figure is kept beside the held-out one, from what is already
 * answered: the candidate is not replayed on the batch, which would cost a model call per batch question.
 */
export async function validate(ctx: RunContext, current: Contender, candidate: Contender, items: AlignmentItems): Promise<Verdict> {
  const gateItems = items.heldOut.length > 0 ? items.heldOut : items.batch;
  await Promise.all([simulate(ctx, current, gateItems), simulate(ctx, candidate, gateItems)]);
  const all = [...items.heldOut, ...items.batch];
  await score(ctx, [current, candidate], all);
  const gate = compare(current, candidate, gateItems);
  if (!gate) return { accepted: false, reason: 'rewrite rejected: the answers could not be scored', figures: null };
  const batch = items.heldOut.length > 0 ? { before: mean(current, items.batch), after: mean(candidate, items.batch), questions: items.batch.length } : gate;
  const figures: Figures = { heldOut: items.heldOut.length > 0 ? gate : null, batch };
  if (gate.after! < gate.before!) {
    const where = figures.heldOut ? 'held-out questions' : 'batch';
    return { accepted: false, reason: `rewrite rejected: it scored worse on the ${where} (${gate.before!.toFixed(2)} → ${gate.after!.toFixed(2)})`, figures };
  }
  return { accepted: true, figures };
}

/**
 * Scores every item each contender answered and has no score for: exactly when the answer is the
 * ground truth or both are short labels, 0 for no answer, and the rest of all contenders in one judge call.
 */
export async function score(ctx: RunContext, contenders: Contender[], items: InteractionRecord[]): Promise<void> {
  const toJudge: Array<{ contender: Contender; item: InteractionRecord }> = [];
  for (const contender of contenders) {
    for (const item of items) {
      const answer = contender.answers.get(item.id);
      if (answer === undefined || contender.scores.has(item.id)) continue;
      const exact = exactScore(item.groundTruth ?? '', answer);
      if (exact === null) toJudge.push({ contender, item });
      else contender.scores.set(item.id, exact);
    }
  }
  if (toJudge.length === 0) return;
  const judged = await ctx.limit(() => judge(ctx, toJudge.map(({ contender, item }) => ({ question: item.question, expected: item.groundTruth ?? '', response: contender.answers.get(item.id)! }))));
  toJudge.forEach(({ contender, item }, index) => contender.scores.set(item.id, judged?.[index] ?? null));
}

/** The mean score before and after over the items scored on both sides; null when there are none. */
export function compare(before: Contender, after: Contender, items: InteractionRecord[]): Figure | null {
  const both = items.filter((item) => typeof before.scores.get(item.id) === 'number' && typeof after.scores.get(item.id) === 'number');
  if (both.length === 0) return null;
  return { before: mean(before, both), after: mean(after, both), questions: both.length };
}

/** The contender's mean score over the items it has a score for; null when none. */
function mean(contender: Contender, items: InteractionRecord[]): number | null {
  const scores = items.map((item) => contender.scores.get(item.id)).filter((value): value is number => typeof value === 'number');
  return scores.length === 0 ? null : scores.reduce((sum, value) => sum + value, 0) / scores.length;
}

function exactScore(truth: string, answer: string): number | null {
  if (answer.trim() === '') return 0;
  if (normalise(answer) === normalise(truth)) return 1;
  return isLabel(truth) && isLabel(answer) ? 0 : null;
}

/** The judge's 0–10 per item, scaled to 0–1; null when the model cannot give a valid list twice. */
async function judge(ctx: RunContext, items: Array<{ question: string; expected: string; response: string }>): Promise<number[] | null> {
  // Each item gets an equal share of the context; a long answer or correction keeps its beginning.
  const share = 0.8 / Math.max(1, items.length);
  const rendered = items.map((item, index) => renderWithin(ctx.model, (values) => ctx.prompts.render('judge-item', values), { number: String(index + 1), ...item }, ['response', 'expected', 'question'], share));
  const prompt = ctx.prompts.render('judge', { count: String(items.length), items: rendered.join('\n\n') });
  const schema = z.object({ scores: z.array(z.number().int().min(0).max(10)).length(items.length) });
  try {
    const { value, modelCalls } = await askStructured({ model: ctx.model, prompts: ctx.prompts, prompt, schema, temperature: 0, signal: ctx.signal, tally: ctx.structured });
    ctx.calls.add('judge', modelCalls);
    return value.scores.map((score) => score / 10);
  } catch (error) {
    if (!(error instanceof StructuredAnswerError)) throw error;
    ctx.calls.add('judge', error.modelCalls);
    ctx.logger.warn({ modelCalls: error.modelCalls, items: items.length }, 'judge answer unusable; items not scored');
    return null;
  }
}

/** A short ground truth such as a tag, a rating or a choice. */
export function isLabel(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length > 0 && trimmed.length <= LABEL_MAX_CHARS && trimmed.split(/\s+/).length <= LABEL_MAX_WORDS;
}

/** Case, surrounding punctuation and spacing do not count when comparing labels. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s]+/g, ' ')
    .trim()
    .replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '');
}
