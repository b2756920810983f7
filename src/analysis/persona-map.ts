import { TSNE } from '@keckelt/tsne';
import { UMAP } from 'umap-js';
import { checkVectors, cosineSimilarity, type Vector } from './similarity.js';
import { seededGaussian, seededRandom } from './seeded-random.js';

export { cosineSimilarityMatrix, jaccardMatrix } from './similarity.js';

/** A point of a 2-D map. */
export interface Point2d {
  x: number;
  y: number;
}

/** How to project: the seed makes the layout repeatable; `metric` is how far apart two vectors are. */
export interface ProjectionOptions {
  seed?: number;
  method?: 'umap' | 'tsne';
  /** Cosine (the default) suits embeddings, whose length says little; euclidean for raw features. */
  metric?: 'cosine' | 'euclidean';
}

const DEFAULT_SEED = 42;
const DEFAULT_NEIGHBOURS = 15;
const TSNE_STEPS = 500;

type Distance = (a: Vector, b: Vector) => number;

function euclidean(a: Vector, b: Vector): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += (a[d]! - b[d]!) ** 2;
  return Math.sqrt(sum);
}

const DISTANCES: Record<NonNullable<ProjectionOptions['metric']>, Distance> = {
  cosine: (a, b) => 1 - cosineSimilarity(a, b),
  euclidean,
};

/**
 * Projects vectors to 2-D for a map: UMAP (umap-js) by default or t-SNE, repeatable for a given seed.
 * Fewer than 4 vectors are placed exactly instead (see `placeExactly`).
 */
export function projectTo2d(vectors: readonly Vector[], options: ProjectionOptions = {}): Point2d[] {
  checkVectors(vectors);
  const distance = DISTANCES[options.metric ?? 'cosine'];
  const seed = options.seed ?? DEFAULT_SEED;
  // UMAP needs more points than neighbours (at least 2) and t-SNE a perplexity below n; with ≤ 3 points
  // there is no neighbourhood to learn, and they always fit in a plane, so their distances are kept exactly.
  if (vectors.length < 4) return placeExactly(vectors, distance);
  const rows = vectors.map((vector) => Array.from(vector));
  const layout = options.method === 'tsne' ? runTsne(rows, distance, seed) : runUmap(rows, distance, seed);
  return layout.map(([x = 0, y = 0]) => ({ x, y }));
}

function runUmap(rows: number[][], distance: Distance, seed: number): number[][] {
  const umap = new UMAP({
    nComponents: 2,
    // Neighbours must be fewer than the points; a map of a few members keeps each point's own few.
    nNeighbors: Math.max(2, Math.min(DEFAULT_NEIGHBOURS, rows.length - 1)),
    random: seededRandom(seed),
    distanceFn: distance,
  });
  return umap.fit(rows);
}

function runTsne(rows: number[][], distance: Distance, seed: number): number[][] {
  // Perplexity is the effective neighbour count; it must stay well below n or every point looks alike.
  const tsne = new TSNE({ dim: 2, perplexity: Math.max(1, Math.min(30, (rows.length - 1) / 3)), epsilon: 10 });
  // The library draws its start from Math.random through this method; a seeded one makes it repeatable.
  tsne.gaussRandom = seededGaussian(seededRandom(seed));
  tsne.initDataDist(rows.map((a) => rows.map((b) => distance(a, b))));
  for (let step = 0; step < TSNE_STEPS; step++) tsne.step();
  return tsne.getSolution() as number[][];
}

/** Lays out 0–3 points with their pairwise distances kept exactly (what PCA to 2-D gives, up to rotation). */
function placeExactly(vectors: readonly Vector[], distance: Distance): Point2d[] {
  const [a, b, c] = vectors;
  if (!a) return [];
  if (!b) return [{ x: 0, y: 0 }];
  const ab = distance(a, b);
  const points: Point2d[] = [
    { x: 0, y: 0 },
    { x: ab, y: 0 },
  ];
  if (c) {
    const ac = distance(a, c);
    const bc = distance(b, c);
    // Law of cosines from A along AB; identical A and B leave C on the x axis at its distance from A.
    const x = ab === 0 ? ac : (ac * ac - bc * bc + ab * ab) / (2 * ab);
    points.push({ x, y: Math.sqrt(Math.max(0, ac * ac - x * x)) });
  }
  // Centre the layout as a projection would, so a map's axes are about the points and not vector 0.
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  return points.map((p) => ({ x: p.x - meanX, y: p.y - meanY }));
}
