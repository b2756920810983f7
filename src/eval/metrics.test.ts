import { describe, expect, it } from 'vitest';
import { classificationScores, extractLenient, parseRating, ratingScores, worstRating } from './metrics.js';
import { getTask } from './tasks.js';

const movieTags = getTask('lamp2m').labels;

describe('classification scores (LaMP official)', () => {
  it('averages F1 over all 15 labels when only 2 occur, and an unmatched output is wrong for its gold', () => {
    // comedy: tp 1, fn 1 → F1 2/3. sci-fi: tp 1, fp 1, fn 1 → F1 1/2. The other 13 labels score 0.
    const scores = classificationScores(['comedy', 'sci-fi', 'sci-fi', 'Comedy'], ['comedy', 'comedy', 'sci-fi', 'sci-fi'], movieTags);
    expect(movieTags).toHaveLength(15);
    expect(scores.accuracy).toBe(0.5);
    expect(scores.f1).toBeCloseTo((2 / 3 + 1 / 2) / 15, 12);
  });

  it('strips whitespace before matching but keeps case and punctuation', () => {
    // [1]: tp 1, fp 1, fn 1 → 1/2; [2]: tp 1, fn 1 → 2/3. "1" matches no label, so it is wrong.
    const scores = classificationScores(['[1]', ' [2] \n', '1', '[1]'], ['[1]', '[2]', '[1]', '[2]'], ['[1]', '[2]']);
    expect(scores.accuracy).toBe(0.5);
    expect(scores.f1).toBeCloseTo((2 / 4 + 2 / 3) / 2, 12);
  });

  it('scores a perfect run 1 and an all-unmatched run 0', () => {
    expect(classificationScores(['comedy', 'action'], ['comedy', 'action'], movieTags)).toMatchObject({ accuracy: 1, f1: 2 / 15 });
    expect(classificationScores(['funny', 'fast'], ['comedy', 'action'], movieTags)).toMatchObject({ accuracy: 0, f1: 0 });
  });
});

describe('rating scores (LaMP official)', () => {
  it('counts an unparseable prediction as the worst value for its gold', () => {
    // errors: 0, 'two'→5 vs 2: 3, 3.5 vs 4: 0.5, 'five stars'→1 vs 5: 4, ' 3 ' vs 3: 0
    const scores = ratingScores(['1', 'two', '3.5', 'five stars', ' 3 '], ['1', '2', '4', '5', '3']);
    expect(scores.mae).toBeCloseTo(7.5 / 5, 12);
    expect(scores.rmse).toBeCloseTo(Math.sqrt((9 + 0.25 + 16) / 5), 12);
  });

  it('picks 1 only when it is strictly further from the gold than 5', () => {
    expect([1, 2, 3, 4, 5].map(worstRating)).toEqual([5, 5, 5, 1, 1]);
  });

  it('reads numbers as Python float() does for plain decimals', () => {
    expect(['4', ' 4.0 ', '+2', '.5', '1e0', '3.'].map(parseRating)).toEqual([4, 4, 2, 0.5, 1, 3]);
    expect(['4 stars', '', 'four', '4/5', 'nan', 'inf'].map(parseRating)).toEqual([null, null, null, null, null, null]);
  });
});

describe('lenient extraction (not official)', () => {
  it('finds [1] or [2] anywhere in a LaMP-1 output', () => {
    expect(extractLenient('The answer is [2]: "Deep nets"', 'classification', ['[1]', '[2]'])).toBe('[2]');
    expect(extractLenient('Reference 2', 'classification', ['[1]', '[2]'])).toBe('');
  });

  it('finds the first tag named, case-insensitively and as whole words', () => {
    expect(extractLenient('I would say Dark Comedy, maybe comedy.', 'classification', movieTags)).toBe('dark comedy');
    expect(extractLenient('Tag: "twist ending"', 'classification', movieTags)).toBe('twist ending');
    expect(extractLenient('nonfiction about an actionable plan', 'classification', movieTags)).toBe('');
  });

  it('finds the first standalone digit 1–5 in a rating', () => {
    expect(extractLenient('I rate it 4 out of 5', 'rating', [])).toBe('4');
    expect(extractLenient('10/10, so a 5', 'rating', [])).toBe('5');
    expect(extractLenient('excellent', 'rating', [])).toBe('');
  });
});
