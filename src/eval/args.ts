import { parseArgs } from 'node:util';
import { defaultMethodNames, findMethod, methodNames, type MethodName } from './methods.js';
import { findTask, taskIds, type TaskId } from './tasks.js';

/** A command-line mistake; the message says what to change. */
export class EvalUsageError extends Error {
  readonly code = 'EVAL_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'EvalUsageError';
  }
}

/** The options of one evaluation run. */
export interface EvalOptions {
  task: TaskId;
  data?: string;
  split: string;
  questionsFile?: string;
  outputsFile?: string;
  methods: MethodName[];
  /** --methods was given (a method that cannot run as named is refused rather than left out). */
  methodsGiven: boolean;
  users: number;
  limitQuestions?: number;
  model?: string;
  out: string;
  wikipedia: boolean;
  /** One run per value of each swept setting, the others as configured (the paper's Figure 3). */
  sweeps: Sweep[];
}

/** A setting swept over values: alignment batch n, iterations E, or retrieved memories K. */
export interface Sweep {
  parameter: 'n' | 'E' | 'k';
  values: number[];
}

/** `npm run eval -- analyse <run>`: the persona analysis of a finished run. */
export interface AnalyseOptions {
  command: 'analyse';
  /** The run's report (`<base>.json`, or its base name). */
  run: string;
}

/** The usage text of `npm run eval`. */
export const evalUsage = `Usage: npm run eval -- --task <task> --data <dir> [options]

Runs the LaMP benchmark with the bot's own agent, memory and alignment against your Ollama model,
prints a table like the PersonaAgent paper's Table 2 and writes it, with every prediction, to --out.

  --task <task>            ${taskIds.join(' | ')}
  --data <dir>             folder with <split>_questions.json and <split>_outputs.json (LaMP's files,
                           or the per-user shape [{user_id, profile, query}] with an outputs file)
  --split <name>           which files to read (default dev)
  --questions <file>       the questions file, when it is named otherwise (instead of --data)
  --outputs <file>         the gold outputs file, when it is named otherwise
  --methods <list>         comma-separated, default the paper's: ${defaultMethodNames.join(', ')}; also persona-agent-prefetch
  --users <n>              the n users with the most history (default 100)
  --limit-questions <n>    ask at most n questions in all (a quick look)
  --model <name>           chat model (default OLLAMA_MODEL, or OPENAI_MODEL with LLM_PROVIDER=openai)
  --out <dir>              results, cache and per-method databases (default results)
  --no-wiki                no Wikipedia tool (offline runs)
  --sweep <p>=<v1,v2,…>    one run per value of p, the others as configured, and a chart of the
                           methods' scores over them; p is n (alignment batch), E (iterations) or
                           k (retrieved memories); repeat for more settings
  --help                   this text

Usage: npm run eval -- analyse <run>

Reads a finished run's report (<run>.json, or the path without .json) and writes, beside it, every
user's final persona, a 2-D map of the personas coloured by each user's most frequent label, and the
users × users overlap of persona words, as SVG and PNG.

Settings such as OLLAMA_HOST, OLLAMA_EMBED_MODEL (or LLM_PROVIDER=openai with OPENAI_BASE_URL and
OPENAI_MODEL, for an OpenAI-compatible server), LLM_TEMPERATURE, MEMORY_TOP_K, ALIGN_BATCH_SIZE and
ALIGN_ITERATIONS are read from the environment (.env) as for the bot. Every model answer is cached in
--out, so an interrupted run resumes where it stopped and a rerun makes no model calls.`;

/** Parses the arguments; 'help' when help was asked for. Throws EvalUsageError on a mistake. */
export function parseEvalArgs(argv: string[]): EvalOptions | AnalyseOptions | 'help' {
  if (argv[0] === 'analyse' || argv[0] === 'analyze') return parseAnalyse(argv.slice(1));
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new EvalUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (!values.task) throw new EvalUsageError(`--task is required: one of ${taskIds.join(', ')}.`);
  const task = findTask(values.task);
  if (!task) throw new EvalUsageError(`Unknown task "${values.task}": use one of ${taskIds.join(', ')}.`);
  if (!values.data && !values.questions) throw new EvalUsageError('--data <dir> is required (or --questions <file> with --outputs <file>).');
  if (!values.data && !values.outputs) throw new EvalUsageError('--outputs <file> is required with --questions when --data is not given.');
  return {
    task: task.id,
    data: values.data,
    split: nonEmpty(values.split ?? 'dev', '--split'),
    questionsFile: values.questions,
    outputsFile: values.outputs,
    methods: parseMethods(values.methods),
    methodsGiven: values.methods !== undefined,
    users: positive(values.users ?? '100', '--users'),
    limitQuestions: values['limit-questions'] === undefined ? undefined : positive(values['limit-questions'], '--limit-questions'),
    model: values.model === undefined ? undefined : nonEmpty(values.model, '--model'),
    out: nonEmpty(values.out ?? 'results', '--out'),
    wikipedia: values['no-wiki'] !== true,
    sweeps: (values.sweep ?? []).map(parseSweep),
  };
}

function parseAnalyse(argv: string[]): AnalyseOptions | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  if (argv.length !== 1 || argv[0]!.startsWith('-')) throw new EvalUsageError('analyse takes one argument: the run\'s report (<run>.json).');
  return { command: 'analyse', run: argv[0]! };
}

function parseSweep(text: string): Sweep {
  const match = /^(n|E|e|k|K)=(.+)$/.exec(text.trim());
  if (!match) throw new EvalUsageError(`--sweep ${text}: write <setting>=<values>, e.g. n=1,3,5; the settings are n, E and k.`);
  const parameter = match[1] === 'e' ? 'E' : match[1] === 'K' ? 'k' : (match[1] as Sweep['parameter']);
  const values = [...new Set(match[2]!.split(',').map((value) => positive(value.trim(), `--sweep ${parameter}`)))].sort((a, b) => a - b);
  return { parameter, values };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      task: { type: 'string' },
      data: { type: 'string' },
      split: { type: 'string' },
      questions: { type: 'string' },
      outputs: { type: 'string' },
      methods: { type: 'string' },
      users: { type: 'string' },
      'limit-questions': { type: 'string' },
      model: { type: 'string' },
      out: { type: 'string' },
      'no-wiki': { type: 'boolean' },
      sweep: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function parseMethods(text: string | undefined): MethodName[] {
  if (text === undefined) return [...defaultMethodNames];
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !findMethod(name));
  if (unknown.length > 0) throw new EvalUsageError(`Unknown method(s) ${unknown.map((name) => `"${name}"`).join(', ')}: use ${methodNames.join(', ')}.`);
  if (names.length === 0) throw new EvalUsageError('--methods lists no method.');
  // Paper order, each once, whatever order they were given in.
  return methodNames.filter((name) => names.includes(name));
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new EvalUsageError(`${flag} must be a whole number above 0, not "${text}".`);
  return value;
}

function nonEmpty(text: string, flag: string): string {
  if (text.trim() === '') throw new EvalUsageError(`${flag} must not be empty.`);
  return text.trim();
}
