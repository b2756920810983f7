import { checkFinite, checkUnique, isContinuous, refuse, SCHEMA, seriesColour, TOOLTIP, xEncoding, type ChartSpec } from './chart-parts.js';

export type { ChartSpec } from './chart-parts.js';

/** One series of a line or bar chart. */
export interface LineSeries {
  name: string;
  points: Array<{ x: number | string; y: number }>;
}

/** One estimate with its interval: `y` between `low` and `high`; `tooltip` (else the figures) shows on hover. */
export interface IntervalPoint {
  x: number | string;
  y: number;
  low: number;
  high: number;
  tooltip?: string;
}

/** The chart data of series: one row per point, each with its tooltip; series keep the order given. */
function seriesValues(input: { xLabel: string; yLabel: string; series: LineSeries[] }): { values: Array<{ series: string; x: number | string; y: number; tooltip: string }>; names: string[] } {
  const names = input.series.map((series) => series.name);
  checkUnique(names, 'series');
  const values = input.series.flatMap((series) =>
    series.points.map(({ x, y }) => {
      checkFinite(y, `Series "${series.name}" at x = ${x}`);
      return { series: series.name, x, y, tooltip: `${series.name}: ${input.xLabel} ${x} → ${input.yLabel} ${y}` };
    }),
  );
  return { values, names };
}

/** What every series chart starts with: schema, title, a 480 × 300 plot, and its inline data. */
function frame(title: string, values: Array<Record<string, unknown>>) {
  return { $schema: SCHEMA, title, width: 480, height: 300, data: { values } };
}

/** Lines with one marked point per setting, one colour per series (a sweep chart like the paper's Figure 3). */
export function lineChart(input: { title: string; xLabel: string; yLabel: string; series: LineSeries[] }): ChartSpec {
  const { values, names } = seriesValues(input);
  return {
    ...frame(input.title, values),
    mark: { type: 'line', point: { filled: true, size: 60 } },
    encoding: {
      x: xEncoding(values.map((value) => value.x), input.xLabel),
      y: { field: 'y', type: 'quantitative', title: input.yLabel },
      // The legend lists the series in the order given, not alphabetically; shapes tell apart lines whose colours are close.
      color: seriesColour(names),
      shape: { field: 'series', type: 'nominal', title: null, sort: names },
      ...TOOLTIP,
    },
  };
}

/** Bars side by side for each x, one colour per series in the order given (counts that a line would hide). */
export function barChart(input: { title: string; xLabel: string; yLabel: string; series: LineSeries[] }): ChartSpec {
  const { values, names } = seriesValues(input);
  return {
    ...frame(input.title, values),
    mark: { type: 'bar' },
    encoding: {
      x: xEncoding(values.map((value) => value.x), input.xLabel, 'discrete'),
      xOffset: { field: 'series', type: 'nominal', sort: names },
      // Whole counts get whole ticks, not 0.5 steps.
      y: { field: 'y', type: 'quantitative', title: input.yLabel, ...(values.every((value) => Number.isInteger(value.y)) ? { axis: { tickMinStep: 1, format: 'd' } } : {}) },
      color: seriesColour(names),
      ...TOOLTIP,
    },
  };
}

const ESTIMATE_BLUE = '#4c78a8';
const INTERVAL_BLUE = '#a6c4e2';

/**
 * An estimate per x as a line with points, its interval drawn around it: a band over a continuous axis
 * (days, numbers), error bars over separate settings (versions) or a single point. `percent` puts the
 * y axis on 0–100%.
 */
export function intervalChart(input: { title: string; xLabel: string; yLabel: string; interval: string; percent?: boolean; points: IntervalPoint[] }): ChartSpec {
  const values = input.points.map((point) => {
    for (const key of ['y', 'low', 'high'] as const) checkFinite(point[key], `Point at x = ${point.x}, ${key}`);
    if (point.low > point.y || point.y > point.high) refuse(`Point at x = ${point.x} has ${point.y} outside its interval ${point.low}–${point.high}.`);
    return { ...point, tooltip: point.tooltip || `${input.xLabel} ${point.x}: ${input.yLabel} ${point.y} (${input.interval} ${point.low}–${point.high})` };
  });
  const xs = values.map((value) => value.x);
  const band = isContinuous(xs) && new Set(xs).size > 1;
  const x = xEncoding(xs, input.xLabel);
  const y = { type: 'quantitative' as const, title: input.yLabel, ...(input.percent ? { scale: { domain: [0, 1] }, axis: { format: '.0%' } } : {}) };
  // One legend names both marks; the interval shares the estimate's hue, lighter.
  const color = (datum: string) => ({ datum, title: null, scale: { domain: [input.yLabel, input.interval], range: [ESTIMATE_BLUE, INTERVAL_BLUE] } });
  return {
    ...frame(input.title, values),
    layer: [
      {
        mark: band ? { type: 'errorband', opacity: 1 } : { type: 'errorbar', ticks: { size: 14 }, thickness: 2 },
        // The interval's own marks carry the point's tooltip too, rather than vega's field dump.
        encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: color(input.interval), ...TOOLTIP },
      },
      {
        mark: { type: 'line', point: { filled: true, size: 60 } },
        encoding: { x, y: { ...y, field: 'y' }, color: color(input.yLabel), ...TOOLTIP },
      },
    ],
  };
}

/** What a heat map's colours measure: the legend's title and the values its colours span. */
export interface HeatScale {
  title: string;
  /** Fixed, so two maps shade the same value alike; a domain below zero gets a diverging scheme centred on 0. */
  domain: [number, number];
}

/** Word overlap of two texts: 0 (none) to 1 (the same words). */
export const JACCARD_SCALE: HeatScale = { title: 'Jaccard overlap', domain: [0, 1] };
/** Cosine similarity of two embeddings: −1 (opposite) through 0 (unrelated) to 1 (the same direction). */
export const COSINE_SCALE: HeatScale = { title: 'cosine similarity', domain: [-1, 1] };

/** A rows × columns grid of cells shaded by value on a fixed scale with its legend (an overlap or similarity matrix). */
export function heatmap(input: { title: string; rows: string[]; columns: string[]; values: number[][]; scale: HeatScale }): ChartSpec {
  const [low, high] = input.scale.domain;
  if (!(low < high)) refuse(`The heat map's scale runs from ${low} to ${high}; it needs a low end below the high end.`);
  // Rounding lets a cosine of identical vectors come out a hair above 1; the clamped scale shades it as 1.
  const slack = (high - low) * 1e-6;
  checkUnique(input.rows, 'rows');
  checkUnique(input.columns, 'columns');
  if (input.values.length !== input.rows.length) refuse(`The heat map has ${input.rows.length} rows but ${input.values.length} rows of values.`);
  const values = input.rows.flatMap((row, r) => {
    const cells = input.values[r]!;
    if (cells.length !== input.columns.length) refuse(`Row "${row}" has ${cells.length} values for ${input.columns.length} columns.`);
    return input.columns.map((column, c) => {
      checkFinite(cells[c]!, `Cell "${row}" × "${column}"`);
      if (cells[c]! < low - slack || cells[c]! > high + slack) refuse(`Cell "${row}" × "${column}" is ${cells[c]}, outside the scale ${low}–${high}.`);
      return { row, column, value: cells[c]!, tooltip: `${row} × ${column}: ${cells[c]!.toFixed(3)}` };
    });
  });
  return {
    $schema: SCHEMA,
    title: input.title,
    // A step per cell, so a larger matrix grows instead of squeezing its labels together.
    width: { step: 24 },
    height: { step: 24 },
    data: { values },
    mark: 'rect',
    encoding: {
      x: { field: 'column', type: 'nominal', sort: input.columns, title: null },
      y: { field: 'row', type: 'nominal', sort: input.rows, title: null },
      color: {
        field: 'value',
        type: 'quantitative',
        title: input.scale.title,
        scale: { domain: [low, high], clamp: true, ...(low < 0 ? { domainMid: 0, scheme: 'redblue' } : { scheme: 'blues' }) },
        legend: { values: legendValues(low, high), format: '.2~f', gradientLength: LEGEND_LENGTH },
      },
      ...TOOLTIP,
    },
  };
}

/** A gradient legend long enough to read its five ticks, whatever the size of the matrix. */
const LEGEND_LENGTH = 160;

/** Five evenly spaced legend ticks from end to end of the scale, so both ends are labelled. */
function legendValues(low: number, high: number): number[] {
  return [0, 1, 2, 3, 4].map((step) => Number((low + ((high - low) * step) / 4).toFixed(6)));
}
