import type { TopLevelSpec } from 'vega-lite';
import { AnalysisError } from './analysis-error.js';

/** A vega-lite spec whose data travel inline, so it renders here and in a browser with no loading. */
export type ChartSpec = TopLevelSpec & { data: { values: Array<Record<string, unknown>> } };

/** One line of a line chart. */
export interface LineSeries {
  name: string;
  points: Array<{ x: number | string; y: number }>;
}

/** One point of a scatter chart: `label` names it, `group` colours it, `tooltip` (else the label) shows on hover. */
export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
  group: string;
  tooltip?: string;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function refuse(message: string): never {
  throw new AnalysisError('ANALYSIS_BAD_CHART', message);
}

function checkFinite(value: number, where: string): void {
  if (!Number.isFinite(value)) refuse(`${where} is ${value}; a chart needs finite numbers.`);
}

function checkUnique(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) refuse(`Two ${what} are both called "${name}"; names must differ or their marks would merge.`);
    seen.add(name);
  }
}

/** Lines with one marked point per setting, one colour per series (a sweep chart like the paper's Figure 3). */
export function lineChart(input: { title: string; xLabel: string; yLabel: string; series: LineSeries[] }): ChartSpec {
  checkUnique(
    input.series.map((series) => series.name),
    'series',
  );
  const values = input.series.flatMap((series) =>
    series.points.map(({ x, y }) => {
      checkFinite(y, `Series "${series.name}" at x = ${x}`);
      return { series: series.name, x, y, tooltip: `${series.name}: ${input.xLabel} ${x} → ${input.yLabel} ${y}` };
    }),
  );
  const numericX = values.every((value) => typeof value.x === 'number');
  return {
    $schema: SCHEMA,
    title: input.title,
    width: 480,
    height: 300,
    data: { values },
    mark: { type: 'line', point: { filled: true, size: 60 } },
    encoding: {
      // Settings such as "k=4" keep the order they were given in; numbers get a numeric axis.
      x: numericX
        ? { field: 'x', type: 'quantitative', title: input.xLabel }
        : { field: 'x', type: 'ordinal', title: input.xLabel, sort: null },
      y: { field: 'y', type: 'quantitative', title: input.yLabel },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: { field: 'tooltip', type: 'nominal' },
      description: { field: 'tooltip', type: 'nominal' },
    },
  };
}

/** Points coloured by group with one tooltip each (a persona map like the paper's Figure 2). */
export function scatterChart(input: { title: string; points: ScatterPoint[] }): ChartSpec {
  const values = input.points.map((point, index) => {
    checkFinite(point.x, `Point ${index} ("${point.label}") x`);
    checkFinite(point.y, `Point ${index} ("${point.label}") y`);
    return { x: point.x, y: point.y, label: point.label, group: point.group, tooltip: point.tooltip || point.label };
  });
  return {
    $schema: SCHEMA,
    title: input.title,
    width: 480,
    height: 400,
    data: { values },
    mark: { type: 'point', filled: true, size: 80 },
    encoding: {
      // A projection's axes have no units; only the distances mean something.
      x: { field: 'x', type: 'quantitative', axis: null, scale: { zero: false, nice: false, padding: 16 } },
      y: { field: 'y', type: 'quantitative', axis: null, scale: { zero: false, nice: false, padding: 16 } },
      color: { field: 'group', type: 'nominal', title: null },
      tooltip: { field: 'tooltip', type: 'nominal' },
      description: { field: 'tooltip', type: 'nominal' },
    },
  };
}

/** A rows × columns grid of cells shaded by value (an overlap or similarity matrix). */
export function heatmap(input: { title: string; rows: string[]; columns: string[]; values: number[][] }): ChartSpec {
  checkUnique(input.rows, 'rows');
  checkUnique(input.columns, 'columns');
  if (input.values.length !== input.rows.length) refuse(`The heat map has ${input.rows.length} rows but ${input.values.length} rows of values.`);
  const values = input.rows.flatMap((row, r) => {
    const cells = input.values[r]!;
    if (cells.length !== input.columns.length) refuse(`Row "${row}" has ${cells.length} values for ${input.columns.length} columns.`);
    return input.columns.map((column, c) => {
      checkFinite(cells[c]!, `Cell "${row}" × "${column}"`);
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
      color: { field: 'value', type: 'quantitative', title: null, scale: { scheme: 'blues' } },
      tooltip: { field: 'tooltip', type: 'nominal' },
      description: { field: 'tooltip', type: 'nominal' },
    },
  };
}
