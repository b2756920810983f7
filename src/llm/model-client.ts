import { modelChoice, type Config } from '../config.js';
import type { ChatRequest, ChatResult, LanguageModel, ModelCapabilities } from '../core/ports.js';
import { OllamaModel } from './ollama-model.js';
import { OpenAiModel } from './openai-model.js';
import type { ModelInfo, ModelProvider } from './provider.js';

/** What one server said about one of the configured models. */
export interface ModelReport extends ModelInfo {
  role: 'chat' | 'embeddings';
  provider: ModelProvider['name'];
  endpoint: string;
  model: string;
}

/**
 * The bot's model: chat from one provider, embeddings from the same or another (vLLM for chat,
 * Ollama for embeddings). `inspect` asks both servers about their models and lets the chat provider
 * take what it learned (capabilities, context), at start-up and in `doctor`.
 */
export class ModelClient implements LanguageModel {
  /** The chat model's server has been asked what the model can do (at start-up, in doctor, or for the first image). */
  private asked: Promise<boolean> | null = null;

  constructor(
    readonly chatProvider: ModelProvider,
    readonly embedProvider: ModelProvider,
  ) {}

  get modelName(): string {
    return this.chatProvider.chatModel;
  }

  get embedModel(): string {
    return this.embedProvider.embedModel;
  }

  get contextTokens(): number {
    return this.chatProvider.contextTokens;
  }

  get capabilities(): ModelCapabilities {
    return this.chatProvider.capabilities;
  }

  chat(request: ChatRequest): Promise<ChatResult> {
    return this.chatProvider.chat(request);
  }

  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return this.embedProvider.embed(texts, signal);
  }

  /** Asks the servers about the chat and embedding models; the chat provider adopts what its server said. */
  async inspect(): Promise<{ chat: ModelReport; embed: ModelReport }> {
    const chat = await this.inspectChat();
    const embed = await this.report('embeddings', this.embedProvider, this.embedProvider.embedModel);
    return { chat, embed };
  }

  /**
   * Whether the chat model reads images: its server is asked once (unless start-up already did), and
   * again next time when it could not be reached; where the server does not say, the settings do.
   */
  async readsImages(): Promise<boolean> {
    this.asked ??= this.inspectChat().then(
      (chat) => chat.reachable || ((this.asked = null), false),
      () => ((this.asked = null), false),
    );
    return (await this.asked) && this.capabilities.vision;
  }

  private async inspectChat(): Promise<ModelReport> {
    const chat = await this.report('chat', this.chatProvider, this.chatProvider.chatModel);
    if (chat.reachable && chat.present !== false && !chat.error) {
      this.chatProvider.adopt(chat);
      this.asked = Promise.resolve(true);
    }
    return chat;
  }

  private async report(role: ModelReport['role'], provider: ModelProvider, model: string): Promise<ModelReport> {
    return { role, provider: provider.name, endpoint: provider.endpoint, model, ...(await provider.describe(model)) };
  }
}

/** The providers the settings choose (LLM_PROVIDER, EMBED_PROVIDER), one client per server. */
export function createModelClient(config: Config, options: { fetch?: typeof fetch } = {}): ModelClient {
  const choice = modelChoice(config);
  const made = new Map<string, ModelProvider>();
  const provider = (name: Config['LLM_PROVIDER']): ModelProvider => {
    const existing = made.get(name);
    if (existing) return existing;
    const created = name === 'openai' ? openAiProvider(config, options.fetch) : ollamaProvider(config, options.fetch);
    made.set(name, created);
    return created;
  };
  return new ModelClient(provider(choice.chat.provider), provider(choice.embed.provider));
}

function ollamaProvider(config: Config, fetch: typeof globalThis.fetch | undefined): OllamaModel {
  return new OllamaModel({
    host: config.OLLAMA_HOST,
    model: config.OLLAMA_MODEL,
    embedModel: config.OLLAMA_EMBED_MODEL,
    timeoutMs: config.OLLAMA_TIMEOUT_MS,
    numCtx: config.OLLAMA_NUM_CTX,
    keepAlive: config.OLLAMA_KEEP_ALIVE,
    think: config.LLM_THINK,
    ...(fetch ? { fetch } : {}),
  });
}

function openAiProvider(config: Config, fetch: typeof globalThis.fetch | undefined): OpenAiModel {
  return new OpenAiModel({
    baseUrl: config.OPENAI_BASE_URL ?? '',
    apiKey: config.OPENAI_API_KEY,
    model: config.OPENAI_MODEL ?? '',
    embedModel: config.OPENAI_EMBED_MODEL ?? '',
    timeoutMs: config.OPENAI_TIMEOUT_MS,
    contextTokens: config.OPENAI_CONTEXT_TOKENS,
    capabilities: config.OPENAI_CAPABILITIES,
    think: config.LLM_THINK,
    ...(fetch ? { fetch } : {}),
  });
}
