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
