import type { VersionValidation } from '../../memory/alignment-records.js';
import type { PersonaVersion } from '../../memory/records.js';

/**
 * Why a rewrite has no batch score "after", in words, wherever that score would be shown (the run's
 * report, `/persona`, the dashboard): a missing figure is explained, never left blank.
 */
export const batchAfterMissing = {
  heldOut: 'the new persona answered only the held-out questions, which saves a model call per batch question',
  notReplayed: 'the rewrite was rejected before it answered any question',
  unscored: 'the judge could not score the answers',
  notValidated: 'it went live without a replay, with ALIGN_VALIDATE=false',
  noBatch: 'there were no labelled answers to learn from',
} as const;

/** What a missing batch score reads as. */
export const notMeasured = 'not measured';

/** Why a stored version has no batch score after its rewrite; null when it has one or was not written by alignment. */
export function versionBatchAfterMissing(version: PersonaVersion, validation: VersionValidation | undefined): string | null {
  if (version.reason !== 'aligned' || version.scoreAfter !== null) return null;
  if (!validation) return batchAfterMissing.notValidated;
  return validation.heldOutBefore !== null ? batchAfterMissing.heldOut : batchAfterMissing.unscored;
}

/** `0.33 → not measured` / `not measured`: the batch figures of a version whose "after" is missing. */
export function missingFigure(before: number | null | undefined): string {
  return before === null || before === undefined ? notMeasured : `${before.toFixed(2)} → ${notMeasured}`;
}
