import usearch from 'usearch';
import { GrowableArray } from './growable-array.js';

/**
 * One member's coarse vector index: int8 vectors (sqlite-vec's `vec_quantize_int8`, a quarter of
 * float32's bytes) in interaction id order, scanned exactly by usearch's SIMD kernels. The few
 * best candidates are then re-ranked on the float32 vectors in SQLite.
 */
export class VectorIndex {
  private readonly ids = new GrowableArray(Float64Array);
  private matrix: Int8Array;

  constructor(readonly dimension: number) {
    this.matrix = new Int8Array(dimension * 4);
  }

  /** Sets the quantised vector of interaction `id`, keeping id order. */
  put(id: number, quantised: Int8Array): void {
    if (quantised.length !== this.dimension) throw new RangeError(`expected ${this.dimension} dimensions, got ${quantised.length}`);
    const at = this.ids.lowerBound(id);
    if (at >= this.ids.length || this.ids.get(at) !== id) {
      this.reserve(this.ids.length + 1);
      this.matrix.copyWithin((at + 1) * this.dimension, at * this.dimension, this.ids.length * this.dimension);
      this.ids.insert(at, id);
    }
    this.matrix.set(quantised, at * this.dimension);
  }

  /** Removes interaction `id`, if present. */
  remove(id: number): void {
    const at = this.ids.lowerBound(id);
    if (at >= this.ids.length || this.ids.get(at) !== id) return;
    this.matrix.copyWithin(at * this.dimension, (at + 1) * this.dimension, this.ids.length * this.dimension);
    this.ids.removeAt(at);
  }

  /** Number of vectors held. */
  get size(): number {
    return this.ids.length;
  }

  /** The `count` nearest interaction ids by cosine over the int8 vectors, among ids below `beforeId`. */
  nearest(query: Int8Array, count: number, beforeId = Infinity): number[] {
    const rows = this.ids.lowerBound(beforeId);
    const wanted = Math.min(count, rows);
    if (wanted === 0) return [];
    // usearch reads the array's buffer from its start, so both arrays must begin at offset 0.
    const own = query.byteOffset === 0 && query.buffer.byteLength === query.byteLength ? query : Int8Array.from(query);
    const found = usearch.exactSearch(this.matrix.subarray(0, rows * this.dimension), own, this.dimension, wanted, usearch.MetricKind.Cos, 1);
    return Array.from(found.keys, (row) => this.ids.get(Number(row)));
  }

  /** Bytes allocated. */
  bytes(): number {
    return this.ids.bytes() + this.matrix.byteLength;
  }

  private reserve(rows: number): void {
    if (rows * this.dimension <= this.matrix.length) return;
    const grown = new Int8Array(Math.max(rows, (this.matrix.length / this.dimension) * 2) * this.dimension);
    grown.set(this.matrix.subarray(0, this.ids.length * this.dimension));
    this.matrix = grown;
  }
}
