import { cosineSimilarityMatrix, describeProjection, projectTo2d, type Point2d } from '../analysis/persona-map.js';
import type { CurrentPersona } from '../memory/dashboard-queries.js';

const EMBED_BATCH = 32;
/** The same seed draws the same map for the same personas. */
const SEED = 42;

/** The persona map's numbers: a 2-D point per persona, how they were projected, and their pairwise cosine similarity. */
export interface PersonaLayout {
  points: Point2d[];
  /** Which projection drew the points, for the map's subtitle. */
  projection: string;
  similarity: number[][];
}

/**
 * Embeds live personas and lays them out, keeping the vectors of persona versions already seen and
 * the last layout: a version's text never changes, so neither does its vector. Forgotten or replaced
 * versions are dropped from the cache on the next build, so nothing of a forgotten member stays.
 */
export class PersonaEmbeddings {
  private readonly vectors = new Map<number, Float32Array>();
  private last: { key: string; layout: PersonaLayout } | null = null;

  constructor(private readonly embed: (texts: string[]) => Promise<Float32Array[]>) {}

  /** The layout of these personas, in their order. */
  async layout(personas: CurrentPersona[]): Promise<PersonaLayout> {
    const key = personas.map((persona) => persona.versionId).join(',');
    if (this.last?.key === key) return this.last.layout;
    await this.fill(personas);
    const vectors = personas.map((persona) => this.vectors.get(persona.versionId)!);
    const layout = { points: projectTo2d(vectors, { seed: SEED }), projection: describeProjection(vectors.length), similarity: cosineSimilarityMatrix(vectors) };
    this.last = { key, layout };
    return layout;
  }

  private async fill(personas: CurrentPersona[]): Promise<void> {
    const live = new Set(personas.map((persona) => persona.versionId));
    for (const id of this.vectors.keys()) if (!live.has(id)) this.vectors.delete(id);
    const missing = personas.filter((persona) => !this.vectors.has(persona.versionId));
    for (let start = 0; start < missing.length; start += EMBED_BATCH) {
      const batch = missing.slice(start, start + EMBED_BATCH);
      const vectors = await this.embed(batch.map((persona) => persona.text));
      batch.forEach((persona, index) => this.vectors.set(persona.versionId, vectors[index]!));
    }
  }
}
