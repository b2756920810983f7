/**
 * `npm run bench:analysis`: how long the analysis module takes for a map of 200 members with
 * 768-dimension persona embeddings (as nomic-embed-text gives), beside the raw libraries it wraps;
 * then how well MDS and UMAP keep the structure of smaller maps (bench/projection-quality.ts).
 */
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { UMAP } from 'umap-js';
import { heatmap, JACCARD_SCALE, renderSvg, scatterChart, svgToPng } from '../src/analysis/charts.js';
import { cosineSimilarityMatrix, jaccardMatrix, projectTo2d } from '../src/analysis/persona-map.js';
import { seededGaussian, seededRandom } from '../src/analysis/seeded-random.js';
import { projectionQuality } from './projection-quality.js';

const MEMBERS = 200;
const DIMENSION = 768;
const RUNS = 3;

/** Members in 4 topics: each topic's vectors scatter around its own random centre. */
function personaVectors(): Float32Array[] {
  const gaussian = seededGaussian(seededRandom(1));
  const centres = Array.from({ length: 4 }, () => Array.from({ length: DIMENSION }, gaussian));
  return Array.from({ length: MEMBERS }, (_, i) => Float32Array.from(centres[i % 4]!, (value) => value + 0.5 * gaussian()));
}

async function median(run: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

function row(what: string, ours: number, raw?: number): void {
  const rawText = raw === undefined ? '' : `   raw ${raw.toFixed(0).padStart(6)} ms   ratio ${(ours / raw).toFixed(2)}`;
  console.log(`${what.padEnd(44)} ours ${ours.toFixed(0).padStart(6)} ms${rawText}`);
}

async function rawSvg(spec: Parameters<typeof renderSvg>[0]): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

async function main(): Promise<void> {
  const vectors = personaVectors();
  const rows = vectors.map((vector) => Array.from(vector));
  console.log(`analysis: ${MEMBERS} vectors × ${DIMENSION} dimensions, median of ${RUNS} runs`);
  row('projectTo2d mds (cosine)', await median(() => projectTo2d(vectors, { method: 'mds' })));
  row('projectTo2d umap (cosine)', await median(() => projectTo2d(vectors)), await median(() => new UMAP({ nNeighbors: 15 }).fit(rows)));
  row('projectTo2d tsne (cosine, 500 steps)', await median(() => projectTo2d(vectors, { method: 'tsne' })));
  row('cosineSimilarityMatrix', await median(() => cosineSimilarityMatrix(vectors)));
  const texts = Array.from({ length: MEMBERS }, (_, i) => `member ${i} likes topic ${i % 4} and writes about subject ${i % 17} every week`);
  row('jaccardMatrix', await median(() => jaccardMatrix(texts)));
  const points = projectTo2d(vectors).map((point, i) => ({ ...point, label: `member ${i}`, group: `topic ${i % 4}` }));
  const map = scatterChart({ title: 'Persona map', points });
  row('renderSvg: scatter of 200 points', await median(() => renderSvg(map)), await median(() => rawSvg(map)));
  const svg = await renderSvg(map);
  row('svgToPng: that scatter at 2×', await median(() => svgToPng(svg)));
  const names = texts.slice(0, 50).map((_, i) => `member ${i}`);
  const overlap = heatmap({ title: 'Persona overlap', rows: names, columns: names, values: jaccardMatrix(texts.slice(0, 50)), scale: JACCARD_SCALE });
  row('renderSvg + svgToPng: heat map 50 × 50', await median(async () => svgToPng(await renderSvg(overlap))));
  projectionQuality();
}

await main();
