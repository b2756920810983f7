import { AnalysisError } from './analysis-error.js';

/** A dense vector as an embedding model returns it. */
export type Vector = Float32Array | readonly number[];

/** Checks that every vector has the same dimension and only finite numbers; returns the dimension. */
export function checkVectors(vectors: readonly Vector[]): number {
  const dimension = vectors[0]?.length ?? 0;
  vectors.forEach((vector, index) => {
    if (vector.length !== dimension) {
      throw new AnalysisError('ANALYSIS_BAD_VECTORS', `Vector ${index} has ${vector.length} dimensions; vector 0 has ${dimension}.`);
    }
    for (let d = 0; d < vector.length; d++) {
      if (!Number.isFinite(vector[d])) {
        throw new AnalysisError('ANALYSIS_BAD_VECTORS', `Vector ${index} holds a value that is not a finite number at position ${d}.`);
      }
    }
  });
  return dimension;
}

function dot(a: Vector, b: Vector): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += a[d]! * b[d]!;
  return sum;
}

function norm(vector: Vector): number {
  return Math.sqrt(dot(vector, vector));
}

/** The cosine from a dot product and the product of the norms; rounding can step past ±1, so it is clamped. */
function cosineOf(product: number, norms: number): number {
  return norms === 0 ? 0 : Math.max(-1, Math.min(1, product / norms));
}

/** Cosine similarity of two vectors of equal length; 0 when either is all zeros (it has no direction). */
export function cosineSimilarity(a: Vector, b: Vector): number {
  return cosineOf(dot(a, b), norm(a) * norm(b));
}

/** Fills a symmetric n × n matrix with 1 on the diagonal and `pair(i, j)` above and below it. */
function symmetricMatrix(n: number, pair: (i: number, j: number) => number): number[][] {
  const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(1));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const value = pair(i, j);
      matrix[i]![j] = value;
      matrix[j]![i] = value;
    }
  }
  return matrix;
}

/** Pairwise cosine similarities: symmetric, diagonal 1 (also for an all-zero vector), 0 against an all-zero vector. */
export function cosineSimilarityMatrix(vectors: readonly Vector[]): number[][] {
  checkVectors(vectors);
  // Each norm once rather than once per pair: a third of the work for a map of many members.
  const norms = vectors.map(norm);
  return symmetricMatrix(vectors.length, (i, j) => cosineOf(dot(vectors[i]!, vectors[j]!), norms[i]! * norms[j]!));
}

/** Words too common to say anything about a persona; kept short so that topic words are never dropped. */
const STOPWORDS = new Set(
  ('a an and are as at be but by can do for from has have he her his i if in into is it its me my no not of on or ' +
    'our she so that the their them they this to was we were what when which who will with you your')
    .split(' '),
);

/** The set of words of a text: lower-cased runs of letters or digits (any script), stopwords removed. */
export function wordSet(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return new Set(words.filter((word) => !STOPWORDS.has(word)));
}

/** Jaccard overlap |A ∩ B| / |A ∪ B| of two word sets; two empty sets count as identical (1). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Pairwise Jaccard overlap of the texts' word sets: symmetric, diagonal 1. */
export function jaccardMatrix(texts: readonly string[]): number[][] {
  const sets = texts.map(wordSet);
  return symmetricMatrix(texts.length, (i, j) => jaccard(sets[i]!, sets[j]!));
}
