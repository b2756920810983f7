/** The stored embedding space no longer matches the configured embedding model. */
export class EmbeddingMismatchError extends Error {
  readonly code = 'EMBEDDING_MISMATCH';
  constructor(
    readonly stored: { model: string; dimension: number | null },
    readonly configured: { model: string; dimension: number | null },
  ) {
    super(
      `The memory was embedded with ${stored.model}${stored.dimension ? ` (${stored.dimension} dimensions)` : ''}, ` +
        `but the embedding model is now ${configured.model}${configured.dimension ? ` (${configured.dimension} dimensions)` : ''}. ` +
        'Run `npm run cli -- reembed` to re-embed every memory with the new model, or set the embedding model (OLLAMA_EMBED_MODEL or OPENAI_EMBED_MODEL) back.',
    );
    this.name = 'EmbeddingMismatchError';
  }
}
