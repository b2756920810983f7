import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSvg, marks } from '../../test/support/svg-reading.js';
import { AnalysisError } from './analysis-error.js';
import { heatmap, JACCARD_SCALE, lineChart, renderSvg, scatterChart, svgToPng, writeChart } from './charts.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function expectPngOf(svg: ReturnType<typeof parseSvg>, png: Buffer, scale: number): void {
  expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  const root = svg.documentElement!;
  expect(pngSize(png)).toEqual({ width: Number(root.getAttribute('width')) * scale, height: Number(root.getAttribute('height')) * scale });
}

const sweep = lineChart({
  title: 'Accuracy by n',
  xLabel: 'n',
  yLabel: 'accuracy',
  series: [
    { name: 'PersonaAgent', points: [{ x: 1, y: 0.5 }, { x: 3, y: 0.6 }, { x: 5, y: 0.65 }] },
    { name: 'w/o alignment', points: [{ x: 1, y: 0.45 }, { x: 3, y: 0.47 }] },
  ],
});

describe('charts', () => {
  it('draws a line chart with one line per series and one point per setting', async () => {
    const svg = parseSvg(await renderSvg(sweep));
    expect(marks(svg, 'line mark')).toHaveLength(2);
    expect(marks(svg, 'point')).toHaveLength(5);
    expect(svg.documentElement!.textContent).toContain('Accuracy by n');
  });

  it('keeps non-numeric settings in the order given', async () => {
    const spec = lineChart({ title: 'k', xLabel: 'k', yLabel: 'F1', series: [{ name: 'a', points: ['k=8', 'k=1', 'k=4'].map((x, i) => ({ x, y: i })) }] });
    const labels = Array.from(parseSvg(await renderSvg(spec)).getElementsByTagName('text')).map((text) => text.textContent);
    expect(labels.filter((label) => label?.startsWith('k='))).toEqual(['k=8', 'k=1', 'k=4']);
  });

  it('draws a scatter chart with one point per member, each carrying its tooltip as a <title>', async () => {
    const spec = scatterChart({
      title: 'Persona map',
      points: [
        { x: 0, y: 0, label: 'alice', group: 'sports', tooltip: 'Likes <Rust> & "cooking"' },
        { x: 1, y: 2, label: 'bob', group: 'sports' },
        { x: 5, y: 1, label: 'carol', group: 'politics' },
      ],
    });
    const svg = parseSvg(await renderSvg(spec));
    const points = marks(svg, 'point');
    expect(points).toHaveLength(3);
    const titles = points.map((point) => point.getElementsByTagName('title')[0]?.textContent);
    expect(titles.sort()).toEqual(['Likes <Rust> & "cooking"', 'bob', 'carol']);
    expect(new Set(points.map((point) => point.getAttribute('fill'))).size).toBe(2);
  });

  it('draws a heat map with one cell per row and column', async () => {
    const spec = heatmap({ title: 'Overlap', rows: ['a', 'b', 'c'], columns: ['x', 'y'], values: [[1, 0.5], [0.5, 1], [0, 0.25]], scale: JACCARD_SCALE });
    const svg = parseSvg(await renderSvg(spec));
    const cells = marks(svg, 'rect mark');
    expect(cells).toHaveLength(6);
    expect(cells.map((cell) => cell.getElementsByTagName('title')[0]?.textContent)).toContain('c × y: 0.250');
  });

  it('rasterises to a PNG of the SVG size times the scale', async () => {
    const svgText = await renderSvg(sweep);
    expectPngOf(parseSvg(svgText), svgToPng(svgText), 2);
    expectPngOf(parseSvg(svgText), svgToPng(svgText, { scale: 1 }), 1);
  });

  it('draws text into the PNG with the bundled font', () => {
    const page = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><rect width="120" height="30" fill="white"/>${body}</svg>`;
    const blank = svgToPng(page(''));
    const text = (words: string, weight: string) => svgToPng(page(`<text x="4" y="20" font-family="sans-serif" font-weight="${weight}" font-size="14px">${words}</text>`));
    expect(text('Persona', 'normal').equals(blank)).toBe(false);
    expect(text('Persona', 'bold').equals(blank)).toBe(false);
    expect(text('Persona', 'normal').equals(text('Members', 'normal'))).toBe(false);
  });

  it('refuses data it cannot draw, saying what is wrong', () => {
    expect(() => heatmap({ title: 't', rows: ['a'], columns: ['x', 'y'], values: [[1]], scale: JACCARD_SCALE })).toThrow(/Row "a" has 1 values for 2 columns/);
    expect(() => heatmap({ title: 't', rows: ['a', 'a'], columns: ['x'], values: [[1], [1]], scale: JACCARD_SCALE })).toThrow(AnalysisError);
    expect(() => lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [{ x: 1, y: Number.NaN }] }] })).toThrow(/finite/);
  });
});

describe('writeChart', () => {
  let folder: string | undefined;
  afterEach(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
    folder = undefined;
  });

  it('writes the SVG, the PNG and the data shown beside them', async () => {
    folder = await mkdtemp(join(tmpdir(), 'charts-'));
    const files = await writeChart(sweep, join(folder, 'nested', 'sweep-n'));
    expect(files).toEqual({ svg: join(folder, 'nested', 'sweep-n.svg'), png: join(folder, 'nested', 'sweep-n.png'), json: join(folder, 'nested', 'sweep-n.json') });
    const svg = parseSvg(await readFile(files.svg, 'utf8'));
    expect(marks(svg, 'point')).toHaveLength(5);
    expectPngOf(svg, await readFile(files.png), 2);
    const data = JSON.parse(await readFile(files.json, 'utf8')) as { title: string; data: Array<{ series: string; x: number; y: number }> };
    expect(data.title).toBe('Accuracy by n');
    expect(data.data.map(({ series, x, y }) => [series, x, y])).toEqual([
      ['PersonaAgent', 1, 0.5],
      ['PersonaAgent', 3, 0.6],
      ['PersonaAgent', 5, 0.65],
      ['w/o alignment', 1, 0.45],
      ['w/o alignment', 3, 0.47],
    ]);
  });
});
