/** sqlite-vec's step for `vec_quantize_int8(v, 'unit')`: [-1, 1] in 255 steps, as a float32. */
const UNIT_STEP = Math.fround(2 / 255);

/**
 * The int8 quantisation `quantizedSql` gives a vector in SQLite (sqlite-vec's `vec_normalize`, then
 * `vec_quantize_int8(…, 'unit')`), computed in process with the same float32 arithmetic, so a query
 * needs no round trip to SQLite before the in-process scan. Null for a vector of zeros, as there.
 */
export function quantiseUnit(vector: Float32Array): Int8Array | null {
  let norm = 0;
  for (let i = 0; i < vector.length; i += 1) norm = Math.fround(norm + Math.fround(vector[i]! * vector[i]!));
  if (norm === 0) return null;
  norm = Math.fround(Math.sqrt(norm));
  const out = new Int8Array(vector.length);
  for (let i = 0; i < vector.length; i += 1) out[i] = Math.trunc((Math.fround(vector[i]! / norm) + 1) / UNIT_STEP - 128);
  return out;
}
