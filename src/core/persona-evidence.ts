import type { VersionValidation } from '../memory/alignment-records.js';
import type { VersionApproval } from '../memory/approval.js';
import type { PersonaVersion } from '../memory/records.js';
import { missingFigure, notMeasured, versionBatchAfterMissing } from './alignment.js';
import { compareRates, formatRate, wilsonInterval } from './approval.js';

/**
 * What members' reactions say about the current version and the one before it, and a one-line
 * verdict only when their 95% intervals do not overlap. `approvals` is newest first.
 */
export function approvalLines(approvals: VersionApproval[]): string[] {
  const [current, previous] = approvals;
  if (!current) return [];
  const shown = [current, previous].filter((item): item is VersionApproval => item !== undefined);
  const lines = [`How your answers were received: ${shown.map(describeApproval).join('; ')}.`];
  const verdict = previous ? compareRates(rateOf(current), rateOf(previous)) : null;
  if (verdict && previous) lines.push(`Version ${current.number} is doing ${verdict} than version ${previous.number} (their 95% intervals do not overlap).`);
  return lines;
}

/** `version 4: 7 of 9 approved, 78% (95% interval 45–94%)` */
export function describeApproval(approval: VersionApproval): string {
  const name = `version ${approval.number}`;
  if (approval.answers === 0) return `${name}: no answers yet`;
  const rate = rateOf(approval);
  if (!rate) return `${name}: ${approval.answers} answer${approval.answers === 1 ? '' : 's'}, none labelled yet`;
  return `${name}: ${approval.approved} of ${approval.labelled} approved, ${formatRate(rate)}`;
}

/** How a version was checked before it went live, in one line, with why a figure is missing; empty for a version not written by alignment. */
export function checkLine(version: PersonaVersion, validation: VersionValidation | undefined): string {
  const heldOut = validation && validation.heldOutBefore !== null && validation.heldOutAfter !== null ? validation : null;
  const missing = versionBatchAfterMissing(version, validation);
  const batchCount = version.batchIds.length;
  if (heldOut) {
    const count = heldOut.heldOutIds.length;
    const batch = missing ? batchMissing(version, missing) : `; on the ${batchCount} it was written from: ${fmt(version.scoreBefore!)} → ${fmt(version.scoreAfter!)}`;
    return `Before it went live it was checked on ${count} labelled question${count === 1 ? '' : 's'} it was not written from: ${fmt(heldOut.heldOutBefore!)} → ${fmt(heldOut.heldOutAfter!)} (out of 1)${batch}.`;
  }
  if (missing) return `Its score on the ${batchCount} question${batchCount === 1 ? '' : 's'} it was written from was ${notMeasured}: ${missing}.`;
  if (version.scoreBefore !== null && version.scoreAfter !== null) return `Before it went live it was checked only on the questions it was written from${validation?.note ? ` (${validation.note})` : ''}: ${fmt(version.scoreBefore)} → ${fmt(version.scoreAfter)} (out of 1).`;
  return '';
}

function batchMissing(version: PersonaVersion, why: string): string {
  const old = version.scoreBefore === null ? '' : ` the old one scored ${fmt(version.scoreBefore)}, and`;
  return `; on the ${version.batchIds.length} it was written from${old} the new one was ${notMeasured} (${why})`;
}

/** ` · held out 0.33 → 1.00 · batch 0.00 → 1.00` (or `→ not measured (why)`), for the history. */
export function scoreFigures(version: PersonaVersion, validation: VersionValidation | undefined): string {
  const parts: string[] = [];
  if (validation && validation.heldOutBefore !== null && validation.heldOutAfter !== null) parts.push(`held out ${fmt(validation.heldOutBefore)} → ${fmt(validation.heldOutAfter)}`);
  const missing = versionBatchAfterMissing(version, validation);
  if (missing) parts.push(`batch ${missingFigure(version.scoreBefore)} (${missing})`);
  else if (version.scoreBefore !== null && version.scoreAfter !== null) parts.push(`batch ${fmt(version.scoreBefore)} → ${fmt(version.scoreAfter)}`);
  return parts.map((part) => ` · ${part}`).join('');
}

function rateOf(approval: VersionApproval) {
  return wilsonInterval(approval.approved, approval.labelled);
}

function fmt(score: number): string {
  return score.toFixed(2);
}
