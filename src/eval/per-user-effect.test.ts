import { describe, expect, it } from 'vitest';
import { bootstrapInterval, perUserEffect } from './per-user-effect.js';
import type { ItemRecord } from './predictions-log.js';
import { getTask } from './tasks.js';

const item = (questionId: string, userId: string, prediction: string, gold: string): ItemRecord => ({
  type: 'item', questionId, userId, gold, output: prediction, prediction, lenient: prediction, toolCalls: [], retrievedIds: [], ms: 0,
  usage: { chatCalls: 0, embedCalls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, errors: [] },
});

describe('per-user effect', () => {
  it('differences per-user accuracy over the questions both methods answered', () => {
    const task = getTask('lamp2m');
    const ours = [item('a1', 'a', 'comedy', 'comedy'), item('a2', 'a', 'comedy', 'sci-fi'), item('b1', 'b', 'sci-fi', 'sci-fi'), item('c1', 'c', 'comedy', 'comedy')];
    const theirs = [item('a1', 'a', 'sci-fi', 'comedy'), item('a2', 'a', 'sci-fi', 'sci-fi'), item('b1', 'b', 'comedy', 'sci-fi')];
    const effect = perUserEffect(task, ours, theirs)!;
    // a: 0.5 − 0.5; b: 1 − 0; c has no baseline answer and is left out.
    expect(effect.perUser).toEqual([{ userId: 'a', effect: 0 }, { userId: 'b', effect: 1 }]);
    expect(effect).toMatchObject({ metric: 'accuracy', users: 2, mean: 0.5 });
    expect(effect.low).toBeGreaterThanOrEqual(0);
    expect(effect.high).toBeLessThanOrEqual(1);
  });

  it('uses MAE for ratings, where a negative effect is better', () => {
    const effect = perUserEffect(getTask('lamp3'), [item('d1', 'd', '3', '3')], [item('d1', 'd', '5', '3')])!;
    expect(effect).toMatchObject({ metric: 'mae', mean: -2, low: -2, high: -2 });
  });

  it('gives a repeatable interval that holds the mean and narrows with more users', () => {
    const few = [0, 1, 0, 1];
    const many = Array.from({ length: 64 }, (_, index) => index % 2);
    const [fewLow, fewHigh] = bootstrapInterval(few);
    const [manyLow, manyHigh] = bootstrapInterval(many);
    expect(bootstrapInterval(few)).toEqual([fewLow, fewHigh]);
    expect(fewLow).toBeLessThan(0.5);
    expect(fewHigh).toBeGreaterThan(0.5);
    expect(manyHigh - manyLow).toBeLessThan(fewHigh - fewLow);
    expect(manyLow).toBeGreaterThan(0.3);
    expect(manyHigh).toBeLessThan(0.7);
  });

  it('is null when no user was answered by both', () => {
    expect(perUserEffect(getTask('lamp2m'), [item('a1', 'a', 'comedy', 'comedy')], [])).toBeNull();
  });
});
