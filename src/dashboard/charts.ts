/** One day's approval: labels standing now that were given that day, 👍 among them. */
export interface ApprovalPoint {
  x: string;
  rate: number;
  low: number;
  high: number;
}

/** Series for a line chart: a name and its points. */
export interface Series {
  name: string;
  points: Array<{ x: number | string; y: number }>;
}

/** Renders a line chart to SVG; null when there is nothing to draw. */
export async function lineSvg(_input: { title: string; xLabel: string; yLabel: string; series: Series[] }): Promise<string | null> {
  return null;
}
