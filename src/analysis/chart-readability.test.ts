import { describe, expect, it } from 'vitest';
import { axisLabels, describedAs, marks, parseSvg, texts } from '../../test/support/svg-reading.js';
import { barChart, COSINE_SCALE, heatmap, intervalChart, JACCARD_SCALE, lineChart, renderSvg, scatterChart } from './charts.js';

const days = (count: number) => Array.from({ length: count }, (_, i) => new Date(Date.UTC(2026, 10, 1 + i)).toISOString().slice(0, 10));
/** The y extent of a vertical SVG line drawn from its translate by `y2`. */
const lineLength = (line: { getAttribute(name: string): string | null }) => Math.abs(Number(line.getAttribute('y2')));
const PLOT_HEIGHT = 300;

describe('a rate with its interval', () => {
  const versions = [
    { x: 'v1', y: 0.5, low: 0.2, high: 0.8 },
    { x: 'v2', y: 0.75, low: 0.45, high: 0.92 },
    { x: 'v3', y: 0.8, low: 0.5, high: 0.95 },
  ];

  it('draws an error bar per version spanning exactly its interval, with the point on it and both in the legend', async () => {
    const svg = parseSvg(await renderSvg(intervalChart({ title: 'Approval per persona version', xLabel: 'version', yLabel: 'approval', interval: '95% interval', percent: true, points: versions })));
    const bars = marks(svg, 'errorbar');
    expect(bars).toHaveLength(3);
    // On a 0–100% axis of 300 px, each bar is (high − low) × 300 px long.
    expect(bars.map(lineLength)).toEqual(versions.map((point) => expect.closeTo((point.high - point.low) * PLOT_HEIGHT, 6)));
    expect(bars.map((bar) => bar.getElementsByTagName('title')[0]?.textContent)).toEqual(versions.map((p) => `version ${p.x}: approval ${p.y} (95% interval ${p.low}–${p.high})`));
    expect(marks(svg, 'point')).toHaveLength(3);
    expect(describedAs(svg, 'legend')).toMatch(/2 values: approval, 95% interval$/);
    expect(axisLabels(svg, 'Y').map((label) => label.text)).toContain('100%');
  });

  it('draws a band over days, one point per day', async () => {
    const points = days(5).map((x, i) => ({ x, y: 0.5, low: 0.3 - 0.02 * i, high: 0.7 }));
    const svg = parseSvg(await renderSvg(intervalChart({ title: 'Approval per day', xLabel: 'day', yLabel: 'approval', interval: '95% interval', percent: true, points })));
    expect(marks(svg, 'errorband')).toHaveLength(1);
    expect(marks(svg, 'point')).toHaveLength(5);
  });

  it('refuses an estimate outside its interval', () => {
    expect(() => intervalChart({ title: 't', xLabel: 'x', yLabel: 'y', interval: 'i', points: [{ x: 'v1', y: 0.9, low: 0.2, high: 0.8 }] })).toThrow(/outside its interval/);
  });
});

describe('counts per day', () => {
  it('gives each series its own colour and legend entry, titles both axes, and keeps day labels apart', async () => {
    const spanned = days(30);
    const svg = parseSvg(
      await renderSvg(barChart({ title: 'Questions and labels per day', xLabel: 'day', yLabel: 'count', series: [{ name: 'questions', points: spanned.map((x, i) => ({ x, y: 1 + (i % 4) })) }, { name: 'labels', points: spanned.map((x, i) => ({ x, y: 1 + (i % 2) })) }] })),
    );
    const bars = marks(svg, 'bar');
    expect(bars).toHaveLength(60);
    expect(new Set(bars.map((bar) => bar.getAttribute('fill'))).size).toBe(2);
    expect(describedAs(svg, 'legend')).toMatch(/2 values: questions, labels$/);
    expect(describedAs(svg, 'X')).toContain("X-axis titled 'day'");
    expect(describedAs(svg, 'Y')).toContain("Y-axis titled 'count'");
    const shown = axisLabels(svg, 'X').filter((label) => label.visible);
    expect(shown[0]!.text).toBe('Nov 01');
    // "Nov 01" is about 35 px at 10 px: labels closer than that would overlap, so vega hides every other one.
    for (let i = 1; i < shown.length; i++) expect(shown[i]!.x - shown[i - 1]!.x).toBeGreaterThan(35);
    // Whole counts, whole ticks.
    expect(axisLabels(svg, 'Y').every((label) => /^\d+$/.test(label.text))).toBe(true);
  });
});

describe('the persona map', () => {
  it('names every point beside it and keeps its tooltip, with the projection under the title', async () => {
    const names = ['Alice Liddell', 'bob', 'discord:w1:carol', 'dave'];
    const points = names.map((label, i) => ({ x: i % 2, y: Math.floor(i / 2), label, group: 'g', tooltip: `${label}: likes tea` }));
    const svg = parseSvg(await renderSvg(scatterChart({ title: 'Live personas', subtitle: 'Projection: classical MDS (4 points)', points })));
    expect(texts(svg, 'point_labels_marks').map((label) => label.text).sort()).toEqual([...names].sort());
    expect(marks(svg, 'point').map((point) => point.getElementsByTagName('title')[0]?.textContent).sort()).toEqual(names.map((name) => `${name}: likes tea`).sort());
    expect(marks(svg, 'subtitle')[0]?.getAttribute('aria-label')).toContain('Projection: classical MDS (4 points)');
  });


  it('names points on one spot (identical personas) together, so neither name is lost', async () => {
    const points = [
      { x: 0, y: 0, label: 'alice', group: 'g' },
      { x: 2, y: 1, label: 'bob', group: 'g' },
      { x: 2, y: 1, label: 'carol', group: 'g' },
    ];
    const svg = parseSvg(await renderSvg(scatterChart({ title: 'Live personas', points })));
    expect(texts(svg, 'point_labels_marks').map((label) => label.text).sort()).toEqual(['alice', 'bob, carol']);
    expect(marks(svg, 'point')).toHaveLength(3);
  });

  it('draws both axes to one scale, so distances on the map keep their proportions', async () => {
    // Three points on a line, with rounding noise across it, and a square.
    const line = [{ x: 0.04, y: 1.5e-10 }, { x: -0.02, y: 1.56e-10 }, { x: -0.01, y: 1.47e-10 }];
    const square = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 1 }];
    const drawn = async (points: Array<{ x: number; y: number }>) => {
      const svg = parseSvg(await renderSvg(scatterChart({ title: 'map', points: points.map((point, i) => ({ ...point, label: `p${i}`, group: 'g' })) })));
      return marks(svg, 'point').map((point) => (/translate\(([^,]+),([^)]+)\)/.exec(point.getAttribute('transform') ?? '') ?? []).slice(1).map(Number) as [number, number]);
    };
    const flat = await drawn(line);
    expect(Math.max(...flat.map(([, y]) => y)) - Math.min(...flat.map(([, y]) => y))).toBeLessThan(1);
    const [a, b, c] = await drawn(square);
    expect(Math.abs(b![0] - a![0])).toBeCloseTo(Math.abs(c![1] - a![1]), 6);
  });
});

describe('sweep charts', () => {
  const methods = ['Prompt (non-personalised)', 'ICL', 'RAG-1', 'RAG-4', 'PAG-4', 'ReAct', 'MemBank', 'PersonaAgent', 'PersonaAgent w/o alignment', 'PersonaAgent w/o persona', 'PersonaAgent w/o memory', 'PersonaAgent w/o actions'];
  const spec = lineChart({ title: 'accuracy over n', xLabel: 'n', yLabel: 'accuracy', series: methods.map((name, m) => ({ name, points: [1, 3, 5].map((x) => ({ x, y: 0.3 + 0.02 * m })) })) });

  it('tells every method apart by colour and shape, names each in full in the legend, and ticks only the settings', async () => {
    const svg = parseSvg(await renderSvg(spec));
    const points = marks(svg, 'point');
    expect(points).toHaveLength(36);
    // Point paths are drawn at their own translate, so a shape has one `d` wherever it sits.
    const looks = new Set(points.map((point) => `${point.getAttribute('fill')} ${point.getAttribute('d')}`));
    expect(looks.size).toBe(12);
    expect(new Set(marks(svg, 'line mark').map((line) => line.getAttribute('stroke'))).size).toBe(12);
    expect(texts(svg, 'role-legend-label').map((label) => label.text)).toEqual(methods);
    expect(axisLabels(svg, 'X').map((label) => label.text)).toEqual(['1', '3', '5']);
  });
});

describe('heat maps', () => {
  const users = ['u1', 'u2', 'u3'];
  const draw = async (values: number[][], scale = JACCARD_SCALE) => parseSvg(await renderSvg(heatmap({ title: 'overlap', rows: users, columns: users, values, scale })));
  const fillOf = (svg: ReturnType<typeof parseSvg>, cell: string) => marks(svg, 'rect mark').find((rect) => rect.getElementsByTagName('title')[0]?.textContent?.startsWith(cell))?.getAttribute('fill');

  it('shades on a fixed scale whose legend is titled and labelled end to end', async () => {
    const high = await draw([[1, 0.6, 0.5], [0.6, 1, 0.55], [0.5, 0.55, 1]]);
    const low = await draw([[1, 0.1, 0.6], [0.1, 1, 0], [0.6, 0, 1]]);
    expect(texts(high, 'role-legend-title').map((title) => title.text)).toEqual(['Jaccard overlap']);
    for (const svg of [high, low]) expect(texts(svg, 'role-legend-label').map((label) => label.text)).toEqual(['0', '0.25', '0.5', '0.75', '1']);
    // The same value has the same colour whatever else the map holds.
    expect(fillOf(high, 'u1 × u2: 0.600')).toBe(fillOf(low, 'u1 × u3: 0.600'));
    expect(fillOf(high, 'u1 × u3')).not.toBe(fillOf(high, 'u1 × u1'));
  });

  it('centres a cosine scale on zero and refuses values off the scale', async () => {
    const svg = await draw([[1, -0.5, 0], [-0.5, 1, 0.5], [0, 0.5, 1]], COSINE_SCALE);
    expect(texts(svg, 'role-legend-label').map((label) => label.text)).toEqual(['−1', '−0.5', '0', '0.5', '1']); // vega writes a true minus sign
    expect(() => heatmap({ title: 't', rows: ['a'], columns: ['b'], values: [[1.5]], scale: JACCARD_SCALE })).toThrow(/outside the scale 0–1/);
  });
});
