import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** A point of a 2-D map. */
export interface Point2d {
  x: number;
  y: number;
}

/**
 * Classical (Torgerson) multidimensional scaling to 2-D: the layout whose distances best match the
 * given ones in the least-squares sense, with no seed and no iterations. Distances that fit in a plane
 * (any three points whose distances obey the triangle inequality, identical points) come out exactly.
 * Points are centred on the origin; each axis points towards its largest coordinate, so a layout repeats.
 */
export function classicalMds(distances: readonly (readonly number[])[]): Point2d[] {
  const n = distances.length;
  if (n === 0) return [];
  // B = −½ J D² J with J the centring matrix: the Gram matrix of centred points when D is Euclidean.
  const squared = distances.map((row) => row.map((value) => value * value));
  const rowMeans = squared.map((row) => row.reduce((sum, value) => sum + value, 0) / n);
  const mean = rowMeans.reduce((sum, value) => sum + value, 0) / n;
  const gram = new Matrix(squared.map((row, i) => row.map((value, j) => -0.5 * (value - rowMeans[i]! - rowMeans[j]! + mean))));
  const decomposition = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  const vectors = decomposition.eigenvectorMatrix;
  const byValue = decomposition.realEigenvalues.map((value, index) => ({ value, index })).sort((a, b) => b.value - a.value);
  // Distances that are not Euclidean give negative eigenvalues; those directions have no place in a map.
  const axes = byValue.slice(0, 2).map(({ value, index }) => orientedAxis(vectors.getColumn(index), Math.sqrt(Math.max(0, value))));
  return Array.from({ length: n }, (_, i) => ({ x: axes[0]?.[i] ?? 0, y: axes[1]?.[i] ?? 0 }));
}

/** An eigenvector scaled to coordinates; its sign is arbitrary, so the largest coordinate is made positive. */
function orientedAxis(vector: number[], scale: number): number[] {
  const largest = vector.reduce((best, value) => (Math.abs(value) > Math.abs(best) ? value : best), 0);
  const sign = largest < 0 ? -1 : 1;
  return vector.map((value) => sign * value * scale);
}
