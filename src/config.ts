import { validate as validCron } from 'node-cron';
import { z } from 'zod';
import { isLoopback } from './dashboard/loopback.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

const positiveInt = z.coerce.number().int().positive();
const provider = z.enum(['ollama', 'openai'], { message: 'must be ollama or openai' });
const capabilityNames = ['completion', 'tools', 'vision', 'thinking'] as const;
/** Node timers take at most 2^31 - 1 ms (about 24.8 days); a longer one would fire at once. */
const milliseconds = positiveInt.max(2_147_483_647, { message: 'must be at most 2147483647 (about 24 days)' });
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/**
 * OLLAMA_HOST read as Ollama itself reads it: no scheme means http, no port means 11434, and a
 * bare `:port` means this machine (`127.0.0.1:11434`, `ollama`, `:11500`). Anything unparseable is
 * returned as given, for the URL check to report.
 */
export function normaliseOllamaHost(value: string): string {
  const text = value.trim();
  if (text.includes('://')) return text.replace(/\/+$/, '');
  const hostPort = text.startsWith(':') ? `127.0.0.1${text}` : text;
  try {
    const url = new URL(`http://${hostPort}`);
    // URL drops an explicit :80 as the default; only a missing port becomes Ollama's.
    if (!/^(\[[^\]]+\]|[^/:]+):\d+(\/|$)/.test(hostPort)) url.port = '11434';
    return url.href.replace(/\/+$/, '');
  } catch {
    return text;
  }
}

/** Every setting the bot reads, with its default. Names are the environment variables. */
export const configSchema = z.object({
  OLLAMA_HOST: z
    .string()
    .transform(normaliseOllamaHost)
    .pipe(z.url({ protocol: /^https?$/, message: 'must be an address such as http://127.0.0.1:11434 or 127.0.0.1:11434' }))
    .default('http://127.0.0.1:11434'),
  OLLAMA_MODEL: z.string().min(1).default('qwen2.5:3b'),
  OLLAMA_EMBED_MODEL: z.string().min(1).default('nomic-embed-text'),
  OLLAMA_TIMEOUT_MS: milliseconds.default(120_000),
  OLLAMA_NUM_CTX: positiveInt.min(512).max(1_048_576).default(8192),
  OLLAMA_KEEP_ALIVE: optionalText,
  LLM_PROVIDER: provider.default('ollama'),
  EMBED_PROVIDER: provider.optional(),
  LLM_THINK: bool.default(false),
  OPENAI_BASE_URL: z
    .string()
    .trim()
    .transform((value) => value.replace(/\/+$/, ''))
    .pipe(z.url({ protocol: /^https?$/, message: 'must be an address such as http://127.0.0.1:8080/v1' }))
    .optional(),
  OPENAI_API_KEY: optionalText,
  OPENAI_MODEL: optionalText,
  OPENAI_EMBED_MODEL: optionalText,
  OPENAI_TIMEOUT_MS: milliseconds.default(120_000),
  OPENAI_CONTEXT_TOKENS: positiveInt.min(512).max(1_048_576).optional(),
  // Unset is not the same as `tools`: whether the model thinks is then learned from its first reply.
  OPENAI_CAPABILITIES: list.pipe(z.array(z.enum(capabilityNames, { message: `each must be one of ${capabilityNames.join(', ')}` }))).optional(),
  MODEL_CONCURRENCY: positiveInt.max(64).default(1),
  MAX_PENDING_PER_MEMBER: positiveInt.max(100).default(3),
  ANSWER_TIMEOUT_MS: milliseconds.default(180_000),
  RECOVER_WINDOW_MINUTES: z.coerce.number().int().min(0).max(7 * 24 * 60).default(10),
  ANSWER_CLAIM_TTL_MS: milliseconds.min(1_000).default(30_000),
  DATABASE_PATH: z.string().min(1).default('./data/persona-bot.db'),
  MEMORY_TOP_K: positiveInt.max(50).default(4),
  MEMORY_PREFETCH: bool.default(true),
  MEMORY_CACHE_MB: z.coerce.number().int().min(0).default(256),
  LLM_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.1),
  AGENT_MAX_STEPS: positiveInt.max(20).default(4),
  WIKIPEDIA_API_URL: z.url().default('https://en.wikipedia.org/api/rest_v1'),
  WIKIPEDIA_ENABLED: bool.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_MESSAGE_CHARS: positiveInt.default(4_000),

  FOLLOW_UPS: z.enum(['thread', 'mention'], { message: 'must be thread or mention' }).default('thread'),
  ATTACHMENT_MAX_KB: positiveInt.max(10_240).default(256),
  IMAGE_MAX_KB: positiveInt.max(20_480).default(5_120),

  FEEDBACK_NEGATIVE: list.default(['👎', '-1', 'thumbsdown']),
  FEEDBACK_POSITIVE: list.default(['👍', '+1', 'thumbsup']),

  PERSONA_CRON: z
    .string()
    .refine((value) => validCron(value), { message: 'must be a cron expression, e.g. "0 */6 * * *" (every 6 hours)' })
    .default('0 */6 * * *'),
  PERSONA_MAX_CHARS: positiveInt.default(4_000),
  ALIGN_BATCH_SIZE: positiveInt.max(50).default(3),
  ALIGN_HELDOUT_SIZE: z.coerce.number().int().min(0).max(50).default(3),
  ALIGN_ITERATIONS: positiveInt.max(10).default(1),
  ALIGN_FEEDBACK: z.enum(['batched', 'per-item'], { message: 'must be batched or per-item' }).default('batched'),
  ALIGN_MAX_MEMBERS_PER_RUN: positiveInt.default(50),
  ALIGN_CONCURRENCY: positiveInt.max(16).default(1),
  ALIGN_VALIDATE: bool.default(true),
  ALIGN_RUN_TIMEOUT_MS: milliseconds.default(30 * 60_000),

  DISCORD_TOKEN: optionalText,
  DISCORD_GUILD_ID: optionalText,
  DISCORD_API_URL: z.url().optional(),
  DISCORD_ALLOW_DMS: bool.default(false),
  DISCORD_CHANNEL_IDS: list.default([]),

  SLACK_BOT_TOKEN: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  SLACK_API_URL: z.url().optional(),
  SLACK_ALLOW_DMS: bool.default(true),

  DASHBOARD_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  DASHBOARD_HOST: z.string().trim().min(1).default('127.0.0.1'),
  DASHBOARD_TOKEN: optionalText,

  SHUTDOWN_GRACE_MS: milliseconds.default(10_000),
  HEARTBEAT_INTERVAL_MS: milliseconds.min(1_000, { message: 'must be at least 1000' }).default(30_000),
});

/** The parsed, typed configuration. */
export type Config = z.infer<typeof configSchema>;

/** A configuration that failed validation; `problems` holds one line per bad setting. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nFix these in .env (see .env.example) or the environment.`);
    this.name = 'ConfigError';
  }
}

/** Parses settings from an environment map, listing every problem at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '(root)');
        const shown = /TOKEN|SECRET|KEY/.test(name) ? '(hidden)' : JSON.stringify(present[name] ?? '');
        return `${name}=${shown}: ${issue.message}`;
      }),
    );
  }
  const config = parsed.data;
  const problems: string[] = [];
  if (config.SLACK_APP_TOKEN && !config.SLACK_APP_TOKEN.startsWith('xapp-')) problems.push('SLACK_APP_TOKEN: must be an app-level token starting with xapp-');
  if ((config.SLACK_APP_TOKEN || config.SLACK_SIGNING_SECRET) && !config.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set');
  if (config.SLACK_BOT_TOKEN && !config.SLACK_APP_TOKEN && !config.SLACK_SIGNING_SECRET) problems.push('SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode): one is required with SLACK_BOT_TOKEN');
  if (config.DASHBOARD_PORT !== undefined && !isLoopback(config.DASHBOARD_HOST) && !config.DASHBOARD_TOKEN) {
    problems.push(`DASHBOARD_TOKEN: required when DASHBOARD_HOST (${config.DASHBOARD_HOST}) is not a loopback address, or anyone who can reach the port reads every member's data`);
  }
  problems.push(...providerProblems(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Which server and model give chat, and which give embeddings (EMBED_PROVIDER defaults to LLM_PROVIDER). */
export function modelChoice(config: Config): { chat: { provider: Config['LLM_PROVIDER']; model: string }; embed: { provider: Config['LLM_PROVIDER']; model: string } } {
  const embedProvider = config.EMBED_PROVIDER ?? config.LLM_PROVIDER;
  return {
    chat: { provider: config.LLM_PROVIDER, model: config.LLM_PROVIDER === 'openai' ? (config.OPENAI_MODEL ?? '') : config.OLLAMA_MODEL },
    embed: { provider: embedProvider, model: embedProvider === 'openai' ? (config.OPENAI_EMBED_MODEL ?? '') : config.OLLAMA_EMBED_MODEL },
  };
}

/** The OpenAI-compatible settings a chosen provider cannot do without. */
function providerProblems(config: Config): string[] {
  const problems: string[] = [];
  const choice = modelChoice(config);
  const openai = choice.chat.provider === 'openai' || choice.embed.provider === 'openai';
  if (openai && !config.OPENAI_BASE_URL) problems.push('OPENAI_BASE_URL: required when LLM_PROVIDER or EMBED_PROVIDER is openai (e.g. http://127.0.0.1:8080/v1 for llama-server, http://127.0.0.1:8000/v1 for vLLM, http://127.0.0.1:1234/v1 for LM Studio)');
  if (choice.chat.provider === 'openai' && !config.OPENAI_MODEL) problems.push('OPENAI_MODEL: required when LLM_PROVIDER=openai (a model id the server lists at /v1/models)');
  if (choice.embed.provider === 'openai' && !config.OPENAI_EMBED_MODEL) {
    problems.push('OPENAI_EMBED_MODEL: required when embeddings come from the OpenAI-compatible server (EMBED_PROVIDER=openai, or LLM_PROVIDER=openai without EMBED_PROVIDER); or set EMBED_PROVIDER=ollama to embed with Ollama');
  }
  return problems;
}
