import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart, writeChart, type ChartFiles } from '../analysis/charts.js';
import { modelChoice } from '../config.js';
import type { Sweep } from './args.js';
import { runOnce, type EvalContext, type RunIo } from './eval-run.js';
import type { TaskScores } from './metrics.js';
import { slug } from './run-eval.js';

/** One point of a sweep: a method's score with the swept setting at one value. */
export interface SweepPoint {
  method: string;
  value: number;
  /** Accuracy, or MAE for ratings. */
  score: number;
  /** The run's report, without its extension. */
  report: string;
}

/** What a sweep wrote. */
export interface SweepOutcome {
  sweep: Sweep;
  points: SweepPoint[];
  /** `<base>.md`: the table, with each run's report. */
  base: string;
  /** The chart: lines with one point per setting, and the data it shows. */
  chart: ChartFiles;
}

const names: Record<Sweep['parameter'], string> = { n: 'alignment batch n', E: 'alignment iterations E', k: 'retrieved memories K' };

/**
 * One run per value of each swept setting, the others as configured, like the paper's Figure 3. Each
 * run is an ordinary run with its own report, so an interrupted sweep resumes where it stopped.
 */
export async function runSweeps(context: EvalContext, io: RunIo, sweeps: readonly Sweep[]): Promise<SweepOutcome[]> {
  const outcomes: SweepOutcome[] = [];
  for (const sweep of sweeps) {
    const points: SweepPoint[] = [];
    for (const value of sweep.values) {
      const run = await runOnce(context, io, { [sweep.parameter]: value });
      for (const result of run.results) points.push({ method: result.spec.label, value, score: primary(result.official), report: run.base });
    }
    const base = sweepBase(context, sweep);
    const table = sweepTable(context, sweep, points);
    writeFileSync(`${base}.md`, table);
    const chart = await writeChart(sweepChart(context, sweep, points), base);
    io.stdout.write(`\n${table}`);
    io.stderr.write(`Wrote ${base}.md, ${chart.svg}, ${chart.png} and ${chart.json}\n`);
    outcomes.push({ sweep, points, base, chart });
  }
  return outcomes;
}

function primary(scores: TaskScores): number {
  return scores.kind === 'classification' ? scores.accuracy : scores.mae;
}

function metricName(context: EvalContext): string {
  return context.task.kind === 'classification' ? 'accuracy' : 'MAE';
}

function sweepBase(context: EvalContext, sweep: Sweep): string {
  const { options, task, config } = context;
  const hash = createHash('sha256')
    .update(JSON.stringify({ data: context.dataset.fingerprint, methods: context.methods.map((spec) => spec.name), users: options.users, limit: options.limitQuestions, values: sweep.values, wikipedia: context.wikipedia, backend: context.backend }))
    .digest('hex')
    .slice(0, 8);
  return join(context.outDir, `${task.id}-${options.split}-${slug(modelChoice(config).chat.model)}-sweep-${sweep.parameter}-${hash}`);
}

function sweepChart(context: EvalContext, sweep: Sweep, points: SweepPoint[]) {
  const methods = [...new Set(points.map((point) => point.method))];
  return lineChart({
    title: `${context.task.title}: ${metricName(context)} over ${names[sweep.parameter]}`,
    xLabel: sweep.parameter,
    yLabel: metricName(context),
    series: methods.map((method) => ({ name: method, points: points.filter((point) => point.method === method).map((point) => ({ x: point.value, y: point.score })) })),
  });
}

function sweepTable(context: EvalContext, sweep: Sweep, points: SweepPoint[]): string {
  const methods = [...new Set(points.map((point) => point.method))];
  const cell = (method: string, value: number) => points.find((point) => point.method === method && point.value === value)?.score.toFixed(3) ?? '–';
  return [
    `# ${context.task.title}: ${metricName(context)} over ${names[sweep.parameter]}`,
    '',
    `| Method | ${sweep.values.map((value) => `${sweep.parameter} = ${value}`).join(' | ')} |`,
    `|${' --- |'.repeat(sweep.values.length + 1)}`,
    ...methods.map((method) => `| ${method} | ${sweep.values.map((value) => cell(method, value)).join(' | ')} |`),
    '',
    'Reports of the runs:',
    ...[...new Set(points.map((point) => point.report))].map((report) => `- ${report}.md`),
    '',
  ].join('\n');
}
