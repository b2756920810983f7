import { seededGaussian, seededRandom } from '../../src/analysis/seeded-random.js';

export { seededRandom };

function unit(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum) || 1;
  return vector.map((value) => value / norm);
}

/** `count` random unit vectors: the hardest case for quantised search, every neighbour almost as far as the next. */
export function randomUnitVectors(count: number, dimension: number, random: () => number): Float32Array[] {
  const gaussian = seededGaussian(random);
  return Array.from({ length: count }, () => unit(Float32Array.from({ length: dimension }, gaussian)));
}

/** A source of unit vectors around `clusters` random centres (Gaussian noise of norm about `spread`), like embeddings of related texts. */
export function clusteredSource(dimension: number, random: () => number, clusters = 50, spread = 0.5): (count: number) => Float32Array[] {
  const centres = randomUnitVectors(clusters, dimension, random);
  const scale = spread / Math.sqrt(dimension);
  const gaussian = seededGaussian(random);
  return (count) =>
    Array.from({ length: count }, () => {
      const centre = centres[Math.floor(random() * clusters)]!;
      return unit(centre.map((value) => value + scale * gaussian()));
    });
}

/** The ids of the `k` vectors nearest to `query` by exact float32 cosine (the vectors are unit length). */
export function exactNearest(vectors: Array<{ id: number; vector: Float32Array }>, query: Float32Array, k: number): number[] {
  return vectors
    .map(({ id, vector }) => {
      let dot = 0;
      for (let i = 0; i < vector.length; i += 1) dot += vector[i]! * query[i]!;
      return { id, dot };
    })
    .sort((a, b) => b.dot - a.dot)
    .slice(0, k)
    .map((entry) => entry.id);
}
