import { seededRandom } from '../test/support/vectors.js';

/** The `p`th percentile of `samples` (nearest rank). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Milliseconds each of `runs` calls of `work` took (one untimed call first, to warm up). */
export function timed(runs: number, work: (run: number) => unknown): number[] {
  work(-1);
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    work(run);
    samples.push(performance.now() - started);
  }
  return samples;
}

/** p50 and p99 of samples. */
export function spread(samples: number[]): { p50: number; p99: number } {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Chat-like text: a 5,000-word vocabulary drawn with Zipf frequencies, from a seeded generator. */
export function corpus(seed: number): { random: () => number; sentence: (words?: number) => string } {
  const random = seededRandom(seed);
  const words = Array.from({ length: 5_000 }, (_, rank) => `w${rank.toString(36)}x`);
  const cumulative: number[] = [];
  let total = 0;
  words.forEach((_, rank) => cumulative.push((total += 1 / (rank + 1))));
  const word = () => {
    const target = random() * total;
    let low = 0;
    let high = words.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return words[low]!;
  };
  return { random, sentence: (count = 10) => Array.from({ length: count }, word).join(' ') };
}

/** Formats milliseconds. */
export function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** Formats bytes as KiB or MiB. */
export function size(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Prints rows as a plain text table, first column left-aligned and the rest right-aligned. */
export function printTable(title: string, rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  console.log(`\n${title}`);
  for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
}
