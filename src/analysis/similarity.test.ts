import { describe, expect, it } from 'vitest';
import { AnalysisError } from './analysis-error.js';
import { cosineSimilarityMatrix, jaccardMatrix, wordSet } from './similarity.js';

function expectSymmetricWithUnitDiagonal(matrix: number[][]): void {
  matrix.forEach((row, i) => {
    expect(row).toHaveLength(matrix.length);
    expect(row[i]).toBe(1);
    row.forEach((value, j) => expect(value).toBe(matrix[j]![i]));
  });
}

describe('cosineSimilarityMatrix', () => {
  it('matches hand-computed similarities', () => {
    const matrix = cosineSimilarityMatrix([[1, 0], [0, 2], [3, 3], [-1, 0]]);
    expectSymmetricWithUnitDiagonal(matrix);
    expect(matrix[0]![1]).toBe(0);
    expect(matrix[0]![2]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(matrix[1]![2]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(matrix[0]![3]).toBe(-1);
  });

  it('takes Float32Array vectors', () => {
    const matrix = cosineSimilarityMatrix([Float32Array.of(1, 1), Float32Array.of(2, 2)]);
    expect(matrix[0]![1]).toBeCloseTo(1, 6);
  });

  it('gives an all-zero vector similarity 0 to others and 1 to itself', () => {
    const matrix = cosineSimilarityMatrix([[0, 0], [1, 0]]);
    expect(matrix).toEqual([[1, 0], [0, 1]]);
  });

  it('gives an empty matrix for no vectors', () => {
    expect(cosineSimilarityMatrix([])).toEqual([]);
  });

  it('refuses vectors of different dimensions or with non-finite values, saying which', () => {
    expect(() => cosineSimilarityMatrix([[1, 0], [1, 0, 0]])).toThrow(/Vector 1 has 3 dimensions; vector 0 has 2/);
    expect(() => cosineSimilarityMatrix([[1, Number.NaN]])).toThrow(AnalysisError);
  });
});

describe('jaccardMatrix', () => {
  it('compares lower-cased word sets without punctuation or stopwords', () => {
    expect([...wordSet('The Cat sat on the MAT; the cat!')].sort()).toEqual(['cat', 'mat', 'sat']);
    expect([...wordSet('Café python3, 2024')].sort()).toEqual(['2024', 'café', 'python3']);
    // {cat, sat, mat} and {cat, hat}: one shared of four in all.
    const matrix = jaccardMatrix(['The cat sat on the mat', 'A cat, a hat!', 'cat hat']);
    expectSymmetricWithUnitDiagonal(matrix);
    expect(matrix[0]![1]).toBe(1 / 4);
    expect(matrix[1]![2]).toBe(1);
    expect(matrix[0]![2]).toBe(1 / 4);
  });

  it('counts two empty texts as identical and an empty one as sharing nothing with a non-empty one', () => {
    // "the and of" is all stopwords, so its word set is empty too.
    expect(jaccardMatrix(['', 'the and of', 'chess'])).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
  });
});
