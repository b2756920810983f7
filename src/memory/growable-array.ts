type NumericArray = Float64Array | Uint32Array | Uint16Array | Uint8Array;
type NumericArrayConstructor<T extends NumericArray> = { new (length: number): T };

/** A typed array that grows by doubling: compact storage for the in-process indexes. */
export class GrowableArray<T extends NumericArray> {
  values: T;
  length = 0;

  constructor(private readonly make: NumericArrayConstructor<T>, capacity = 4) {
    this.values = new make(capacity);
  }

  /** Room before the next growth. */
  get capacity(): number {
    return this.values.length;
  }

  /** The value at `index` (which must be below `length`). */
  get(index: number): number {
    return this.values[index]!;
  }

  /** Overwrites the value at `index`. */
  set(index: number, value: number): void {
    this.values[index] = value;
  }

  /** Appends a value. */
  push(value: number): void {
    this.reserve(this.length + 1);
    this.values[this.length] = value;
    this.length += 1;
  }

  /** Inserts a value at `index`, moving the rest up by one. */
  insert(index: number, value: number): void {
    this.reserve(this.length + 1);
    this.values.copyWithin(index + 1, index, this.length);
    this.values[index] = value;
    this.length += 1;
  }

  /** Removes the value at `index`, moving the rest down by one. */
  removeAt(index: number): void {
    this.values.copyWithin(index, index + 1, this.length);
    this.length -= 1;
  }

  /** The first index whose value is not below `value` (values kept in ascending order). */
  lowerBound(value: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.values[middle]! < value) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Bytes allocated. */
  bytes(): number {
    return this.values.byteLength;
  }

  private reserve(needed: number): void {
    if (needed <= this.values.length) return;
    const grown = new this.make(Math.max(needed, this.values.length * 2));
    grown.set(this.values.subarray(0, this.length) as never);
    this.values = grown;
  }
}

/** The `count` best of `candidates` by `better` (a strict order), best first, without sorting them all. */
export function best(candidates: ArrayLike<number>, count: number, better: (a: number, b: number) => boolean): number[] {
  const kept: number[] = [];
  if (count <= 0) return kept;
  for (let i = 0; i < candidates.length; i += 1) {
    const candidate = candidates[i]!;
    if (kept.length < count) kept.push(candidate);
    else if (better(candidate, kept[count - 1]!)) kept[count - 1] = candidate;
    else continue;
    for (let at = kept.length - 1; at > 0 && better(kept[at]!, kept[at - 1]!); at -= 1) [kept[at], kept[at - 1]] = [kept[at - 1]!, kept[at]!];
  }
  return kept;
}
