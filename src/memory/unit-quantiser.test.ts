import { afterAll, describe, expect, it } from 'vitest';
import { randomUnitVectors, seededRandom } from '../../test/support/vectors.js';
import { openDatabase } from './database.js';
import { quantiseUnit } from './unit-quantiser.js';
import { quantizedSql } from './vector-table.js';

const db = openDatabase(':memory:');
afterAll(() => db.close());
const inSqlite = db.prepare(`SELECT ${quantizedSql('@vector')}`).pluck();

function sqliteVec(vector: Float32Array): number[] | null {
  const bytes = inSqlite.get({ vector: Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength) }) as Buffer | null;
  return bytes && Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

const asArray = (quantised: Int8Array | null) => quantised && Array.from(quantised);

describe('the in-process unit quantisation', () => {
  it("gives sqlite-vec's bytes for unit, unnormalised and clustered vectors", () => {
    const random = seededRandom(7);
    const vectors = [
      ...randomUnitVectors(200, 768, random),
      ...randomUnitVectors(100, 64, random).map((vector) => vector.map((value) => value * (0.001 + random() * 50))),
      ...randomUnitVectors(100, 768, random).map((vector) => vector.map((value, i) => (i % 7 === 0 ? 0 : value))),
      Float32Array.from([1, 0, 0, 0]),
      Float32Array.from([-1, 0, 0, 0]),
      Float32Array.from([0.5, -0.5, 0.5, -0.5]),
      Float32Array.from([3, 4]),
    ];
    const differing = vectors.filter((vector) => JSON.stringify(asArray(quantiseUnit(vector))) !== JSON.stringify(sqliteVec(vector)));
    expect(differing).toEqual([]);
  });

  it('has none for a vector of zeros, as sqlite-vec', () => {
    expect(sqliteVec(new Float32Array(8))).toBeNull();
    expect(quantiseUnit(new Float32Array(8))).toBeNull();
  });
});
