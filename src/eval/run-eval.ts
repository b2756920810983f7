import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ContextTooSmallError } from '../core/context-budget.js';
import { ModelError } from '../core/errors.js';
import type { Encyclopedia, LanguageModel } from '../core/ports.js';
import { promptPlaceholders, type PromptName, type Prompts } from '../core/prompts.js';
import { StructuredAnswerError } from '../core/structured.js';
import type { PoolTitle } from './citation-items.js';
import type { EvalPrompts } from './eval-prompts.js';
import type { EvalQuestion, EvalUser } from './lamp-data.js';
import { extractLenient } from './metrics.js';
import { MethodRunner, type EvalSettings, type UserSetup } from './method-runner.js';
import type { BackendIdentity } from './model-backend.js';
import type { MethodSpec } from './methods.js';
import { PredictionsLog, type ItemRecord, type SetupRecord } from './predictions-log.js';
import type { Progress } from './progress.js';
import type { TaskSpec } from './tasks.js';
import { emptyUsage, type UsageMeter } from './usage-meter.js';

/** Model failures that stop the whole run (nothing else would succeed); others fail one question. */
const FATAL_CODES = new Set(['MODEL_UNREACHABLE', 'MODEL_MISSING', 'MODEL_ABORTED']);

/** The run was cancelled (Ctrl-C); everything finished so far is saved. */
export class EvalInterrupted extends Error {
  readonly code = 'EVAL_INTERRUPTED';
  constructor() {
    super('Interrupted.');
    this.name = 'EvalInterrupted';
  }
}

/** Everything one evaluation run needs. */
export interface EvalRun {
  task: TaskSpec;
  split: string;
  /** The selected users, with their selected questions. */
  users: EvalUser[];
  methods: MethodSpec[];
  outDir: string;
  /** Content hash of the data files. */
  fingerprint: string;
  model: LanguageModel;
  /** The model server and its settings (num_ctx, thinking, the context prompts are fitted to). */
  backend: BackendIdentity;
  meter: UsageMeter;
  encyclopedia?: Encyclopedia;
  prompts: Prompts;
  evalPrompts: EvalPrompts;
  settings: EvalSettings;
  /** Paper titles of every user in the data (LaMP-1's alignment items draw their distractors here). */
  pool: readonly PoolTitle[];
  logger: Logger;
  progress: Progress;
  signal?: AbortSignal;
}

/** One method's records for the selected users and questions, in data order. */
export interface MethodOutcome {
  spec: MethodSpec;
  items: ItemRecord[];
  setups: SetupRecord[];
  files: { database: string; predictions: string };
}

/** Runs every method over every selected question, resuming from what earlier runs saved. */
export async function runEval(run: EvalRun): Promise<MethodOutcome[]> {
  const outcomes: MethodOutcome[] = [];
  for (const spec of run.methods) outcomes.push(await runMethod(run, spec));
  run.progress.finish();
  return outcomes;
}

/**
 * The files of one method's run. Their name carries a hash of everything that shapes its answers
 * (data, model and its server's settings, settings, prompts), so a changed setting starts afresh and
 * the same command resumes.
 */
export function methodFiles(run: Pick<EvalRun, 'task' | 'split' | 'fingerprint' | 'model' | 'backend' | 'settings' | 'encyclopedia' | 'prompts' | 'evalPrompts' | 'outDir'>, spec: MethodSpec) {
  const settings = {
    task: run.task.id,
    split: run.split,
    data: run.fingerprint,
    method: spec.name,
    model: run.model.modelName,
    backend: run.backend,
    ...run.settings,
    // How many calls run at once does not change any answer.
    alignment: { ...run.settings.alignment, concurrency: undefined },
    wikipedia: run.encyclopedia !== undefined,
    prompts: run.prompts.versions(Object.keys(promptPlaceholders) as PromptName[]),
    evalPrompts: run.evalPrompts.version(),
  };
  const hash = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 10);
  const base = join(run.outDir, 'runs', `${run.task.id}-${run.split}-${spec.name}-${slug(run.model.modelName)}-${hash}`);
  return { settings, database: `${base}.db`, predictions: `${base}.jsonl` };
}

async function runMethod(run: EvalRun, spec: MethodSpec): Promise<MethodOutcome> {
  const files = methodFiles(run, spec);
  const log = PredictionsLog.open(files.predictions, { type: 'run', settings: files.settings });
  const runner = new MethodRunner({ spec, task: run.task, dbPath: files.database, model: run.model, encyclopedia: run.encyclopedia, prompts: run.prompts, evalPrompts: run.evalPrompts, settings: run.settings, pool: run.pool, logger: run.logger.child({ method: spec.name }), signal: run.signal });
  run.progress.setLabel(spec.name);
  try {
    for (const user of run.users) {
      const pending = user.questions.filter((question) => !log.done(question.id));
      run.progress.skip(user.questions.length - pending.length);
      if (pending.length === 0) continue;
      const setup = log.setups.get(user.userId) ?? (await setUpUser(run, runner, log, user));
      for (const question of pending) {
        log.addItem('error' in setup ? failedItem(user, question, `setup failed: ${setup.error}`) : await answerItem(run, runner, setup, user, question));
        run.progress.advance();
      }
    }
  } finally {
    runner.close();
  }
  const userIds = new Set(run.users.map((user) => user.userId));
  const items = run.users.flatMap((user) => user.questions.map((question) => log.items.get(question.id)).filter((item): item is ItemRecord => item !== undefined));
  const setups = [...log.setups.values()].filter((setup) => userIds.has(setup.userId));
  return { spec, items, setups, files: { database: files.database, predictions: files.predictions } };
}

async function setUpUser(run: EvalRun, runner: MethodRunner, log: PredictionsLog, user: EvalUser): Promise<SetupRecord | { error: string }> {
  const usage = emptyUsage();
  let setup: UserSetup;
  try {
    setup = await run.meter.track(usage, () => runner.prepare(user));
  } catch (error) {
    stopIfFatal(error, run.signal);
    if (isItemFailure(error)) return { error: describe(error) };
    throw error;
  }
  if (setup.alignment?.outcome === 'failed') {
    // The aligner keeps the live persona when a call fails, as the bot does; a run that lost its model stops instead.
    if (run.signal?.aborted) throw new EvalInterrupted();
    const fatal = usage.errors.find((code) => FATAL_CODES.has(code));
    if (fatal) throw new ModelError(fatal as ModelError['code'], setup.alignment.reason, run.model.modelName, false);
  }
  const record: SetupRecord = { type: 'setup', ...setup, usage };
  log.addSetup(record);
  return record;
}

async function answerItem(run: EvalRun, runner: MethodRunner, setup: SetupRecord, user: EvalUser, question: EvalQuestion): Promise<ItemRecord> {
  const usage = emptyUsage();
  const started = Date.now();
  try {
    const result = await run.meter.track(usage, () => runner.answer(setup, question));
    return {
      type: 'item',
      questionId: question.id,
      userId: user.userId,
      gold: question.gold,
      output: result.output,
      prediction: result.output.trim(),
      lenient: extractLenient(result.output, run.task.kind, run.task.labels),
      toolCalls: result.toolCalls,
      retrievedIds: result.retrievedIds,
      ...(result.trimmed.length > 0 ? { trimmed: result.trimmed } : {}),
      usage,
      ms: Date.now() - started,
    };
  } catch (error) {
    stopIfFatal(error, run.signal);
    if (isItemFailure(error)) return { ...failedItem(user, question, describe(error)), usage, ms: Date.now() - started };
    throw error;
  }
}

function failedItem(user: EvalUser, question: EvalQuestion, error: string): ItemRecord {
  return { type: 'item', questionId: question.id, userId: user.userId, gold: question.gold, output: '', prediction: '', lenient: '', error, toolCalls: [], retrievedIds: [], usage: emptyUsage(), ms: 0 };
}

function stopIfFatal(error: unknown, signal?: AbortSignal): void {
  if (signal?.aborted) throw new EvalInterrupted();
  if (error instanceof ModelError && FATAL_CODES.has(error.code)) throw error;
}

/**
 * Whether an error costs one question (or one user's setup) rather than the run: a model's bad answer,
 * a prompt the context cannot hold, or anything else one item ran into. What stops the run (Ctrl-C,
 * a model or server gone) is thrown before this is asked.
 */
function isItemFailure(error: unknown): error is Error {
  return error instanceof Error;
}

/** The reason recorded with a failed item: the error's code (or kind) and message. */
function describe(error: Error): string {
  if (error instanceof StructuredAnswerError) return error.message;
  if (error instanceof ModelError || error instanceof ContextTooSmallError) return `${error.code}: ${error.message}`;
  return `${error.name}: ${error.message}`;
}

/** A model name safe in a file name: `qwen2.5:3b` → `qwen2.5_3b`. */
export function slug(text: string): string {
  return text.replace(/[^\w.-]+/g, '_');
}
