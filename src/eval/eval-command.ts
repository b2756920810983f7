import { ConfigError } from '../config.js';
import { ModelError, PromptError } from '../core/errors.js';
import { evalUsage, EvalUsageError, parseEvalArgs, type AnalyseOptions, type EvalOptions } from './args.js';
import { openContext, runOnce } from './eval-run.js';
import { EvalDataError } from './lamp-data.js';
import type { ProgressOutput } from './progress.js';
import { EvalInterrupted } from './run-eval.js';
import { runSweeps } from './sweep.js';
import { analyseRun } from './persona-analysis.js';
import { AnalysisError } from '../analysis/analysis-error.js';

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
  let options: EvalOptions | AnalyseOptions | 'help';
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
  if ('command' in options) return analyse(options, { env: io.env ?? process.env, stdout, fail });
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
  const context = await openContext(options, io.env, io.stderr);
  if (options.sweeps.length > 0) await runSweeps(context, io, options.sweeps);
  else await runOnce(context, io);
  return 0;
}

async function analyse(options: AnalyseOptions, io: { env: Record<string, string | undefined>; stdout: { write(text: string): unknown }; fail: (message: string, code: number) => number }): Promise<number> {
  try {
    const files = await analyseRun(options.run, io.env);
    io.stdout.write(`Wrote ${[files.personas.md, files.personas.json, ...Object.values(files.map), ...Object.values(files.overlap)].join('\n      ')}\n`);
    return 0;
  } catch (error) {
    if (error instanceof EvalUsageError || error instanceof ConfigError || error instanceof AnalysisError) return io.fail(error.message, 2);
    if (error instanceof ModelError) return io.fail(modelProblem(error, io.env), 1);
    throw error;
  }
}

function modelProblem(error: ModelError, env: Record<string, string | undefined>): string {
  if (error.code === 'MODEL_UNREACHABLE' && !error.message.startsWith('Ollama')) return `${error.message} Start it, or point OPENAI_BASE_URL at it.`;
  if (error.code === 'MODEL_UNREACHABLE') return `Ollama is not reachable at ${env.OLLAMA_HOST ?? 'http://127.0.0.1:11434'}. Start it with \`ollama serve\`, or point OLLAMA_HOST at it.`;
  return `The model failed: ${error.message}`;
}
