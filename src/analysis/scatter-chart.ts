import { checkFinite, SCHEMA, TOOLTIP, type ChartSpec } from './chart-parts.js';

/** One point of a scatter chart: `label` names it, `group` colours it, `tooltip` (else the label) shows on hover. */
export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
  group: string;
  tooltip?: string;
}

/** The name of a scatter chart's label layer; the renderer places these labels (see `placePointLabels`). */
export const POINT_LABELS = 'point_labels';
const LABEL_SIZE = 11;
/** Right of a point first (reading on), then left, above, below, then the corners. */
const ANCHORS = ['right', 'left', 'top', 'bottom', 'top-right', 'bottom-right', 'top-left', 'bottom-left'];
/** From a point's centre: past the point's radius (size 80 ≈ 5 px) with a little air. */
const LABEL_OFFSET = 7;

/**
 * Points coloured by group, each named by a label beside it and carrying a tooltip (a persona map like
 * the paper's Figure 2); `subtitle` goes under the title (how the map was projected).
 */
export function scatterChart(input: { title: string; subtitle?: string; points: ScatterPoint[] }): ChartSpec {
  const values = input.points.map((point, index) => {
    checkFinite(point.x, `Point ${index} ("${point.label}") x`);
    checkFinite(point.y, `Point ${index} ("${point.label}") y`);
    return { x: point.x, y: point.y, label: point.label, group: point.group, tooltip: point.tooltip || point.label };
  });
  const names = sharedNames(values);
  const domains = equalUnitDomains(values);
  return {
    $schema: SCHEMA,
    title: input.subtitle ? { text: input.title, subtitle: input.subtitle } : input.title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: values.map((value, index) => ({ ...value, name: names[index] })) },
    encoding: {
      // A projection's axes have no units; only the distances mean something, so both axes share one scale.
      x: { field: 'x', type: 'quantitative', axis: null, scale: { domain: domains.x, zero: false, nice: false } },
      y: { field: 'y', type: 'quantitative', axis: null, scale: { domain: domains.y, zero: false, nice: false } },
    },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 80 },
        encoding: { color: { field: 'group', type: 'nominal', title: null }, ...TOOLTIP },
      },
      // Names only for the eye: the points already name themselves to screen readers and on hover.
      { name: POINT_LABELS, transform: [{ filter: 'datum.name !== ""' }], mark: { type: 'text', fontSize: LABEL_SIZE, color: '#333', aria: false }, encoding: { text: { field: 'name', type: 'nominal' } } },
    ],
  };
}

const WIDTH = 480;
const HEIGHT = 400;
/** Pixels kept clear between the outermost points and the frame, for their labels. */
const MARGIN = 24;

/**
 * Domains that give both axes the same units per pixel and fit every point inside the margin: a map
 * whose points spread on one axis only (1e-10 apart on the other, as MDS of three points may give)
 * must not blow that noise up to the chart's full height.
 */
function equalUnitDomains(points: ReadonlyArray<{ x: number; y: number }>): { x: [number, number]; y: [number, number] } {
  if (points.length === 0) return { x: [-1, 1], y: [-1, 1] };
  const extent = (values: number[]) => [Math.min(...values), Math.max(...values)] as const;
  const [left, right] = extent(points.map((point) => point.x));
  const [bottom, top] = extent(points.map((point) => point.y));
  // One point (or all on one spot) has no spread: any unit shows it in the middle.
  const unit = Math.max((right - left) / (WIDTH - 2 * MARGIN), (top - bottom) / (HEIGHT - 2 * MARGIN)) || 1;
  const around = (centre: number, pixels: number): [number, number] => [centre - (unit * pixels) / 2, centre + (unit * pixels) / 2];
  return { x: around((left + right) / 2, WIDTH), y: around((bottom + top) / 2, HEIGHT) };
}

/** Points closer than this share of the map's span sit on one spot (identical personas do). */
const SAME_SPOT = 1e-6;

/**
 * The name drawn beside each point: points on one spot would hide each other's labels, so the first
 * of them is named by all ("bob, carol") and the rest by nothing (an empty name is not drawn).
 */
function sharedNames(points: ReadonlyArray<{ x: number; y: number; label: string }>): string[] {
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) || 1;
  const spots = new Map<string, number[]>();
  points.forEach((point, index) => {
    const spot = `${Math.round(point.x / span / SAME_SPOT)},${Math.round(point.y / span / SAME_SPOT)}`;
    spots.set(spot, [...(spots.get(spot) ?? []), index]);
  });
  const names = points.map(() => '');
  for (const [first, ...rest] of spots.values()) names[first!] = [first!, ...rest].map((index) => points[index]!.label).join(', ');
  return names;
}

/** A compiled vega spec, as far as placing labels needs it. */
interface VegaMarks {
  marks?: Array<VegaMarks & { name?: string; type: string; transform?: unknown[] }>;
}

/**
 * Vega-lite has no label placement, but the vega it compiles to does (the `label` transform): each label
 * tries the anchors around its point in turn and is left out where every one would overlap another label
 * or point, so a crowded map shows the names that fit and keeps the rest on hover. Changes `spec` in place.
 */
export function placePointLabels(spec: VegaMarks): void {
  for (const mark of spec.marks ?? []) {
    if (mark.name === `${POINT_LABELS}_marks`) {
      // Without reactive geometry the transform avoids each point's centre and needs no canvas to measure points.
      mark.transform = [{ type: 'label', size: { signal: '[width, height]' }, anchor: ANCHORS, offset: [LABEL_OFFSET] }];
    }
    placePointLabels(mark);
  }
}
