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

/** The stored embedding space no longer matches the configured embedding model. */
export class EmbeddingMismatchError extends Error {
  readonly code = 'EMBEDDING_MISMATCH';
  constructor(
    readonly stored: { model: string; dimension: number | null },
    readonly configured: { model: string; dimension: number | null },
  ) {
    super(
      `The memory was embedded with ${stored.model}${stored.dimension ? ` (${stored.dimension} dimensions)` : ''}, ` +
        `but OLLAMA_EMBED_MODEL is ${configured.model}${configured.dimension ? ` (${configured.dimension} dimensions)` : ''}. ` +
        'Run `npm run cli -- reembed` to re-embed every memory with the new model, or set OLLAMA_EMBED_MODEL back.',
    );
    this.name = 'EmbeddingMismatchError';
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
