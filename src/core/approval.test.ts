import { describe, expect, it } from 'vitest';
import { compareRates, wilsonInterval } from './approval.js';

describe('Wilson interval', () => {
  it('matches reference values', () => {
    const cases: Array<[number, number, number, number]> = [
      [7, 9, 0.4526, 0.9368],
      [3, 8, 0.1368, 0.6943],
      [0, 10, 0, 0.2775],
      [10, 10, 0.7225, 1],
      [50, 100, 0.4038, 0.5962],
    ];
    for (const [successes, trials, low, high] of cases) {
      const rate = wilsonInterval(successes, trials)!;
      expect(rate.rate).toBe(successes / trials);
      expect(rate.low).toBeCloseTo(low, 3);
      expect(rate.high).toBeCloseTo(high, 3);
    }
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('calls a difference only when the intervals do not overlap', () => {
    expect(compareRates(wilsonInterval(7, 9), wilsonInterval(3, 8))).toBeNull();
    expect(compareRates(wilsonInterval(9, 9), wilsonInterval(1, 9))).toBe('better');
    expect(compareRates(wilsonInterval(1, 9), wilsonInterval(9, 9))).toBe('worse');
    expect(compareRates(wilsonInterval(1, 1), null)).toBeNull();
  });
});
