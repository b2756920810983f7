import { modelChoice, type Config } from '../config.js';
import { createModelClient, type ModelClient } from '../llm/model-client.js';
import type { ModelInfo } from '../llm/provider.js';
import { DiskCache, type CacheScope } from './model-cache.js';
import type { ProgressOutput } from './progress.js';

/**
 * Everything about the model server that changes answers, besides the prompts: which server and
 * model, what is sent with each call (num_ctx, thinking), what the server said the model can do, and
 * the context every prompt is fitted to. It names the run's files and keys the cache.
 */
export interface BackendIdentity {
  chat: { provider: string; endpoint: string; model: string };
  embed: { provider: string; endpoint: string; model: string };
  /** Sent as num_ctx on every chat call (Ollama); null where nothing is sent (OpenAI-compatible servers). */
  numCtx: number | null;
  /** OPENAI_CONTEXT_TOKENS, when the chat server is OpenAI-compatible and it is set. */
  contextSetting: number | null;
  /** What the server says the model was trained on (or runs with); null when it does not say. */
  serverContext: number | null;
  /** The context prompts are fitted to: the setting, never more than the server's figure. */
  contextTokens: number;
  think: boolean;
  capabilities: { tools: boolean; vision: boolean; thinking: boolean };
}

/** The server that answers chat calls, as messages name it. */
export function serverName(provider: string): string {
  return provider === 'openai' ? 'the OpenAI-compatible server' : 'Ollama';
}

/**
 * Opens the run's model client and asks the chat server what the model is (trained context, tools),
 * once per --out: the answer is kept in the cache, so a rerun needs no server to fit its prompts alike.
 */
export async function openBackend(config: Config, cache: DiskCache, stderr: ProgressOutput): Promise<{ client: ModelClient; backend: BackendIdentity }> {
  const client = createModelClient(config);
  const choice = modelChoice(config);
  const chat = { provider: choice.chat.provider, endpoint: client.chatProvider.endpoint, model: choice.chat.model };
  const info = await inspectOnce(client, cache, chat);
  if (!info) stderr.write(`Could not ask ${serverName(chat.provider)} about ${chat.model}; prompts are fitted to ${client.contextTokens} tokens, as the settings say.\n`);
  const { tools, vision, thinking } = client.capabilities;
  const backend: BackendIdentity = {
    chat,
    embed: embedScope(client, choice.embed.provider),
    numCtx: chat.provider === 'ollama' ? config.OLLAMA_NUM_CTX : null,
    contextSetting: chat.provider === 'openai' ? (config.OPENAI_CONTEXT_TOKENS ?? null) : null,
    serverContext: info?.contextLength ?? null,
    contextTokens: client.contextTokens,
    think: config.LLM_THINK,
    capabilities: { tools, vision, thinking },
  };
  return { client, backend };
}

/** What the chat server said about the model: from the cache, else asked (and kept when it answered); null when it could not say. */
async function inspectOnce(client: ModelClient, cache: DiskCache, chat: BackendIdentity['chat']): Promise<ModelInfo | null> {
  const key = DiskCache.key({ kind: 'inspect', ...chat });
  const known = cache.read<ModelInfo>(key);
  if (known) {
    client.chatProvider.adopt(known);
    return known;
  }
  const { chat: report } = await client.inspect();
  if (!report.reachable || report.present === false || report.error) return null;
  const info: ModelInfo = { reachable: true, present: report.present, capabilities: report.capabilities, contextLength: report.contextLength, ...(report.contextSource ? { contextSource: report.contextSource } : {}) };
  cache.write(key, info);
  return info;
}

/** The cache scope of a run: what is sent with each chat call besides the prompt, and the embedding server. */
export function cacheScope(backend: BackendIdentity): CacheScope {
  const { chat, numCtx, think, capabilities } = backend;
  return { chat: { ...chat, numCtx, think, capabilities }, embed: backend.embed };
}

/** The embedding server and model of a client, as a cache scope names them. */
export function embedScope(client: ModelClient, provider: string): BackendIdentity['embed'] {
  return { provider, endpoint: client.embedProvider.endpoint, model: client.embedModel };
}
