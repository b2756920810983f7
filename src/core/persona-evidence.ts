import type { VersionValidation } from '../memory/alignment-records.js';
import type { VersionApproval } from '../memory/approval.js';
import type { PersonaVersion } from '../memory/records.js';
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

/** How a version was checked before it went live, in one line; empty when it was not checked. */
export function checkLine(version: PersonaVersion, validation: VersionValidation | undefined): string {
  const heldOut = validation && validation.heldOutBefore !== null && validation.heldOutAfter !== null ? validation : null;
  const batch = version.scoreBefore !== null && version.scoreAfter !== null ? `; on the ${version.batchIds.length} it was written from: ${fmt(version.scoreBefore)} → ${fmt(version.scoreAfter)}` : '';
  if (heldOut) {
    const count = heldOut.heldOutIds.length;
    return `Before it went live it was checked on ${count} labelled question${count === 1 ? '' : 's'} it was not written from: ${fmt(heldOut.heldOutBefore!)} → ${fmt(heldOut.heldOutAfter!)} (out of 1)${batch}.`;
  }
  if (batch) return `Before it went live it was checked only on the questions it was written from${validation?.note ? ` (${validation.note})` : ''}: ${fmt(version.scoreBefore!)} → ${fmt(version.scoreAfter!)} (out of 1).`;
  return '';
}

/** ` · held out 0.33 → 1.00 · batch 0.00 → 1.00`, for the history. */
export function scoreFigures(version: PersonaVersion, validation: VersionValidation | undefined): string {
  const parts: string[] = [];
  if (validation && validation.heldOutBefore !== null && validation.heldOutAfter !== null) parts.push(`held out ${fmt(validation.heldOutBefore)} → ${fmt(validation.heldOutAfter)}`);
  if (version.scoreBefore !== null && version.scoreAfter !== null) parts.push(`batch ${fmt(version.scoreBefore)} → ${fmt(version.scoreAfter)}`);
  return parts.map((part) => ` · ${part}`).join('');
}

function rateOf(approval: VersionApproval) {
  return wilsonInterval(approval.approved, approval.labelled);
}

function fmt(score: number): string {
  return score.toFixed(2);
}
