import pino, { type Logger } from 'pino';
import type { AlignmentSettings } from './core/alignment.js';
import { Bot } from './core/bot.js';
import { ChannelInstructions } from './core/channel-instructions.js';
import { createLearning, type Learning } from './core/learning.js';
import { defaultPromptsDir, Prompts } from './core/prompts.js';
import { modelChoice, type Config } from './config.js';
import type { ProgressDelays } from './core/answer-progress.js';
import { TokenCounter } from './core/context-budget.js';
import { FairModelQueue, QueuedModel } from './llm/model-queue.js';
import { createModelClient, type ModelClient } from './llm/model-client.js';
import { Store } from './memory/store.js';
import { Wikipedia } from './web/wikipedia.js';

/** The wired core: everything but the platform adapters and the schedule. */
export interface Core extends Learning {
  config: Config;
  logger: Logger;
  store: Store;
  /** The model client itself (for checks: what the servers say); model calls of the bot go through `queue`. */
  model: ModelClient;
  queue: FairModelQueue;
  prompts: Prompts;
  bot: Bot;
  close(): void;
}

/** Builds the core from configuration: opens the database, loads prompts, creates the model client. */
export function buildCore(config: Config, logger: Logger, options: { promptsDir?: string; busyTimeoutMs?: number; progress?: ProgressDelays } = {}): Core {
  const prompts = Prompts.load(options.promptsDir ?? defaultPromptsDir);
  const store = Store.open(config.DATABASE_PATH, { busyTimeoutMs: options.busyTimeoutMs, cacheBytes: config.MEMORY_CACHE_MB * 2 ** 20 });
  const client = createModelClient(config);
  const embedModel = modelChoice(config).embed.model;
  // Every model call of the process goes through one fair queue: answers first, learning after.
  const queue = new FairModelQueue(config.MODEL_CONCURRENCY);
  const model = new QueuedModel(client, queue);
  const encyclopedia = config.WIKIPEDIA_ENABLED ? new Wikipedia({ baseUrl: config.WIKIPEDIA_API_URL }) : undefined;
  const { agent, personas, profiles, aligner } = createLearning({
    store,
    model,
    prompts,
    prefetch: config.MEMORY_PREFETCH,
    tokens: new TokenCounter(),
    encyclopedia,
    embedModel,
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
    queue,
    embedModel,
    logger,
    answerTimeoutMs: config.ANSWER_TIMEOUT_MS,
    claimTtlMs: config.ANSWER_CLAIM_TTL_MS,
    progress: options.progress,
    maxPendingPerMember: config.MAX_PENDING_PER_MEMBER,
    maxMessageChars: config.MAX_MESSAGE_CHARS,
    feedback: { negative: config.FEEDBACK_NEGATIVE, positive: config.FEEDBACK_POSITIVE, maxCorrectionChars: config.MAX_MESSAGE_CHARS },
    followUps: config.FOLLOW_UPS,
    files: { maxTextBytes: config.ATTACHMENT_MAX_KB * 1024, maxImageBytes: config.IMAGE_MAX_KB * 1024, readsImages: () => client.readsImages() },
    instructions: new ChannelInstructions(store, prompts),
  });
  return { config, logger, store, model: client, queue, prompts, agent, personas, profiles, aligner, bot, close: () => store.close() };
}

/** Algorithm 1's settings as configured (ALIGN_*, PERSONA_MAX_CHARS). */
export function alignmentSettings(config: Config): AlignmentSettings {
  return {
    batchSize: config.ALIGN_BATCH_SIZE,
    heldOutSize: config.ALIGN_HELDOUT_SIZE,
    iterations: config.ALIGN_ITERATIONS,
    feedback: config.ALIGN_FEEDBACK,
    validate: config.ALIGN_VALIDATE,
    maxChars: config.PERSONA_MAX_CHARS,
    concurrency: config.ALIGN_CONCURRENCY,
  };
}

/** A pino logger writing JSON to `destination` (stderr by default); message text only at debug. */
export function createLogger(level: Config['LOG_LEVEL'], destination: number | string = 2): Logger {
  // A log file (the console chat's) is opened before this returns: opened in the background, it outlived a
  // start-up that failed (a bad database) and reported its folder's removal as an uncaught error.
  const sync = typeof destination === 'string';
  return pino({ level, redact: { paths: ['*.token', '*.text', 'config.*TOKEN', 'config.*SECRET', 'config.OPENAI_API_KEY'], remove: true } }, pino.destination({ dest: destination, sync, mkdir: true }));
}
