/** Why an analysis input was refused. */
export type AnalysisErrorCode = 'ANALYSIS_BAD_VECTORS' | 'ANALYSIS_BAD_CHART';

/** Input that an analysis function cannot use; the message says what was wrong and where. */
export class AnalysisError extends Error {
  constructor(
    readonly code: AnalysisErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AnalysisError';
  }
}
