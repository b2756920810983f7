import { describe, expect, it } from 'vitest';
import { AnalysisError } from './analysis-error.js';
import { describeProjection, MDS_UP_TO, projectionFor, projectTo2d, type Point2d } from './persona-map.js';
import { seededGaussian, seededRandom } from './seeded-random.js';

const DIMENSION = 16;

/** Two blobs of `perBlob` points, far apart: blob A is raised on the first half of the axes, blob B on the second. */
function twoBlobs(perBlob: number): { vectors: Float32Array[]; blob: Array<'A' | 'B'> } {
  const gaussian = seededGaussian(seededRandom(123));
  const vectors: Float32Array[] = [];
  const blob: Array<'A' | 'B'> = [];
  for (const name of ['A', 'B'] as const) {
    for (let i = 0; i < perBlob; i++) {
      const raised = (d: number) => (name === 'A' ? d < DIMENSION / 2 : d >= DIMENSION / 2);
      vectors.push(Float32Array.from({ length: DIMENSION }, (_, d) => (raised(d) ? 10 : 0) + gaussian()));
      blob.push(name);
    }
  }
  return { vectors, blob };
}

/** True when a line splits the map with all of A on one side and all of B on the other (along the centroids' axis). */
function separable(points: Point2d[], blob: Array<'A' | 'B'>): boolean {
  const centroid = (name: 'A' | 'B') => {
    const members = points.filter((_, i) => blob[i] === name);
    return { x: members.reduce((s, p) => s + p.x, 0) / members.length, y: members.reduce((s, p) => s + p.y, 0) / members.length };
  };
  const a = centroid('A');
  const b = centroid('B');
  const along = (p: Point2d) => (p.x - a.x) * (b.x - a.x) + (p.y - a.y) * (b.y - a.y);
  const onA = points.filter((_, i) => blob[i] === 'A').map(along);
  const onB = points.filter((_, i) => blob[i] === 'B').map(along);
  return Math.max(...onA) < Math.min(...onB);
}

const distance = (p: Point2d, q: Point2d) => Math.hypot(p.x - q.x, p.y - q.y);

describe.each(['umap', 'tsne'] as const)('projectTo2d with %s', (method) => {
  const { vectors, blob } = twoBlobs(10);

  it('gives the same map for the same seed and another map for another seed', () => {
    const first = projectTo2d(vectors, { method, seed: 7 });
    expect(projectTo2d(vectors, { method, seed: 7 })).toEqual(first);
    expect(projectTo2d(vectors, { method, seed: 8 })).not.toEqual(first);
  });

  it('keeps two far-apart blobs on separate sides of the map', () => {
    for (const metric of ['cosine', 'euclidean'] as const) {
      const points = projectTo2d(vectors, { method, seed: 1, metric });
      expect(points).toHaveLength(20);
      expect(separable(points, blob)).toBe(true);
    }
  });

  it('maps 4 and 5 vectors, fewer than the default 15 neighbours, to finite points', () => {
    for (const n of [4, 5]) {
      const points = projectTo2d(vectors.slice(8, 8 + n), { method });
      expect(points).toHaveLength(n);
      for (const point of points) expect(Number.isFinite(point.x) && Number.isFinite(point.y)).toBe(true);
    }
  });
});

describe('projectTo2d with fewer than four vectors', () => {
  it('maps nothing to nothing and one vector to the origin', () => {
    expect(projectTo2d([])).toEqual([]);
    expect(projectTo2d([[1, 2, 3]])).toEqual([{ x: 0, y: 0 }]);
  });

  it('keeps the distance between two vectors, centred', () => {
    const [p, q] = projectTo2d([[1, 0], [0, 1]]);
    expect(distance(p!, q!)).toBeCloseTo(1, 12); // cosine distance 1 − 0
    expect(p!.x + q!.x).toBeCloseTo(0, 12);
    const [r, s] = projectTo2d([[0, 0], [3, 4]], { metric: 'euclidean' });
    expect(distance(r!, s!)).toBeCloseTo(5, 12);
  });

  it('keeps all three distances of three vectors (a 3-4-5 triangle)', () => {
    const [a, b, c] = projectTo2d([[0, 0, 0], [3, 0, 0], [0, 4, 0]], { metric: 'euclidean' });
    expect(distance(a!, b!)).toBeCloseTo(3, 12);
    expect(distance(a!, c!)).toBeCloseTo(4, 12);
    expect(distance(b!, c!)).toBeCloseTo(5, 12);
  });

  it('copes with identical vectors', () => {
    const points = projectTo2d([[1, 1], [1, 1], [2, 0]], { metric: 'euclidean' });
    expect(distance(points[0]!, points[1]!)).toBeCloseTo(0, 12);
    expect(distance(points[0]!, points[2]!)).toBeCloseTo(Math.SQRT2, 12);
  });
});

describe('projectTo2d for a few members', () => {
  // Eight points of a plane, lifted into 6-D by a fixed rotation-like mix, so every pairwise distance fits in 2-D.
  const plane = [[0, 0], [4, 0], [0, 3], [4, 3], [2, 1], [1, 2.5], [3.5, 1.5], [0.5, 0.5]];
  const lifted = plane.map(([x, y]) => [x!, y!, x! + y!, x! - y!, 2 * x!, -y!]);

  it('uses classical MDS up to MDS_UP_TO points and UMAP above, unless a method is asked for', () => {
    expect(projectionFor(8)).toBe('mds');
    expect(projectionFor(MDS_UP_TO)).toBe('mds');
    expect(projectionFor(MDS_UP_TO + 1)).toBe('umap');
    expect(projectionFor(8, 'umap')).toBe('umap');
    expect(projectionFor(3, 'umap')).toBe('mds');
  });

  it('keeps every pairwise distance of points that fit in a plane, where a learned layout would not', () => {
    const points = projectTo2d(lifted, { metric: 'euclidean' });
    for (let i = 0; i < lifted.length; i++) {
      for (let j = i + 1; j < lifted.length; j++) {
        const truth = Math.hypot(...lifted[i]!.map((value, d) => value - lifted[j]![d]!));
        expect(distance(points[i]!, points[j]!)).toBeCloseTo(truth, 9);
      }
    }
  });

  it('puts identical personas on one spot and repeats the same map', () => {
    const { vectors } = twoBlobs(4);
    const withTwins = [...vectors, Float32Array.from(vectors[0]!), Float32Array.from(vectors[0]!)];
    const points = projectTo2d(withTwins);
    expect(distance(points[0]!, points[8]!)).toBeLessThan(1e-9);
    expect(distance(points[0]!, points[9]!)).toBeLessThan(1e-9);
    expect(projectTo2d(withTwins)).toEqual(points);
  });

  it('says on the map which projection drew it', () => {
    expect(describeProjection(8)).toBe(`Projection: classical MDS (8 points; UMAP from ${MDS_UP_TO + 1} on)`);
    expect(describeProjection(40)).toBe('Projection: UMAP (40 points)');
    expect(describeProjection(40, 'tsne')).toBe('Projection: t-SNE (40 points)');
  });
});

describe('projectTo2d input checks', () => {
  it('refuses vectors of different dimensions with an AnalysisError', () => {
    const error = (() => {
      try {
        projectTo2d([[1, 2], [1, 2], [1, 2], [1]]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(AnalysisError);
    expect(error).toMatchObject({ code: 'ANALYSIS_BAD_VECTORS' });
  });
});
