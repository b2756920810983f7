/** Test-time alignment (PersonaAgent, Algorithm 1): one file per step under alignment/. */
export { Aligner, type AlignerDeps, type AlignmentSettings } from './alignment/aligner.js';
export type { FeedbackMode } from './alignment/feedback-step.js';
export { batchAfterMissing, missingFigure, notMeasured, versionBatchAfterMissing } from './alignment/batch-after.js';
export { formatReport, tally, type AlignmentReport } from './alignment/report.js';
export { isLabel, normalise } from './alignment/validation.js';
