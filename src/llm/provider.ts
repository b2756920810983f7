import type { ModelError } from '../core/errors.js';
import type { ChatRequest, ChatResult, ModelCapabilities } from '../core/ports.js';

/** The model servers the bot speaks to. */
export type ProviderName = 'ollama' | 'openai';

/** What a server says about one model when asked (`/api/show` on Ollama; `/v1/models` and llama.cpp's `/props`). */
export interface ModelInfo {
  reachable: boolean;
  /** The server has it (pulled on Ollama, listed by `/v1/models`); null when the server serves whatever it was started with. */
  present: boolean | null;
  /** What the server says the model does (`completion`, `tools`, `vision`, `embedding`, `thinking`); null when it does not say. */
  capabilities: string[] | null;
  /** The context the server runs it with (or, failing that, the length it was trained for); null when it does not say. */
  contextLength: number | null;
  /** Where the context length came from, for `doctor`. */
  contextSource?: string;
  /** Which server this is, when it can be told (`vLLM`, `llama.cpp`, `Ollama`). */
  serverKind?: string;
  /** The server answered, but refused to say (wrong API key, …). */
  error?: ModelError;
}

/** One model server: chat and embeddings with the models it was configured with, and what it says about them. */
export interface ModelProvider {
  readonly name: ProviderName;
  /** Where the server is, for messages. */
  readonly endpoint: string;
  readonly chatModel: string;
  readonly embedModel: string;
  /** Context the chat model's prompts are assembled for: settings, narrowed by what the server reports. */
  readonly contextTokens: number;
  readonly capabilities: ModelCapabilities;
  chat(request: ChatRequest): Promise<ChatResult>;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** Asks the server about a model; never throws for a server that is down. */
  describe(model: string): Promise<ModelInfo>;
  /** Takes what the server said about the chat model: its capabilities and context. */
  adopt(info: ModelInfo): void;
}

/** Capabilities from a server's list (Ollama's vocabulary; `image` counts as vision). */
export function capabilitiesFrom(list: string[], source: ModelCapabilities['source']): ModelCapabilities {
  return { tools: list.includes('tools'), vision: list.includes('vision') || list.includes('image'), thinking: list.includes('thinking'), source };
}

/** The context to assemble prompts for: the configured one, but never more than the server runs the model with. */
export function narrowContext(configured: number | undefined, reported: number | null, fallback: number): number {
  if (configured !== undefined && reported !== null) return Math.min(configured, reported);
  return configured ?? reported ?? fallback;
}
