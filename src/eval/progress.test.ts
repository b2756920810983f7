import { describe, expect, it } from 'vitest';
import { formatDuration, Progress } from './progress.js';

function recorder(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, output: { isTTY, columns: 200, write: (text: string) => writes.push(text) } };
}

describe('Progress', () => {
  it('prints a plain line each tenth of the way when not on a terminal', () => {
    const { writes, output } = recorder(false);
    const progress = new Progress(20, output, () => 0);
    progress.setLabel('rag4');
    for (let index = 0; index < 20; index += 1) progress.advance();
    progress.finish();
    expect(writes).toHaveLength(11);
    expect(writes.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
    expect(writes[5]).toBe('[############------------]  50% 10/20 rag4 · ETA 0s\n');
  });

  it('estimates the time left from the questions answered now, not those resumed', () => {
    const { writes, output } = recorder(false);
    let now = 0;
    const progress = new Progress(10, output, () => now);
    progress.skip(4);
    expect(writes.at(-1)).toContain('40% 4/10 · ETA …');
    now = 10_000;
    progress.advance();
    expect(writes.at(-1)).toContain('50% 5/10 · ETA 50s');
  });

  it('redraws one line on a terminal and ends it when done', () => {
    const { writes, output } = recorder(true);
    const progress = new Progress(3, output, () => 0);
    progress.advance();
    progress.advance();
    progress.finish();
    expect(writes.slice(0, 2).every((line) => line.startsWith('\r') && line.endsWith('\x1b[K'))).toBe(true);
    expect(writes[1]).toContain('66% 2/3');
    expect(writes.at(-1)).toBe('\n');
  });
});

describe('formatDuration', () => {
  it('writes seconds, minutes and hours', () => {
    expect([0, 4_400, 75_000, 3_723_000].map(formatDuration)).toEqual(['0s', '4s', '1m15s', '1h02m']);
  });
});
