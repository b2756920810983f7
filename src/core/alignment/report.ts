import type { StructuredTally } from '../structured.js';
import { missingFigure } from './batch-after.js';
import { steps, type Step } from './run-context.js';
import type { Figure } from './validation.js';

/** What happened to one member in one run. */
export interface AlignmentReport {
  memberId: number;
  /** `platform:workspace:user` */
  member: string;
  outcome: 'accepted' | 'rejected' | 'failed' | 'skipped';
  reason: string;
  modelCalls: number;
  /** The model calls per step of Algorithm 1. */
  calls: Record<Step, number>;
  /** Structured answers (judge, rewrite) mended by the client, asked again, or given up on. */
  structured: StructuredTally;
  ms: number;
  personaVersionId?: number;
  /** Agreement on the batch the rewrite was made from, before and after (when measured). */
  scoreBefore?: number;
  scoreAfter?: number;
  /** Agreement on labelled questions held out of the batch, before and after. */
  heldOutBefore?: number;
  heldOutAfter?: number;
  /** Why there is no `scoreAfter` (see `batchAfterMissing`), when there is none. */
  scoreAfterMissing?: string;
}

/** The report fields of a gate's figures. */
export function figureFields(figures: { heldOut: Figure | null; batch: Figure } | null): Partial<AlignmentReport> {
  if (!figures) return {};
  const fields: Partial<AlignmentReport> = {};
  if (figures.batch.before !== null) fields.scoreBefore = figures.batch.before;
  if (figures.batch.after !== null) fields.scoreAfter = figures.batch.after;
  if (figures.heldOut?.before != null) fields.heldOutBefore = figures.heldOut.before;
  if (figures.heldOut?.after != null) fields.heldOutAfter = figures.heldOut.after;
  return fields;
}

/** How many members ended each way, and the model calls the run made. */
export function tally(reports: AlignmentReport[]): Record<AlignmentReport['outcome'], number> & { modelCalls: number } {
  const count = (outcome: AlignmentReport['outcome']) => reports.filter((report) => report.outcome === outcome).length;
  return { accepted: count('accepted'), rejected: count('rejected'), failed: count('failed'), skipped: count('skipped'), modelCalls: reports.reduce((sum, report) => sum + report.modelCalls, 0) };
}

/** One line per member for the CLI and the logs, with the model calls of each step. */
export function formatReport(report: AlignmentReport): string {
  const perStep = steps.map((step) => `${step} ${report.calls[step]}`).join(', ');
  const seconds = (report.ms / 1000).toFixed(1);
  return `${report.member}: ${report.outcome} (${withFigures(report.reason, report)}); ${report.modelCalls} model calls (${perStep}), ${seconds} s`;
}

/** `reason, held out 0.00 → 1.00, batch 0.33 → not measured (why)`: the reason with the figures, and why one is missing. */
export function withFigures(reason: string, fields: Partial<AlignmentReport>): string {
  const label = fields.heldOutBefore === undefined ? 'score' : 'batch';
  const batch = fields.scoreAfterMissing ? `${label} ${missingFigure(fields.scoreBefore)} (${fields.scoreAfterMissing})` : pair(label, fields.scoreBefore, fields.scoreAfter);
  return [reason, pair('held out', fields.heldOutBefore, fields.heldOutAfter), batch].filter(Boolean).join(', ');
}

function pair(label: string, before: number | undefined, after: number | undefined): string {
  if (before === undefined && after === undefined) return '';
  const show = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));
  return `${label} ${show(before)} → ${show(after)}`;
}
