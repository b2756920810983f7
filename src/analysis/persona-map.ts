import { TSNE } from '@keckelt/tsne';
import { UMAP } from 'umap-js';
import { classicalMds, type Point2d } from './classical-mds.js';
import { checkVectors, cosineSimilarity, type Vector } from './similarity.js';
import { seededGaussian, seededRandom } from './seeded-random.js';

export type { Point2d } from './classical-mds.js';
export { cosineSimilarityMatrix, jaccardMatrix } from './similarity.js';

/** How a map is drawn: `auto` picks classical MDS for a few points and UMAP for many. */
export type ProjectionMethod = 'auto' | 'mds' | 'umap' | 'tsne';

/** How to project: the seed makes the layout repeatable; `metric` is how far apart two vectors are. */
export interface ProjectionOptions {
  seed?: number;
  method?: ProjectionMethod;
  /** Cosine (the default) suits embeddings, whose length says little; euclidean for raw features. */
  metric?: 'cosine' | 'euclidean';
}

/**
 * Up to this many points `auto` uses classical MDS. UMAP learns from random starts and negative
 * sampling; with few points its neighbourhoods span (nearly) everyone, so its layout is mostly noise:
 * two identical personas land apart. On topic clusters (four members a topic, `npm run bench:analysis`)
 * MDS keeps a point's 3 nearest neighbours at least as well as UMAP up to 24 points (0.87 against 0.70
 * at 10, 0.82 against 0.82 at 24) and puts identical vectors on one spot; from 32 points on, the
 * topics outnumber what a flat projection can hold apart and UMAP keeps neighbours better (0.86 against 0.75).
 */
export const MDS_UP_TO = 24;
/** UMAP and t-SNE cannot run on fewer points (UMAP needs more points than its 2+ neighbours). */
const FEWEST_FOR_EMBEDDING = 4;
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

/** The method `projectTo2d` uses for `count` points when asked for `method`. */
export function projectionFor(count: number, method: ProjectionMethod = 'auto'): Exclude<ProjectionMethod, 'auto'> {
  if (count < FEWEST_FOR_EMBEDDING) return 'mds';
  if (method === 'auto') return count <= MDS_UP_TO ? 'mds' : 'umap';
  return method;
}

const METHOD_NAMES: Record<Exclude<ProjectionMethod, 'auto'>, string> = { mds: 'classical MDS', umap: 'UMAP', tsne: 't-SNE' };

/** One line for a map's subtitle: which projection drew `count` points, and why when `auto` chose MDS. */
export function describeProjection(count: number, method: ProjectionMethod = 'auto'): string {
  const used = projectionFor(count, method);
  // Short enough to sit under a 480-pixel map; the page or README says why fewer points get MDS.
  const why = used === 'mds' && method === 'auto' ? `; UMAP from ${MDS_UP_TO + 1} on` : '';
  return `Projection: ${METHOD_NAMES[used]} (${count} ${count === 1 ? 'point' : 'points'}${why})`;
}

/**
 * Projects vectors to 2-D for a map, repeatable for a given seed: classical MDS on the pairwise distances
 * for up to `MDS_UP_TO` vectors (and always below 4), UMAP (umap-js) above, or the method asked for.
 */
export function projectTo2d(vectors: readonly Vector[], options: ProjectionOptions = {}): Point2d[] {
  checkVectors(vectors);
  const distance = DISTANCES[options.metric ?? 'cosine'];
  const seed = options.seed ?? DEFAULT_SEED;
  const method = projectionFor(vectors.length, options.method);
  if (method === 'mds') return classicalMds(vectors.map((a) => vectors.map((b) => distance(a, b))));
  const rows = vectors.map((vector) => Array.from(vector));
  const layout = method === 'tsne' ? runTsne(rows, distance, seed) : runUmap(rows, distance, seed);
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
