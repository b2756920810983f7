import { Ollama, type ChatResponse, type Message, type Tool } from 'ollama';
import { ModelError } from '../core/errors.js';
import type { ChatRequest, ChatResult, ModelCapabilities, ModelMessage, ToolSpec } from '../core/ports.js';
import { capabilitiesFrom, narrowContext, type ModelInfo } from './provider.js';
import { ProviderBase, type Refusal } from './provider-base.js';
import { cleanReply, readCalls, type RawReply } from './reply-cleanup.js';
import type { ReplyStream } from './reply-stream.js';

/** Options for the Ollama-backed model. `fetch` is injectable for tests. */
export interface OllamaModelOptions {
  host: string;
  model: string;
  embedModel: string;
  timeoutMs: number;
  /** Sent as `options.num_ctx` on every chat call: the context the model is loaded with. */
  numCtx: number;
  /** Sent as `keep_alive` on every call (e.g. "5m", "-1"); the server's default when absent. */
  keepAlive?: string;
  /** Sent as `think` to a model that reports thinking (false turns it off where the model thinks by default). */
  think?: boolean;
  fetch?: typeof fetch;
}

/** Until `/api/show` says otherwise: a model that takes tools, as the bot's default models do. */
const ASSUMED: ModelCapabilities = { tools: true, vision: false, thinking: false, source: 'settings' };

/** The LanguageModel port implemented with the `ollama` package. */
export class OllamaModel extends ProviderBase {
  readonly name = 'ollama';

  constructor(private readonly options: OllamaModelOptions) {
    // Start-up asks /api/show before the first answer; only a model it says thinks is read warily.
    super({ endpoint: options.host, chatModel: options.model, embedModel: options.embedModel, timeoutMs: options.timeoutMs }, { context: options.numCtx, capabilities: ASSUMED, thinkingKnown: true });
  }

  /** Embeds texts with the embedding model, one vector per text. */
  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const response = await this.call(this.options.embedModel, signal, (client) =>
      client.embed({ model: this.options.embedModel, input: texts, ...(this.options.keepAlive ? { keep_alive: this.options.keepAlive } : {}) }),
    );
    const embeddings = response?.embeddings;
    if (!Array.isArray(embeddings) || embeddings.length !== texts.length || embeddings.some((vector) => !Array.isArray(vector) || vector.length === 0)) {
      throw new ModelError('MODEL_BAD_RESPONSE', 'The embedding model returned no usable vectors.', this.options.embedModel, true);
    }
    return embeddings.map((vector) => Float32Array.from(vector));
  }

  /** `/api/tags` says whether the model is pulled, `/api/show` what it can do and its trained context. */
  async describe(model: string): Promise<ModelInfo> {
    try {
      const list = await this.call(model, undefined, (client) => client.list());
      if (!hasModel(list.models.map((entry) => entry.name), model)) return { reachable: true, present: false, capabilities: null, contextLength: null, serverKind: 'Ollama' };
      const shown = (await this.call(model, undefined, (client) => client.show({ model }))) as unknown as { capabilities?: unknown; model_info?: Record<string, unknown> };
      const contextLength = trainedContext(shown.model_info);
      return {
        reachable: true,
        present: true,
        capabilities: Array.isArray(shown.capabilities) ? shown.capabilities.map(String) : null,
        contextLength,
        ...(contextLength !== null ? { contextSource: 'trained length, /api/show' } : {}),
        serverKind: 'Ollama',
      };
    } catch (error) {
      if (error instanceof ModelError && error.code === 'MODEL_UNREACHABLE') return { reachable: false, present: null, capabilities: null, contextLength: null };
      if (error instanceof ModelError) return { reachable: true, present: null, capabilities: null, contextLength: null, error };
      throw error;
    }
  }

  /** Ollama clamps num_ctx to the trained length, so prompts are assembled for the smaller of the two. */
  adopt(info: ModelInfo): void {
    if (info.capabilities) {
      this.caps = capabilitiesFrom(info.capabilities, 'server');
      // Ollama lists `thinking` for a model that thinks: how such a model writes its thinking is learned from its first reply.
      this.habits.known = !this.caps.thinking;
    }
    this.context = narrowContext(this.options.numCtx, info.contextLength, this.options.numCtx);
  }

  protected async exchange(request: ChatRequest, tools: ToolSpec[] | undefined): Promise<ChatResult> {
    const think = this.thinkSetting();
    const body = {
      model: this.options.model,
      // An empty system prompt is left out so the model's own default applies.
      messages: [...(request.system ? [{ role: 'system', content: request.system }] : []), ...request.messages.map(toOllamaMessage)],
      tools: tools?.map(toOllamaTool),
      format: request.format,
      options: { temperature: request.temperature, num_ctx: this.options.numCtx },
      ...(think !== undefined ? { think } : {}),
      ...(this.options.keepAlive ? { keep_alive: this.options.keepAlive } : {}),
    };
    const stream = this.replyStream(request);
    const response = await this.call(this.options.model, request.signal, async (client) => {
      if (!stream) return client.chat({ ...body, stream: false });
      return collect(await client.chat({ ...body, stream: true }), stream);
    });
    const message = response?.message;
    if (!message || typeof message.content !== 'string') {
      throw new ModelError('MODEL_BAD_RESPONSE', 'The model answered without a message.', this.options.model, true);
    }
    // Ollama puts thinking in `message.thinking` (since v0.9) and never in the answer; older servers leave `<think>` in content.
    const raw: RawReply = {
      content: message.content,
      // Arguments come as an object; one sent as text that is not JSON is shown to the model as its mistake.
      ...readCalls((message.tool_calls ?? []).map((call) => ({ name: call.function.name, arguments: call.function.arguments as unknown }))),
      promptTokens: response.prompt_eval_count ?? 0,
      completionTokens: response.eval_count ?? 0,
      truncated: response.done_reason === 'length',
    };
    const result = cleanReply(raw, request);
    stream?.end(result);
    return result;
  }

  /** `think` only for a model that reports thinking, or when asked for and the server has not said. */
  private thinkSetting(): boolean | undefined {
    if (this.caps.thinking) return this.options.think ?? false;
    return this.caps.source === 'settings' && this.options.think ? true : undefined;
  }

  protected refusal(cause: unknown): Refusal {
    return { status: statusOf(cause), message: messageOf(cause) };
  }

  private call<T>(model: string, signal: AbortSignal | undefined, run: (client: Ollama) => Promise<T>): Promise<T> {
    const baseFetch = this.options.fetch ?? fetch;
    return this.withDeadline(model, signal, (abort) => run(new Ollama({ host: this.options.host, fetch: (input, init) => baseFetch(input, { ...init, signal: abort }) })), (error) => this.failure(error, model));
  }

  private failure(error: unknown, model: string): ModelError {
    const status = statusOf(error);
    const message = messageOf(error);
    if (typeof status === 'number') return this.httpFailure(status, message, { model, server: 'Ollama', missingHint: `Run: ollama pull ${model}` }, { cause: error });
    if (error instanceof TypeError && /fetch failed/i.test(message)) {
      return new ModelError('MODEL_UNREACHABLE', 'Ollama is not reachable.', model, true, { cause: error });
    }
    // An error line on an open stream (a runner that died mid-answer) has no status.
    return new ModelError('MODEL_BAD_RESPONSE', `Unreadable answer from Ollama: ${message.slice(0, 200)}`, model, true, { cause: error });
  }
}

/** Reads a streamed chat into one response, passing its answer text on as it comes. */
async function collect(stream: AsyncIterable<ChatResponse>, reply: ReplyStream): Promise<ChatResponse> {
  let content = '';
  const toolCalls: NonNullable<ChatResponse['message']['tool_calls']> = [];
  let last: ChatResponse | undefined;
  for await (const part of stream) {
    last = part;
    if (part.message?.thinking) reply.reasoning();
    const delta = part.message?.content ?? '';
    if (delta) {
      content += delta;
      reply.push(delta);
    }
    // Ollama sends each tool call whole, in one chunk.
    if (part.message?.tool_calls) toolCalls.push(...part.message.tool_calls);
  }
  if (!last) throw new ModelError('MODEL_BAD_RESPONSE', 'The model sent an empty stream.', 'ollama', true);
  return { ...last, message: { ...last.message, role: 'assistant', content, tool_calls: toolCalls.length > 0 ? toolCalls : undefined } };
}

/** The trained context length from `/api/show`'s model_info (`<architecture>.context_length`). */
function trainedContext(info: Record<string, unknown> | undefined): number | null {
  if (!info) return null;
  const architecture = info['general.architecture'];
  const value = typeof architecture === 'string' ? info[`${architecture}.context_length`] : undefined;
  if (typeof value === 'number') return value;
  const any = Object.entries(info).find(([key, entry]) => key.endsWith('.context_length') && typeof entry === 'number');
  return any ? (any[1] as number) : null;
}

function hasModel(installed: string[], name: string): boolean {
  const wanted = name.includes(':') ? name : `${name}:latest`;
  return installed.some((model) => model === name || model === wanted);
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status_code?: unknown } | undefined)?.status_code;
  return typeof status === 'number' ? status : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toOllamaMessage(message: ModelMessage): Message {
  return {
    role: message.role,
    content: message.content,
    ...(message.toolCalls ? { tool_calls: message.toolCalls.map((call) => ({ function: { name: call.name, arguments: call.arguments } })) } : {}),
    ...(message.toolName ? { tool_name: message.toolName } : {}),
    ...(message.images?.length ? { images: message.images.map((image) => image.base64) } : {}),
  };
}

function toOllamaTool(tool: ToolSpec): Tool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } } as Tool;
}
