/** A source of uniform numbers in [0, 1), as `Math.random` gives. */
export type RandomSource = () => number;

/**
 * Mulberry32: a seeded uniform generator in [0, 1). Five lines, so written here rather than pulled in;
 * projections only need repeatable starting layouts, not cryptographic quality.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal numbers from a uniform source (Box–Muller, polar form). */
export function seededGaussian(random: RandomSource): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    for (;;) {
      const u = 2 * random() - 1;
      const v = 2 * random() - 1;
      const r = u * u + v * v;
      if (r === 0 || r >= 1) continue;
      const scale = Math.sqrt((-2 * Math.log(r)) / r);
      spare = v * scale;
      return u * scale;
    }
  };
}
