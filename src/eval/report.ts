import { extractLenient, officialScores, type TaskScores } from './metrics.js';
import type { MethodSpec } from './methods.js';
import { paperBestBaseline, paperFigures, paperModel } from './paper-figures.js';
import type { ItemRecord, SetupRecord } from './predictions-log.js';
import type { TaskSpec } from './tasks.js';
import { addUsage, emptyUsage, type Usage } from './usage-meter.js';

/** One method's results over the selected questions. */
export interface MethodResult {
  spec: MethodSpec;
  questions: number;
  /** Questions without an answer (model failure); they count as wrong. */
  failed: number;
  official: TaskScores;
  /** Scores of the answers extracted from the outputs: not LaMP's metric. */
  lenient: TaskScores;
  usage: Usage;
  /** How alignment ended per user, when the method aligns. */
  alignment: Record<string, number>;
}

/** What the report says about the run itself. */
export interface RunDescription {
  task: TaskSpec;
  split: string;
  model: string;
  embedModel: string;
  users: number;
  questions: number;
  wikipedia: boolean;
  alignment: { batchSize: number; iterations: number };
}

/** Scores a method's items (in question order) and sums its usage. */
export function summarise(spec: MethodSpec, task: TaskSpec, items: ItemRecord[], setups: SetupRecord[]): MethodResult {
  const golds = items.map((item) => item.gold);
  const usage = emptyUsage();
  for (const record of [...setups, ...items]) addUsage(usage, record.usage);
  const alignment: Record<string, number> = {};
  for (const setup of setups) if (setup.alignment) alignment[setup.alignment.outcome] = (alignment[setup.alignment.outcome] ?? 0) + 1;
  return {
    spec,
    questions: items.length,
    failed: items.filter((item) => item.error !== undefined).length,
    official: officialScores(task.kind, items.map((item) => item.prediction), golds, task.labels),
    lenient: officialScores(task.kind, items.map((item) => extractLenient(item.output, task.kind, task.labels)), golds, task.labels),
    usage,
    alignment,
  };
}

/** The results as markdown: methods × metrics like the paper's Table 2 (ablations like Table 3), the paper's figures beside ours. */
export function renderMarkdown(run: RunDescription, results: MethodResult[]): string {
  const { task } = run;
  const [first, second] = task.kind === 'classification' ? ['Acc ↑', 'F1 ↑'] : ['MAE ↓', 'RMSE ↓'];
  const header = `| Method | ${first} | ${second} | Paper ${first.slice(0, -2)} | Paper ${second.slice(0, -2)} | Lenient ${first.slice(0, -2)}* | Lenient ${second.slice(0, -2)}* | Failed | Model calls | Tokens |`;
  const table = (rows: MethodResult[]) => [header, `|${' --- |'.repeat(10)}`, ...rows.map((result) => row(run, result))].join('\n');
  const main = results.filter((result) => !result.spec.ablation);
  const ablations = results.filter((result) => result.spec.ablation);
  const best = paperBestBaseline(task.id);
  const lines = [
    `# ${task.title} — ${run.model}`,
    '',
    `Split ${run.split} · ${run.users} users · ${run.questions} questions · embeddings ${run.embedModel} · Wikipedia ${run.wikipedia ? 'on' : 'off'} · alignment n = ${run.alignment.batchSize}, E = ${run.alignment.iterations}`,
    '',
  ];
  if (main.length > 0) lines.push(table(main), '');
  if (ablations.length > 0) lines.push('Ablations (the paper\'s Table 3 reports LaMP-1 accuracy only):', '', table(ablations), '');
  lines.push(
    `Paper figures: Zhang et al. 2025 (PersonaAgent) with ${paperModel}, time-based split, 100 users; their best baseline here is ${best.name} ${best.figures.map(format).join(' / ')}.`,
    `\\* Lenient: the answer is extracted from the output (${lenientRule(task)}); not LaMP's official metric.`,
    'Failed questions (the model gave no answer) count as wrong; rerun the same command to retry them. Model calls (chat and embedding) and tokens are what each method cost, whether answered by Ollama or later from the cache.',
  );
  return `${lines.join('\n')}\n`;
}

function row(run: RunDescription, result: MethodResult): string {
  const [paperFirst, paperSecond] = paperFigures(run.task.id, result.spec.name);
  const cells = [
    result.spec.label,
    ...pair(result.official),
    format(paperFirst),
    format(paperSecond),
    ...pair(result.lenient),
    String(result.failed),
    String(result.usage.chatCalls + result.usage.embedCalls),
    String(result.usage.promptTokens + result.usage.completionTokens),
  ];
  return `| ${cells.join(' | ')} |`;
}

function pair(scores: TaskScores): [string, string] {
  return scores.kind === 'classification' ? [format(scores.accuracy), format(scores.f1)] : [format(scores.mae), format(scores.rmse)];
}

function format(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '–' : value.toFixed(3);
}

function lenientRule(task: TaskSpec): string {
  if (task.kind === 'rating') return 'the first digit 1–5';
  return task.id === 'lamp1' ? '[1] or [2] anywhere' : 'the first label named, case-insensitively';
}
