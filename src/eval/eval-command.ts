import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { ModelError, PromptError } from '../core/errors.js';
import { defaultPromptsDir, paperPromptFiles, Prompts } from '../core/prompts.js';
import { OllamaModel } from '../llm/ollama-model.js';
import { alignmentSettings } from '../main.js';
import { Wikipedia } from '../web/wikipedia.js';
import { evalUsage, EvalUsageError, parseEvalArgs, type EvalOptions } from './args.js';
import { EvalPrompts } from './eval-prompts.js';
import { EvalDataError, loadDataset, selectUsers } from './lamp-data.js';
import type { EvalSettings } from './method-runner.js';
import { getMethod } from './methods.js';
import { CachingEncyclopedia, CachingModel, DiskCache } from './model-cache.js';
import { Progress, type ProgressOutput } from './progress.js';
import { renderMarkdown, summarise, type MethodResult, type RunDescription } from './report.js';
import { EvalInterrupted, runEval, slug, type MethodOutcome } from './run-eval.js';
import { getTask } from './tasks.js';
import { UsageMeter } from './usage-meter.js';

/** Where the command reads settings and writes; tests pass their own, the CLI uses the process's. */
export interface EvalIo {
  env?: Record<string, string | undefined>;
  stdout?: { write(text: string): unknown };
  /** Progress and messages. */
  stderr?: ProgressOutput;
  /** Cancels the run; without it, Ctrl-C does. */
  signal?: AbortSignal;
}

const resumeHint = (out: string) => `Everything finished so far is saved in ${out}; run the same command again to resume.`;

/** `npm run eval`: runs the LaMP evaluation and returns the exit code (2 for a usage or data mistake). */
export async function runEvalCommand(argv: string[], io: EvalIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const fail = (message: string, code: number) => {
    stderr.write(`${message}\n`);
    return code;
  };
  let options: EvalOptions | 'help';
  try {
    options = parseEvalArgs(argv);
  } catch (error) {
    if (error instanceof EvalUsageError) return fail(`${error.message}\n\n${evalUsage}`, 2);
    throw error;
  }
  if (options === 'help') {
    stdout.write(`${evalUsage}\n`);
    return 0;
  }
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  if (!io.signal) process.once('SIGINT', interrupt);
  try {
    return await evaluate(options, { env: io.env ?? process.env, stdout, stderr, signal: io.signal ?? controller.signal });
  } catch (error) {
    if (error instanceof EvalUsageError || error instanceof EvalDataError || error instanceof ConfigError || error instanceof PromptError) return fail(error.message, 2);
    if (error instanceof EvalInterrupted) return fail(`\nInterrupted. ${resumeHint(options.out)}`, 130);
    if (error instanceof ModelError) return fail(`\n${modelProblem(error, io.env ?? process.env)}\n${resumeHint(options.out)}`, 1);
    throw error;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}

async function evaluate(options: EvalOptions, io: Required<Omit<EvalIo, 'signal'>> & { signal: AbortSignal }): Promise<number> {
  const config = loadConfig({ ...io.env, ...(options.model ? { OLLAMA_MODEL: options.model } : {}) });
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
  const ollama = new OllamaModel({ host: config.OLLAMA_HOST, model: config.OLLAMA_MODEL, embedModel: config.OLLAMA_EMBED_MODEL, timeoutMs: config.OLLAMA_TIMEOUT_MS, numCtx: config.OLLAMA_NUM_CTX, keepAlive: config.OLLAMA_KEEP_ALIVE });
  const model = new CachingModel(ollama, { cache, embedModel: config.OLLAMA_EMBED_MODEL, meter });
  const wikipedia = options.wikipedia && config.WIKIPEDIA_ENABLED;
  const encyclopedia = wikipedia ? new CachingEncyclopedia(new Wikipedia({ baseUrl: config.WIKIPEDIA_API_URL }), cache) : undefined;
  const settings = evalSettings(config);
  const methods = options.methods.map(getMethod);
  const questions = users.reduce((sum, user) => sum + user.questions.length, 0);
  const logger = pino({ level: config.LOG_LEVEL }, pino.destination({ dest: join(outDir, 'runs', `${task.id}-${options.split}.log`), sync: true, mkdir: true }));
  io.stderr.write(`${task.title}: ${users.length} users, ${questions} questions, ${methods.length} methods, model ${config.OLLAMA_MODEL}\n`);
  const progress = new Progress(questions * methods.length, io.stderr);
  const outcomes = await runEval({ task, split: options.split, users, methods, outDir, fingerprint: dataset.fingerprint, model, meter, encyclopedia, prompts, evalPrompts, settings, logger, progress, signal: io.signal });
  const description: RunDescription = {
    task,
    split: options.split,
    model: config.OLLAMA_MODEL,
    embedModel: config.OLLAMA_EMBED_MODEL,
    users: users.length,
    questions,
    wikipedia,
    alignment: { batchSize: settings.alignment.batchSize, iterations: settings.alignment.iterations },
  };
  const base = writeReports(join(outDir, `${task.id}-${options.split}-${slug(config.OLLAMA_MODEL)}`), description, settings, outcomes, io.stdout);
  io.stderr.write(`Model requests this run: ${model.stats.sent} sent to Ollama, ${model.stats.cached} answered from the cache.\nWrote ${base}.md and ${base}.json\n`);
  return 0;
}

/** The bot's settings for the run; alignment is the paper's plain Algorithm 1 (no validation replay). */
function evalSettings(config: Config): EvalSettings {
  return {
    embedModel: config.OLLAMA_EMBED_MODEL,
    temperature: config.LLM_TEMPERATURE,
    topK: config.MEMORY_TOP_K,
    maxSteps: config.AGENT_MAX_STEPS,
    alignment: { ...alignmentSettings(config), validate: false },
  };
}

/** Scores the outcomes, prints the table and writes `<base>.md` and `<base>.json`. */
function writeReports(base: string, description: RunDescription, settings: EvalSettings, outcomes: MethodOutcome[], stdout: EvalIo['stdout'] & {}): string {
  const results = outcomes.map((outcome) => summarise(outcome.spec, description.task, outcome.items, outcome.setups));
  const markdown = renderMarkdown(description, results);
  writeFileSync(`${base}.md`, markdown);
  writeFileSync(`${base}.json`, `${JSON.stringify(jsonReport(description, settings, results, outcomes), null, 2)}\n`);
  stdout.write(`\n${markdown}`);
  return base;
}

function jsonReport(run: RunDescription, settings: EvalSettings, results: MethodResult[], outcomes: MethodOutcome[]) {
  return {
    task: run.task.officialName,
    split: run.split,
    model: run.model,
    users: run.users,
    questions: run.questions,
    wikipedia: run.wikipedia,
    settings,
    methods: results.map((result, index) => ({
      method: result.spec.name,
      label: result.spec.label,
      scores: result.official,
      lenientScoresNotOfficial: result.lenient,
      failed: result.failed,
      usage: result.usage,
      alignment: result.alignment,
      files: outcomes[index]!.files,
      setups: outcomes[index]!.setups,
      items: outcomes[index]!.items,
    })),
  };
}

function modelProblem(error: ModelError, env: Record<string, string | undefined>): string {
  if (error.code === 'MODEL_UNREACHABLE') return `Ollama is not reachable at ${env.OLLAMA_HOST ?? 'http://127.0.0.1:11434'}. Start it with \`ollama serve\`, or point OLLAMA_HOST at it.`;
  return `The model failed: ${error.message}`;
}
