import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { loadConfig, modelChoice, type Config } from '../config.js';
import { defaultPromptsDir, paperPromptFiles, Prompts } from '../core/prompts.js';
import { alignmentSettings } from '../main.js';
import { Wikipedia } from '../web/wikipedia.js';
import { EvalUsageError, type EvalOptions } from './args.js';
import type { PoolTitle } from './citation-items.js';
import { EvalPrompts } from './eval-prompts.js';
import { loadDataset, selectUsers, type EvalDataset, type EvalUser } from './lamp-data.js';
import type { EvalSettings } from './method-runner.js';
import { getMethod, methodProblem, type MethodSpec } from './methods.js';
import { cacheScope, openBackend, serverName, type BackendIdentity } from './model-backend.js';
import { CachingEncyclopedia, CachingModel, DiskCache } from './model-cache.js';
import { perUserEffect } from './per-user-effect.js';
import { Progress, type ProgressOutput } from './progress.js';
import type { MethodResult, RunDescription } from './report.js';
import { reportBase, writeReports, type RunIdentity } from './report-files.js';
import { runEval } from './run-eval.js';
import { getTask, type TaskSpec } from './tasks.js';
import { UsageMeter } from './usage-meter.js';

/** Where a run writes and how it is cancelled. */
export interface RunIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressOutput;
  signal: AbortSignal;
}

/** The settings a sweep varies: alignment batch n, iterations E, retrieved memories K. */
export type SweepParameter = 'n' | 'E' | 'k';

/** What stays the same across the runs of one command (a sweep makes several). */
export interface EvalContext {
  options: EvalOptions;
  config: Config;
  task: TaskSpec;
  dataset: EvalDataset;
  users: EvalUser[];
  outDir: string;
  prompts: Prompts;
  evalPrompts: EvalPrompts;
  model: CachingModel;
  /** The model server and its settings: part of every run's identity and cache key. */
  backend: BackendIdentity;
  meter: UsageMeter;
  wikipedia: boolean;
  encyclopedia?: CachingEncyclopedia;
  methods: MethodSpec[];
  pool: PoolTitle[];
}

/** A finished run: its report files and scores. */
export interface RunSummary {
  base: string;
  settings: EvalSettings;
  results: MethodResult[];
}

/** Reads settings, prompts and data, and opens the cache and the model (asking its server what it is), once per command. */
export async function openContext(options: EvalOptions, env: Record<string, string | undefined>, stderr: ProgressOutput): Promise<EvalContext> {
  // --model names the chat model of whichever server LLM_PROVIDER chooses.
  const modelSetting = env.LLM_PROVIDER?.trim() === 'openai' ? 'OPENAI_MODEL' : 'OLLAMA_MODEL';
  const config = loadConfig({ ...env, ...(options.model ? { [modelSetting]: options.model } : {}) });
  const task = getTask(options.task);
  // The evaluation measures PersonaAgent with the paper's own prompts, not the chat bot's wording.
  const prompts = Prompts.load(defaultPromptsDir, paperPromptFiles);
  const evalPrompts = EvalPrompts.load(defaultPromptsDir);
  const dataset = loadDataset(task, { dir: options.data, split: options.split, questionsFile: options.questionsFile, outputsFile: options.outputsFile });
  const users = selectUsers(dataset.users, options.users, options.limitQuestions);
  const outDir = resolve(options.out);
  try {
    mkdirSync(join(outDir, 'runs'), { recursive: true });
  } catch (error) {
    throw new EvalUsageError(`--out ${options.out} cannot be used: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  const meter = new UsageMeter();
  const cache = new DiskCache(join(outDir, 'cache'));
  const wikipedia = options.wikipedia && config.WIKIPEDIA_ENABLED;
  const encyclopedia = wikipedia ? new CachingEncyclopedia(new Wikipedia({ baseUrl: config.WIKIPEDIA_API_URL }), cache) : undefined;
  const methods = chooseMethods(options, wikipedia, stderr);
  const pool = task.id === 'lamp1' ? dataset.users.flatMap((user) => user.profile.map((item) => ({ userId: user.userId, title: item.fields.title ?? '' }))).filter((entry) => entry.title.trim() !== '') : [];
  for (const warning of dataset.split.warnings) stderr.write(`Warning: ${warning}\n`);
  // Every chat and embedding request goes through this client, on Ollama or an OpenAI-compatible server as LLM_PROVIDER and EMBED_PROVIDER choose.
  const { client, backend } = await openBackend(config, cache, stderr);
  const model = new CachingModel(client, { cache, embedModel: backend.embed.model, meter, scope: cacheScope(backend) });
  return { options, config, task, dataset, users, outDir, prompts, evalPrompts, model, backend, meter, wikipedia, encyclopedia, methods, pool };
}

/** Runs every method with the configured settings, or with one sweep setting changed; writes the report. */
export async function runOnce(context: EvalContext, io: RunIo, change: Partial<Record<SweepParameter, number>> = {}): Promise<RunSummary> {
  const { task, users, options, config, methods, model, backend } = context;
  const settings = evalSettings(config, change);
  const questions = users.reduce((sum, user) => sum + user.questions.length, 0);
  const logger = pino({ level: config.LOG_LEVEL }, pino.destination({ dest: join(context.outDir, 'runs', `${task.id}-${options.split}.log`), sync: true, mkdir: true }));
  io.stderr.write(`${task.title}: ${users.length} users, ${questions} questions, ${methods.length} methods, model ${modelChoice(config).chat.model}, n = ${settings.alignment.batchSize}, E = ${settings.alignment.iterations}, K = ${settings.topK}, ${contextNote(backend)}\n`);
  const progress = new Progress(questions * methods.length, io.stderr);
  const before = { ...model.stats };
  const outcomes = await runEval({ ...context, split: options.split, fingerprint: context.dataset.fingerprint, settings, logger, progress, signal: io.signal });
  const run: RunDescription = {
    task,
    split: options.split,
    splitReport: context.dataset.split,
    model: modelChoice(config).chat.model,
    embedModel: modelChoice(config).embed.model,
    server: serverName(backend.chat.provider),
    context: contextNote(backend),
    users: users.length,
    questions,
    wikipedia: context.wikipedia,
    topK: settings.topK,
    alignment: { batchSize: settings.alignment.batchSize, iterations: settings.alignment.iterations },
  };
  const identity = runIdentity(context, settings);
  const aligned = outcomes.find((outcome) => outcome.spec.name === 'persona-agent');
  const initial = outcomes.find((outcome) => outcome.spec.name === 'persona-agent-no-align');
  const effect = aligned && initial ? perUserEffect(task, aligned.items, initial.items) : null;
  const base = reportBase(context.outDir, identity);
  const { results, markdown } = writeReports(base, run, identity, outcomes, effect);
  io.stdout.write(`\n${markdown}`);
  io.stderr.write(`Model requests this run: ${model.stats.sent - before.sent} sent to ${serverName(backend.chat.provider)}, ${model.stats.cached - before.cached} answered from the cache.\nWrote ${base}.md and ${base}.json\n`);
  return { base, settings, results };
}

/** Everything that changes this run's results: what its report is named by. */
export function runIdentity(context: EvalContext, settings: EvalSettings): RunIdentity {
  const { task, options, config } = context;
  return {
    task: task.id,
    split: options.split,
    model: modelChoice(config).chat.model,
    backend: context.backend,
    users: options.users,
    limitQuestions: options.limitQuestions,
    methods: context.methods.map((spec) => spec.name),
    settings,
    wikipedia: context.wikipedia,
    prompts: { bot: context.prompts.version(), eval: context.evalPrompts.version() },
    data: context.dataset.fingerprint,
  };
}

/**
 * The methods to run. One that would not measure what its name says with these settings (see
 * methodProblem) is refused when named in --methods, and left out with a note otherwise.
 */
function chooseMethods(options: EvalOptions, wikipedia: boolean, stderr: ProgressOutput): MethodSpec[] {
  const specs = options.methods.map(getMethod);
  const problems = specs.flatMap((spec) => {
    const problem = methodProblem(spec, { wikipedia });
    return problem ? [{ spec, problem }] : [];
  });
  if (problems.length > 0 && options.methodsGiven) throw new EvalUsageError(`${problems.map((entry) => `${entry.problem}.`).join(' ')} Turn Wikipedia on or leave ${problems.map((entry) => entry.spec.name).join(', ')} out.`);
  for (const { spec, problem } of problems) stderr.write(`Leaving out ${spec.name}: ${problem}.\n`);
  const left = specs.filter((spec) => !problems.some((entry) => entry.spec === spec));
  if (left.length === 0) throw new EvalUsageError('No method is left to run.');
  return left;
}

/** The context prompts are fitted to, and where it comes from: `context 2048 tokens (OLLAMA_NUM_CTX 8192, trained on 2048)`. */
function contextNote(backend: BackendIdentity): string {
  const setting = backend.numCtx !== null ? `OLLAMA_NUM_CTX ${backend.numCtx}` : backend.contextSetting !== null ? `OPENAI_CONTEXT_TOKENS ${backend.contextSetting}` : 'no setting';
  const server = backend.serverContext !== null ? `, the server: ${backend.serverContext}` : '';
  return `context ${backend.contextTokens} tokens (${setting}${server})`;
}

/** The bot's settings for the run, with a sweep's change; alignment is the paper's plain Algorithm 1 (no validation replay). */
export function evalSettings(config: Config, change: Partial<Record<SweepParameter, number>>): EvalSettings {
  const alignment = { ...alignmentSettings(config), validate: false, feedback: 'per-item' as const };
  return {
    embedModel: modelChoice(config).embed.model,
    temperature: config.LLM_TEMPERATURE,
    topK: change.k ?? config.MEMORY_TOP_K,
    maxSteps: config.AGENT_MAX_STEPS,
    alignment: { ...alignment, batchSize: change.n ?? alignment.batchSize, iterations: change.E ?? alignment.iterations },
  };
}
