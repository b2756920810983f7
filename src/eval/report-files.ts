import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalSettings } from './method-runner.js';
import type { MethodName } from './methods.js';
import type { BackendIdentity } from './model-backend.js';
import { paperFigures } from './paper-figures.js';
import type { PerUserEffect } from './per-user-effect.js';
import { renderMarkdown, summarise, type MethodResult, type RunDescription } from './report.js';
import { slug, type MethodOutcome } from './run-eval.js';

/** Everything that changes a run's results, and so its report's name. */
export interface RunIdentity {
  task: string;
  split: string;
  model: string;
  /** The model server, what is sent with each call (num_ctx, thinking) and the context prompts are fitted to. */
  backend: BackendIdentity;
  users: number;
  limitQuestions?: number;
  methods: readonly MethodName[];
  settings: EvalSettings;
  wikipedia: boolean;
  /** Content hashes of the bot's and the evaluation's prompt sets. */
  prompts: { bot: string; eval: string };
  /** Content hash of the data files. */
  data: string;
}

/**
 * `<out>/<task>-<split>-<model>-u<users>[-q<limit>]-n<n>-E<E>-K<K>-<hash>`: the settings a reader
 * compares are spelled out, and a hash of the rest (method set, prompts, data, temperature, steps,
 * model server, num_ctx, context, thinking, embedding model, Wikipedia, guards) keeps runs that differ
 * in anything apart.
 */
export function reportBase(outDir: string, identity: RunIdentity): string {
  const { settings } = identity;
  const rest = { ...identity, settings: { ...settings, alignment: { ...settings.alignment, concurrency: undefined } } };
  const hash = createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 8);
  const limit = identity.limitQuestions === undefined ? '' : `-q${identity.limitQuestions}`;
  return join(outDir, `${identity.task}-${identity.split}-${slug(identity.model)}-u${identity.users}${limit}-n${settings.alignment.batchSize}-E${settings.alignment.iterations}-K${settings.topK}-${hash}`);
}

/** Scores the outcomes and writes `<base>.md` and `<base>.json`; returns the results and the markdown. */
export function writeReports(base: string, run: RunDescription, identity: RunIdentity, outcomes: MethodOutcome[], effect: PerUserEffect | null): { results: MethodResult[]; markdown: string } {
  const results = outcomes.map((outcome) => summarise(outcome.spec, run.task, outcome.items, outcome.setups));
  const markdown = renderMarkdown(run, results, effect);
  writeFileSync(`${base}.md`, markdown);
  writeFileSync(`${base}.json`, `${JSON.stringify(jsonReport(run, identity, results, outcomes, effect), null, 2)}\n`);
  return { results, markdown };
}

function jsonReport(run: RunDescription, identity: RunIdentity, results: MethodResult[], outcomes: MethodOutcome[], effect: PerUserEffect | null) {
  return {
    task: run.task.officialName,
    taskId: run.task.id,
    split: { name: run.split, kind: run.splitReport.kind, why: run.splitReport.why, warnings: run.splitReport.warnings },
    model: run.model,
    users: run.users,
    questions: run.questions,
    wikipedia: run.wikipedia,
    identity,
    settings: identity.settings,
    perUserEffect: effect,
    methods: results.map((result, index) => ({
      method: result.spec.name,
      label: result.spec.label,
      scores: result.official,
      lenientScoresNotOfficial: result.lenient,
      failed: result.failed,
      trimmed: result.trimmed,
      paper: paperCells(run.task.id, result.spec.name),
      usage: result.usage,
      rewrites: result.rewrites,
      rewriteReasons: result.rewriteReasons,
      files: outcomes[index]!.files,
      setups: outcomes[index]!.setups,
      items: outcomes[index]!.items,
    })),
  };
}

/** The paper's figures for a row, null where this project has none on record. */
function paperCells(task: RunDescription['task']['id'], method: MethodName): [number | null, number | null] {
  const [first, second] = paperFigures(task, method);
  return [first ?? null, second ?? null];
}
