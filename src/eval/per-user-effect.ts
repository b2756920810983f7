import { seededRandom } from '../analysis/seeded-random.js';
import { officialScores } from './metrics.js';
import type { ItemRecord } from './predictions-log.js';
import type { TaskSpec } from './tasks.js';

/** Resamples of the bootstrap, and its seed: the same items always give the same interval. */
const RESAMPLES = 2000;
const SEED = 20250606;

/** The mean per-user difference between two methods, with a bootstrap 95% interval over users. */
export interface PerUserEffect {
  /** What is compared per user: accuracy, or MAE (for MAE a negative effect is an improvement). */
  metric: 'accuracy' | 'mae';
  users: number;
  mean: number;
  low: number;
  high: number;
  perUser: Array<{ userId: string; effect: number }>;
}

/**
 * Per user, the method's score minus the baseline's over the user's questions both answered
 * (accuracy for classification, MAE for ratings), and a percentile bootstrap 95% interval on the mean
 * (users resampled with replacement). Null when no user has questions in both.
 */
export function perUserEffect(task: TaskSpec, method: readonly ItemRecord[], baseline: readonly ItemRecord[]): PerUserEffect | null {
  const metric = task.kind === 'classification' ? 'accuracy' : 'mae';
  const score = (items: readonly ItemRecord[]) => {
    const scores = officialScores(task.kind, items.map((item) => item.prediction), items.map((item) => item.gold), task.labels);
    return scores.kind === 'classification' ? scores.accuracy : scores.mae;
  };
  const theirs = new Map(baseline.map((item) => [item.questionId, item]));
  const byUser = new Map<string, { ours: ItemRecord[]; theirs: ItemRecord[] }>();
  for (const item of method) {
    const other = theirs.get(item.questionId);
    if (!other) continue;
    const entry = byUser.get(item.userId) ?? { ours: [], theirs: [] };
    entry.ours.push(item);
    entry.theirs.push(other);
    byUser.set(item.userId, entry);
  }
  const perUser = [...byUser].map(([userId, pair]) => ({ userId, effect: score(pair.ours) - score(pair.theirs) }));
  if (perUser.length === 0) return null;
  const effects = perUser.map((entry) => entry.effect);
  const [low, high] = bootstrapInterval(effects);
  return { metric, users: perUser.length, mean: average(effects), low, high, perUser };
}

/** The 2.5th and 97.5th percentiles of the resampled means. */
export function bootstrapInterval(values: readonly number[], resamples = RESAMPLES, seed = SEED): [number, number] {
  const random = seededRandom(seed);
  const means = Array.from({ length: resamples }, () => {
    let sum = 0;
    for (let draw = 0; draw < values.length; draw += 1) sum += values[Math.floor(random() * values.length)]!;
    return sum / values.length;
  }).sort((a, b) => a - b);
  return [percentile(means, 0.025), percentile(means, 0.975)];
}

function percentile(sorted: readonly number[], fraction: number): number {
  const at = (sorted.length - 1) * fraction;
  const below = Math.floor(at);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

function average(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
