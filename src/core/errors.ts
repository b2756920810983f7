export { EmbeddingMismatchError } from '../shared/errors.js';

/**
 * Codes for failures of the language model, so callers can tell the member what happened.
 * `MODEL_NO_ANSWER`: the server answered fine but the agent got no final answer out of the model.
 * `MODEL_CONTEXT_TOO_LONG`: the server refused a prompt longer than its context.
 */
export type ModelErrorCode =
  | 'MODEL_UNREACHABLE'
  | 'MODEL_UNAUTHORISED'
  | 'MODEL_MISSING'
  | 'MODEL_RATE_LIMITED'
  | 'MODEL_CONTEXT_TOO_LONG'
  | 'MODEL_TIMEOUT'
  | 'MODEL_BAD_RESPONSE'
  | 'MODEL_ABORTED'
  | 'MODEL_NO_ANSWER';

/** A model call failed; `code` says how, `model` which model. */
export class ModelError extends Error {
  /** For `MODEL_RATE_LIMITED`: how long the server asked to wait, when it said. */
  readonly retryAfterMs?: number;

  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly model: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = 'ModelError';
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** A prompt file is missing or does not have the placeholders the code fills in. */
export class PromptError extends Error {
  readonly code = 'PROMPT_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'PromptError';
  }
}
