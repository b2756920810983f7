/** A proportion with its 95% confidence interval. */
export interface Rate {
  successes: number;
  trials: number;
  rate: number;
  low: number;
  high: number;
}

/** z for a two-sided 95% interval. */
const Z95 = 1.959964;

/**
 * The Wilson score interval (95%) for `successes` of `trials`; null when there are no trials.
 * Unlike the normal approximation it stays inside [0, 1] and behaves with the few labels a member gives.
 */
export function wilsonInterval(successes: number, trials: number): Rate | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { successes, trials, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Which of two approval rates is better, only when their intervals do not overlap; null while the
 * labels cannot tell them apart.
 */
export function compareRates(newer: Rate | null, older: Rate | null): 'better' | 'worse' | null {
  if (!newer || !older) return null;
  if (newer.low > older.high) return 'better';
  if (newer.high < older.low) return 'worse';
  return null;
}

/** `78% (95% interval 45–94%)` */
export function formatRate(rate: Rate): string {
  return `${percent(rate.rate)} (95% interval ${percent(rate.low, false)}–${percent(rate.high)})`;
}

function percent(value: number, sign = true): string {
  return `${Math.round(value * 100)}${sign ? '%' : ''}`;
}
