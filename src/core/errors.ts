export { EmbeddingMismatchError } from '../shared/errors.js';

/**
 * Codes for failures of the language model, so callers can tell the member what happened.
 * `MODEL_NO_ANSWER`: Ollama answered fine but the agent got no final answer out of the model.
 */
export type ModelErrorCode = 'MODEL_UNREACHABLE' | 'MODEL_MISSING' | 'MODEL_TIMEOUT' | 'MODEL_BAD_RESPONSE' | 'MODEL_ABORTED' | 'MODEL_NO_ANSWER';

/** A model call failed; `code` says how, `model` which model. */
export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly model: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelError';
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
