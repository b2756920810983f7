/**
 * How well each projection keeps a persona map's structure, MDS beside UMAP, on members in topics of
 * about four, two of them identical: the figures behind `MDS_UP_TO` in src/analysis/persona-map.ts.
 */
import { projectTo2d, type Point2d } from '../src/analysis/persona-map.js';
import { cosineSimilarity } from '../src/analysis/similarity.js';
import { seededGaussian, seededRandom } from '../src/analysis/seeded-random.js';

const DIMENSION = 64;
const NEIGHBOURS = 3;
const REPEATS = 8;
const SIZES = [4, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64];

/** `n` members around n / 4 random topic centres; the last two repeat the first member's vector exactly. */
function members(n: number, seed: number): { vectors: number[][]; topic: number[] } {
  const gaussian = seededGaussian(seededRandom(seed));
  const topics = Math.max(2, Math.ceil(n / 4));
  const centres = Array.from({ length: topics }, () => Array.from({ length: DIMENSION }, gaussian));
  const topic = Array.from({ length: n - 2 }, (_, i) => i % topics);
  const vectors = topic.map((t) => centres[t]!.map((value) => value + 0.45 * gaussian()));
  return { vectors: [...vectors, [...vectors[0]!], [...vectors[0]!]], topic: [...topic, topic[0]!, topic[0]!] };
}

const apart = (p: Point2d, q: Point2d) => Math.hypot(p.x - q.x, p.y - q.y);

/** The `k` indices nearest to `i` by `distance`. */
function nearest(n: number, i: number, k: number, distance: (j: number) => number): number[] {
  return Array.from({ length: n }, (_, j) => j)
    .filter((j) => j !== i)
    .sort((a, b) => distance(a) - distance(b))
    .slice(0, k);
}

/** Share of each point's k nearest vectors (cosine) that are also among its k nearest on the map. */
function neighbourRecall(vectors: number[][], points: Point2d[], k: number): number {
  let kept = 0;
  for (let i = 0; i < points.length; i++) {
    const truth = new Set(nearest(points.length, i, k, (j) => 1 - cosineSimilarity(vectors[i]!, vectors[j]!)));
    kept += nearest(points.length, i, k, (j) => apart(points[i]!, points[j]!)).filter((j) => truth.has(j)).length;
  }
  return kept / (points.length * k);
}

/** Share of points whose nearest point on the map is of their own topic. */
function ownTopicNearest(points: Point2d[], topic: number[]): number {
  return points.filter((point, i) => topic[nearest(points.length, i, 1, (j) => apart(point, points[j]!))[0]!] === topic[i]).length / points.length;
}

/** How far apart the identical vectors land, as a share of the map's median distance. */
function identicalGap(points: Point2d[]): number {
  const distances = points.flatMap((p, i) => points.slice(i + 1).map((q) => apart(p, q))).sort((a, b) => a - b);
  const n = points.length;
  return Math.max(apart(points[0]!, points[n - 1]!), apart(points[0]!, points[n - 2]!)) / distances[Math.floor(distances.length / 2)]!;
}

/** Prints, per number of members, each figure for MDS / UMAP, averaged over a few seeded data sets. */
export function projectionQuality(): void {
  console.log(`\nprojection quality (mean of ${REPEATS} data sets; higher is better except the gap)`);
  console.log('members   3-NN kept mds / umap   nearest is own topic mds / umap   identical pair gap mds / umap');
  for (const n of SIZES) {
    const sum = { recall: [0, 0], topic: [0, 0], gap: [0, 0] };
    for (let repeat = 1; repeat <= REPEATS; repeat++) {
      const { vectors, topic } = members(n, repeat * 101 + n);
      (['mds', 'umap'] as const).forEach((method, m) => {
        const points = projectTo2d(vectors, { method });
        sum.recall[m]! += neighbourRecall(vectors, points, Math.min(NEIGHBOURS, n - 1));
        sum.topic[m]! += ownTopicNearest(points, topic);
        sum.gap[m]! += identicalGap(points);
      });
    }
    const pair = ([mds, umap]: number[]) => `${(mds! / REPEATS).toFixed(2)} / ${(umap! / REPEATS).toFixed(2)}`.padEnd(12);
    console.log(`${String(n).padStart(7)}   ${pair(sum.recall)}           ${pair(sum.topic)}                      ${pair(sum.gap)}`);
  }
}
