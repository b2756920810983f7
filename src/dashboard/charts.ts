import { randomUUID } from 'node:crypto';
import { barChart, heatmap, intervalChart, lineChart, renderSvg, scatterChart, type HeatScale, type IntervalPoint, type LineSeries, type ScatterPoint } from '../analysis/charts.js';

type SeriesInput = { title: string; xLabel: string; yLabel: string; series: LineSeries[] };

/** A line chart as inline SVG; null when no series has a point. */
export async function lineSvg(input: SeriesInput): Promise<string | null> {
  const series = input.series.filter((line) => line.points.length > 0);
  return series.length === 0 ? null : inline(await renderSvg(lineChart({ ...input, series })));
}

/** Grouped bars as inline SVG; null when no series has a point. */
export async function barSvg(input: SeriesInput): Promise<string | null> {
  const series = input.series.filter((bars) => bars.points.length > 0);
  return series.length === 0 ? null : inline(await renderSvg(barChart({ ...input, series })));
}

/** Rates with their intervals drawn around them, as inline SVG on a 0–100% axis; null without points. */
export async function rateSvg(input: { title: string; xLabel: string; yLabel: string; interval: string; points: IntervalPoint[] }): Promise<string | null> {
  return input.points.length === 0 ? null : inline(await renderSvg(intervalChart({ ...input, percent: true })));
}

/** A scatter chart (the persona map) as inline SVG; null without points. */
export async function scatterSvg(input: { title: string; subtitle?: string; points: ScatterPoint[] }): Promise<string | null> {
  return input.points.length === 0 ? null : inline(await renderSvg(scatterChart(input)));
}

/** A heat map as inline SVG; null without rows. */
export async function heatmapSvg(input: { title: string; rows: string[]; columns: string[]; values: number[][]; scale: HeatScale }): Promise<string | null> {
  return input.rows.length === 0 ? null : inline(await renderSvg(heatmap(input)));
}

/** Several SVGs share one page: their ids (a legend's gradient) get a prefix of their own so they cannot collide. */
function inline(svg: string): string {
  const prefix = `chart-${randomUUID().slice(0, 8)}-`;
  return svg.replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`);
}
