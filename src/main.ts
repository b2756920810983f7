import pino, { type Logger } from 'pino';
import type { AlignmentSettings } from './core/alignment.js';
import { Bot } from './core/bot.js';
import { createLearning, type Learning } from './core/learning.js';
import { defaultPromptsDir, Prompts } from './core/prompts.js';
import type { Config } from './config.js';
import { OllamaModel } from './llm/ollama-model.js';
import { Store } from './memory/store.js';
import { Wikipedia } from './web/wikipedia.js';

/** The wired core: everything but the platform adapters and the schedule. */
export interface Core extends Learning {
  config: Config;
  logger: Logger;
  store: Store;
  model: OllamaModel;
  prompts: Prompts;
  bot: Bot;
  close(): void;
}

/** Builds the core from configuration: opens the database, loads prompts, creates the model client. */
export function buildCore(config: Config, logger: Logger, options: { promptsDir?: string; busyTimeoutMs?: number } = {}): Core {
  const prompts = Prompts.load(options.promptsDir ?? defaultPromptsDir);
  const store = Store.open(config.DATABASE_PATH, { busyTimeoutMs: options.busyTimeoutMs });
  const model = new OllamaModel({ host: config.OLLAMA_HOST, model: config.OLLAMA_MODEL, embedModel: config.OLLAMA_EMBED_MODEL, timeoutMs: config.OLLAMA_TIMEOUT_MS });
  const encyclopedia = config.WIKIPEDIA_ENABLED ? new Wikipedia({ baseUrl: config.WIKIPEDIA_API_URL }) : undefined;
  const { agent, personas, profiles, aligner } = createLearning({
    store,
    model,
    prompts,
    encyclopedia,
    embedModel: config.OLLAMA_EMBED_MODEL,
    topK: config.MEMORY_TOP_K,
    temperature: config.LLM_TEMPERATURE,
    maxSteps: config.AGENT_MAX_STEPS,
    logger: logger.child({ job: 'alignment' }),
    alignment: alignmentSettings(config),
  });
  const bot = new Bot({
    store,
    agent,
    personas,
    model,
    embedModel: config.OLLAMA_EMBED_MODEL,
    logger,
    maxMessageChars: config.MAX_MESSAGE_CHARS,
    feedback: { negative: config.FEEDBACK_NEGATIVE, positive: config.FEEDBACK_POSITIVE, maxCorrectionChars: config.MAX_MESSAGE_CHARS },
  });
  return { config, logger, store, model, prompts, agent, personas, profiles, aligner, bot, close: () => store.close() };
}

/** Algorithm 1's settings as configured (ALIGN_*, PERSONA_MAX_CHARS). */
export function alignmentSettings(config: Config): AlignmentSettings {
  return {
    batchSize: config.ALIGN_BATCH_SIZE,
    iterations: config.ALIGN_ITERATIONS,
    validate: config.ALIGN_VALIDATE,
    maxChars: config.PERSONA_MAX_CHARS,
    concurrency: config.ALIGN_CONCURRENCY,
  };
}

/** A pino logger writing JSON to `destination` (stderr by default); message text only at debug. */
export function createLogger(level: Config['LOG_LEVEL'], destination: number | string = 2): Logger {
  return pino({ level, redact: { paths: ['*.token', '*.text', 'config.*TOKEN', 'config.*SECRET'], remove: true } }, pino.destination({ dest: destination, sync: false, mkdir: true }));
}
