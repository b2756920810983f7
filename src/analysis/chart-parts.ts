import type { TopLevelSpec } from 'vega-lite';
import type { ColorDef, PositionFieldDef } from 'vega-lite/types_unstable/channeldef.js';
import { AnalysisError } from './analysis-error.js';

/** A vega-lite spec whose data travel inline, so it renders here and in a browser with no loading. */
export type ChartSpec = TopLevelSpec & { data: { values: Array<Record<string, unknown>> } };

/** The vega-lite schema our specs are written against. */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Each mark's tooltip on hover, also written as its accessible description (the static SVG's `<title>`). */
export const TOOLTIP = { tooltip: { field: 'tooltip', type: 'nominal' }, description: { field: 'tooltip', type: 'nominal' } } as const;

/** Refuses a chart's input with an `AnalysisError` that says what is wrong. */
export function refuse(message: string): never {
  throw new AnalysisError('ANALYSIS_BAD_CHART', message);
}

/** Refuses NaN and infinities, which a scale cannot place. */
export function checkFinite(value: number, where: string): void {
  if (!Number.isFinite(value)) refuse(`${where} is ${value}; a chart needs finite numbers.`);
}

/** Refuses repeated names, whose marks would merge. */
export function checkUnique(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) refuse(`Two ${what} are both called "${name}"; names must differ or their marks would merge.`);
    seen.add(name);
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Pixels between the ends of a continuous axis and its first and last point. */
const EDGE = 16;
/** Labels up to this long read level on an x axis; longer ones are left to vega-lite to turn. */
const LEVEL_LABEL = 12;

/** Up to this many distinct numeric x values each get a tick of their own; more are left to vega's tick choice. */
const MOST_SETTING_TICKS = 12;
/** Ten colours that stay apart; more series take twenty (pairs of a hue, dark and light) and differ by shape too. */
const FEW_COLOURS = 10;
/** Room for a legend entry such as "PersonaAgent w/o alignment" before it is cut with an ellipsis. */
const LEGEND_LABEL_PIXELS = 260;

/** The colour of field `series`, one per name in the order given, with a legend that shows names in full. */
export function seriesColour(names: readonly string[]): ColorDef<string> {
  return { field: 'series', type: 'nominal', title: null, sort: [...names], scale: { scheme: names.length <= FEW_COLOURS ? 'tableau10' : 'tableau20' }, legend: { labelLimit: LEGEND_LABEL_PIXELS } };
}

/** How an x axis reads: `continuous` places values by their size or date, `discrete` gives each its own slot. */
export type XKind = 'continuous' | 'discrete';

/** True when every x is a UTC day such as `2026-11-28`. */
export function allDays(xs: ReadonlyArray<number | string>): boolean {
  return xs.length > 0 && xs.every((x) => typeof x === 'string' && DAY.test(x));
}

/**
 * The x encoding of field `x`: days (`YYYY-MM-DD`) on a UTC time axis, numbers on a numeric one, any
 * other value in the order given (settings such as "k=4", versions). `discrete` gives days and numbers
 * a slot each too, as grouped bars need.
 */
export function xEncoding(xs: ReadonlyArray<number | string>, title: string, kind: XKind = 'continuous'): PositionFieldDef<string> {
  // Points at the ends of a continuous axis keep clear of the axis lines.
  const scale = { padding: EDGE };
  if (allDays(xs)) {
    // Day strings are UTC midnights; a UTC time unit keeps them on their own day in any time zone.
    const axis = { format: '%b %d', labelAngle: 0 };
    return kind === 'discrete'
      ? { field: 'x', type: 'ordinal', timeUnit: 'utcyearmonthdate', title, axis }
      : { field: 'x', type: 'temporal', timeUnit: 'utcyearmonthdate', title, scale, axis: { ...axis, tickCount: { interval: 'day', step: 1 } } };
  }
  if (kind === 'continuous' && xs.every((x) => typeof x === 'number')) {
    // Ticks at the settings themselves (n = 1, 3, 5), not at 0.5 steps between them.
    const settings = [...new Set(xs as number[])].sort((a, b) => a - b);
    const axis = settings.length <= MOST_SETTING_TICKS ? { values: settings, ...(settings.every(Number.isInteger) ? { format: 'd' } : {}) } : {};
    return { field: 'x', type: 'quantitative', title, scale, axis };
  }
  const level = xs.every((x) => String(x).length <= LEVEL_LABEL);
  return { field: 'x', type: 'ordinal', title, sort: null, ...(level ? { axis: { labelAngle: 0 } } : {}) };
}

/** True when `xEncoding` would place these values on a continuous axis. */
export function isContinuous(xs: ReadonlyArray<number | string>): boolean {
  return allDays(xs) || xs.every((x) => typeof x === 'number');
}
