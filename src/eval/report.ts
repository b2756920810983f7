import { extractLenient, officialScores, type TaskScores } from './metrics.js';
import { getMethod, type MethodSpec } from './methods.js';
import { missingFigures, missingFiguresReason, paperBestBaseline, paperFigures, paperModel, paperSources, recordedFigures } from './paper-figures.js';
import type { PerUserEffect } from './per-user-effect.js';
import type { ItemRecord, SetupRecord } from './predictions-log.js';
import type { SplitReport } from './split-check.js';
import type { TaskSpec } from './tasks.js';
import { addUsage, emptyUsage, type Usage } from './usage-meter.js';

/** One method's results over the selected questions. */
export interface MethodResult {
  spec: MethodSpec;
  questions: number;
  /** Questions without an answer (model failure, a prompt the context cannot hold); they count as wrong. */
  failed: number;
  /** Questions whose prompt had to leave something out to fit the context. */
  trimmed: number;
  official: TaskScores;
  /** Scores of the answers extracted from the outputs: not LaMP's metric. */
  lenient: TaskScores;
  usage: Usage;
  /** How alignment ended per user (accepted, rejected, failed, skipped), when the method aligns. */
  rewrites: Record<string, number>;
  /** Why rewrites were not kept, with how many users each reason stopped. */
  rewriteReasons: Record<string, number>;
}

/** What the report says about the run itself. */
export interface RunDescription {
  task: TaskSpec;
  split: string;
  splitReport: SplitReport;
  model: string;
  embedModel: string;
  /** The chat server, as the footnote names it ("Ollama", "the OpenAI-compatible server"). */
  server: string;
  /** The context prompts are fitted to, and where it comes from. */
  context: string;
  users: number;
  questions: number;
  wikipedia: boolean;
  topK: number;
  alignment: { batchSize: number; iterations: number };
}

/** Scores a method's items (in question order) and sums its usage. */
export function summarise(spec: MethodSpec, task: TaskSpec, items: ItemRecord[], setups: SetupRecord[]): MethodResult {
  const golds = items.map((item) => item.gold);
  const usage = emptyUsage();
  for (const record of [...setups, ...items]) addUsage(usage, record.usage);
  const rewrites: Record<string, number> = {};
  const rewriteReasons: Record<string, number> = {};
  for (const { alignment } of setups) {
    if (!alignment) continue;
    rewrites[alignment.outcome] = (rewrites[alignment.outcome] ?? 0) + 1;
    if (alignment.outcome !== 'accepted') rewriteReasons[`${alignment.outcome}: ${alignment.reason}`] = (rewriteReasons[`${alignment.outcome}: ${alignment.reason}`] ?? 0) + 1;
  }
  return {
    spec,
    questions: items.length,
    failed: items.filter((item) => item.error !== undefined).length,
    trimmed: items.filter((item) => (item.trimmed?.length ?? 0) > 0).length,
    official: officialScores(task.kind, items.map((item) => item.prediction), golds, task.labels),
    lenient: officialScores(task.kind, items.map((item) => extractLenient(item.output, task.kind, task.labels)), golds, task.labels),
    usage,
    rewrites,
    rewriteReasons,
  };
}

/** The results as markdown: methods × metrics like the paper's Table 2 (ablations like Table 3), the paper's figures beside ours. */
export function renderMarkdown(run: RunDescription, results: MethodResult[], effect: PerUserEffect | null): string {
  const { task } = run;
  const [first, second] = task.kind === 'classification' ? ['Acc ↑', 'F1 ↑'] : ['MAE ↓', 'RMSE ↓'];
  const name = (metric: string) => metric.slice(0, -2);
  const header = `| Method | ${first} | ${second} | Paper ${name(first)} | Paper ${name(second)} | Lenient ${name(first)}* | Lenient ${name(second)}* | Rewrites kept/rejected/failed | Failed | Trimmed | Model calls | Tokens |`;
  const table = (rows: MethodResult[]) => [header, `|${' --- |'.repeat(12)}`, ...rows.map((result) => row(run, result))].join('\n');
  const main = results.filter((result) => !result.spec.ablation);
  const ablations = results.filter((result) => result.spec.ablation);
  const best = paperBestBaseline(task.id);
  const lines = [
    `# ${task.title} — ${run.model}`,
    '',
    `Split ${run.split}: ${run.splitReport.kind} (${run.splitReport.why}) · ${run.users} users · ${run.questions} questions · embeddings ${run.embedModel} · ${run.context} · Wikipedia ${run.wikipedia ? 'on' : 'off'} · K = ${run.topK} · alignment n = ${run.alignment.batchSize}, E = ${run.alignment.iterations}`,
    '',
  ];
  if (run.splitReport.warnings.length > 0) lines.push('**Data warnings:**', ...run.splitReport.warnings.map((warning) => `- ${warning}`), '');
  if (main.length > 0) lines.push(table(main), '');
  if (ablations.length > 0) lines.push('Ablations (the paper\'s Table 3):', '', table(ablations), '');
  lines.push(...rewriteNotes(results), ...effectLines(effect));
  lines.push(
    `Paper figures: Zhang et al. 2025 (PersonaAgent) with ${paperModel}, time-based split, 100 users. Their best baseline here is ${getMethod(best.method).label} ${best.figures.map(format).join(' / ')}.`,
    ...paperNotes(run, [name(first), name(second)]),
    `\\* Lenient: the answer is extracted from the output (${lenientRule(task)}); not LaMP's official metric.`,
    `Rewrites: per user, whether alignment's rewrite of the persona was kept, refused by the guard the bot applies (a rewrite that drops the rules of the tools the method has: the user keeps the initial persona), or failed. Failed questions (no answer from the model, or a prompt longer than the context even with everything optional left out) count as wrong; rerun the same command to retry them. Trimmed: questions whose prompt left out memories, examples or part of a profile to fit the context. Model calls (chat and embedding) and tokens are what each method cost, whether answered by ${run.server} or later from the cache.`,
  );
  return `${lines.join('\n')}\n`;
}

function row(run: RunDescription, result: MethodResult): string {
  const [paperFirst, paperSecond] = paperFigures(run.task.id, result.spec.name);
  const { accepted = 0, rejected = 0, failed = 0, skipped = 0 } = result.rewrites;
  const aligns = Object.keys(result.rewrites).length > 0;
  const cells = [
    result.spec.label,
    ...pair(result.official),
    format(paperFirst),
    format(paperSecond),
    ...pair(result.lenient),
    aligns ? `${accepted}/${rejected}/${failed + skipped}` : '–',
    String(result.failed),
    String(result.trimmed),
    String(result.usage.chatCalls + result.usage.embedCalls),
    String(result.usage.promptTokens + result.usage.completionTokens),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** Every paper figure on record for the task, which cells of the paper's rows are not and why, and where the figures were read. */
function paperNotes(run: RunDescription, metrics: [string, string]): string[] {
  const recorded = recordedFigures(run.task.id).map(({ method, figures }) => `${getMethod(method).label} ${figures.map(format).join(' / ')}`);
  const { both, second } = missingFigures(run.task.id);
  const missing = [...(both.length > 0 ? [`${metrics[0]} and ${metrics[1]} of ${both.join(', ')}`] : []), ...(second.length > 0 ? [`${metrics[1]} of ${second.join(', ')}`] : [])];
  return [
    `Paper figures on record for ${run.task.title} (${metrics.join(' / ')}): ${recorded.join(' · ')}.`,
    ...(missing.length > 0 ? [`Paper figures not on record, shown as "–": ${missing.join('; ')}. Why: ${missingFiguresReason}.`] : []),
    `Paper figures for ${run.task.title} transcribed from: ${paperSources(run.task.id).join('; ')}.`,
  ];
}

function rewriteNotes(results: MethodResult[]): string[] {
  const notes = results.flatMap((result) => Object.entries(result.rewriteReasons).map(([reason, users]) => `- ${result.spec.label}: ${users} user${users === 1 ? '' : 's'} — ${reason}`));
  return notes.length === 0 ? [] : ['Rewrites not kept (these users were answered with their initial persona):', ...notes, ''];
}

function effectLines(effect: PerUserEffect | null): string[] {
  if (!effect) return [];
  const what = effect.metric === 'accuracy' ? 'accuracy per user; above 0 is better' : 'MAE per user; below 0 is better';
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
  return [`Per-user effect of alignment (PersonaAgent − w/o alignment, ${what}): mean ${signed(effect.mean)}, 95% bootstrap interval [${signed(effect.low)}, ${signed(effect.high)}] over ${effect.users} users.`, ''];
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
