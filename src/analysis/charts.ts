import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import type { ChartSpec } from './chart-parts.js';
import { placePointLabels } from './scatter-chart.js';

export { barChart, COSINE_SCALE, heatmap, intervalChart, JACCARD_SCALE, lineChart, type ChartSpec, type HeatScale, type IntervalPoint, type LineSeries } from './chart-specs.js';
export { scatterChart, type ScatterPoint } from './scatter-chart.js';

const require = createRequire(import.meta.url);
// Fonts shipped by an npm package, so PNG text looks the same on any machine, with or without system fonts.
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) => require.resolve(`dejavu-fonts-ttf/ttf/${file}`));
const FONT_FAMILY = 'DejaVu Sans';

/** A headless vega view of a spec, with point labels placed; the caller runs it and must `finalize()` it. */
export function chartView(spec: ChartSpec): View {
  const compiled = compile(spec).spec;
  placePointLabels(compiled);
  return new View(parse(compiled), { renderer: 'none' });
}

/** Renders a vega-lite spec to a standalone SVG string; each data mark carries its tooltip as an SVG `<title>`. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const view = chartView(spec);
  try {
    return withTooltipTitles(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Vega's static SVG has no tooltips (its hover handler is browser code), but it writes each mark's
 * `description` channel as `aria-label`; our specs set that to the tooltip text, so it becomes a `<title>`,
 * which browsers and SVG viewers show on hover. The label is already escaped for XML.
 */
function withTooltipTitles(svg: string): string {
  return svg.replace(/<(path|rect|line|text|image)\b([^<>]*?)\s*\/>/g, (element, tag: string, attributes: string) => {
    if (!attributes.includes('role="graphics-symbol"')) return element;
    const label = /\saria-label="([^"]*)"/.exec(attributes)?.[1];
    return label === undefined ? element : `<${tag}${attributes}><title>${label}</title></${tag}>`;
  });
}

/** Rasterises an SVG to PNG at `scale` × its own size (2 by default, sharp on high-density screens). */
export function svgToPng(svg: string, options: { scale?: number } = {}): Buffer {
  const image = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  }).render();
  return image.asPng();
}

/** The files a chart was written to. */
export interface ChartFiles {
  svg: string;
  png: string;
  json: string;
}

/** Writes `<base>.svg`, `<base>.png` and `<base>.json` (the title, any subtitle and the data shown), creating the folder. */
export async function writeChart(spec: ChartSpec, basePath: string): Promise<ChartFiles> {
  const svg = await renderSvg(spec);
  const files: ChartFiles = { svg: `${basePath}.svg`, png: `${basePath}.png`, json: `${basePath}.json` };
  await mkdir(dirname(basePath), { recursive: true });
  await writeFile(files.svg, svg);
  await writeFile(files.png, svgToPng(svg));
  const title = typeof spec.title === 'object' && !Array.isArray(spec.title) ? { title: spec.title.text, subtitle: spec.title.subtitle } : { title: spec.title };
  await writeFile(files.json, `${JSON.stringify({ ...title, data: spec.data.values }, null, 2)}\n`);
  return files;
}
