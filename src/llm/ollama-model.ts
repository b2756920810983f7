import { Ollama, type ChatResponse, type Message, type Tool } from 'ollama';
import { ModelError } from '../core/errors.js';
import type { ChatRequest, ChatResult, LanguageModel, ModelMessage, ToolCall } from '../core/ports.js';

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
  fetch?: typeof fetch;
}

/** What `ollama list` and `ollama show` say about the configured models. */
export interface OllamaStatus {
  reachable: boolean;
  installed: string[];
  missing: string[];
  chatSupportsTools: boolean | null;
  /** The chat model's trained context length (`/api/show` model_info), when the server says. */
  chatContextLength: number | null;
  /** The chat model's capabilities (`/api/show`), when the server says. */
  capabilities: string[] | null;
}

/** The LanguageModel port implemented with the `ollama` package. */
export class OllamaModel implements LanguageModel {
  readonly modelName: string;
  readonly contextTokens: number;

  constructor(private readonly options: OllamaModelOptions) {
    this.modelName = options.model;
    this.contextTokens = options.numCtx;
  }

  /** Sends one chat turn; tool calls and a JSON-schema `format` pass through. Streams when `onText` is given. */
  async chat(request: ChatRequest): Promise<ChatResult> {
    const body = {
      model: this.options.model,
      // An empty system prompt is left out so the model's own default applies.
      messages: [...(request.system ? [{ role: 'system', content: request.system }] : []), ...request.messages.map(toOllamaMessage)],
      tools: request.tools?.map(toOllamaTool),
      format: request.format,
      options: { temperature: request.temperature, num_ctx: this.options.numCtx },
      ...(this.options.keepAlive ? { keep_alive: this.options.keepAlive } : {}),
    };
    const onText = request.onText;
    const response = await this.call(this.options.model, request.signal, async (client) => {
      if (!onText) return client.chat({ ...body, stream: false });
      return collect(await client.chat({ ...body, stream: true }), onText);
    });
    const message = response?.message;
    if (!message || typeof message.content !== 'string') {
      throw new ModelError('MODEL_BAD_RESPONSE', 'The model answered without a message.', this.options.model, true);
    }
    return {
      content: message.content,
      toolCalls: (message.tool_calls ?? []).map(fromOllamaToolCall),
      promptTokens: response.prompt_eval_count ?? 0,
      completionTokens: response.eval_count ?? 0,
      truncated: response.done_reason === 'length',
    };
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

  /** Checks that Ollama answers and both models are pulled. Never throws for a down server. */
  async status(): Promise<OllamaStatus> {
    try {
      const list = await this.call(this.options.model, undefined, (client) => client.list());
      const installed = list.models.map((model) => model.name);
      const missing = [this.options.model, this.options.embedModel].filter((name) => !hasModel(installed, name));
      let capabilities: string[] | null = null;
      let chatContextLength: number | null = null;
      if (!missing.includes(this.options.model)) {
        const shown = (await this.call(this.options.model, undefined, (client) => client.show({ model: this.options.model }))) as unknown as { capabilities?: unknown; model_info?: Record<string, unknown> };
        capabilities = Array.isArray(shown.capabilities) ? shown.capabilities.map(String) : null;
        chatContextLength = contextLength(shown.model_info);
      }
      return { reachable: true, installed, missing, chatSupportsTools: capabilities ? capabilities.includes('tools') : null, chatContextLength, capabilities };
    } catch (error) {
      if (error instanceof ModelError && error.code === 'MODEL_UNREACHABLE') {
        return { reachable: false, installed: [], missing: [this.options.model, this.options.embedModel], chatSupportsTools: null, chatContextLength: null, capabilities: null };
      }
      throw error;
    }
  }

  private async call<T>(model: string, signal: AbortSignal | undefined, run: (client: Ollama) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const baseFetch = this.options.fetch ?? fetch;
    const client = new Ollama({ host: this.options.host, fetch: (input, init) => baseFetch(input, { ...init, signal: combined }) });
    try {
      return await run(client);
    } catch (error) {
      throw toModelError(error, model, { timedOut: timeout.aborted, aborted: signal?.aborted ?? false, reason: signal?.reason, timeoutMs: this.options.timeoutMs });
    }
  }
}

/** Reads a streamed chat into one response, handing each piece of content to `onText` as it comes. */
async function collect(stream: AsyncIterable<ChatResponse>, onText: (delta: string) => void): Promise<ChatResponse> {
  let content = '';
  const toolCalls: NonNullable<ChatResponse['message']['tool_calls']> = [];
  let last: ChatResponse | undefined;
  for await (const part of stream) {
    last = part;
    const delta = part.message?.content ?? '';
    if (delta) {
      content += delta;
      onText(delta);
    }
    // Ollama sends each tool call whole, in one chunk.
    if (part.message?.tool_calls) toolCalls.push(...part.message.tool_calls);
  }
  if (!last) throw new ModelError('MODEL_BAD_RESPONSE', 'The model sent an empty stream.', 'ollama', true);
  return { ...last, message: { ...last.message, role: 'assistant', content, tool_calls: toolCalls.length > 0 ? toolCalls : undefined } };
}

/** The trained context length from `/api/show`'s model_info (`<architecture>.context_length`). */
function contextLength(info: Record<string, unknown> | undefined): number | null {
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

function toModelError(error: unknown, model: string, state: { timedOut: boolean; aborted: boolean; reason?: unknown; timeoutMs: number }): ModelError {
  if (error instanceof ModelError) return error;
  // The caller's own deadline (one per answer) is a timeout, not a cancellation.
  if (state.aborted && (state.reason as Error | undefined)?.name === 'TimeoutError') {
    return new ModelError('MODEL_TIMEOUT', 'The answer took longer than its deadline.', model, true, { cause: error });
  }
  if (state.aborted) return new ModelError('MODEL_ABORTED', 'The model call was cancelled.', model, false, { cause: error });
  if (state.timedOut) return new ModelError('MODEL_TIMEOUT', `The model did not answer within ${state.timeoutMs} ms.`, model, true, { cause: error });
  const status = (error as { status_code?: number }).status_code;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 404 && /not found/i.test(message)) {
    return new ModelError('MODEL_MISSING', `The model ${model} is not pulled. Run: ollama pull ${model}`, model, false, { cause: error });
  }
  if (typeof status === 'number') {
    return new ModelError('MODEL_BAD_RESPONSE', `Ollama answered ${status}: ${message.slice(0, 200)}`, model, status >= 500, { cause: error });
  }
  if (error instanceof TypeError && /fetch failed/i.test(message)) {
    return new ModelError('MODEL_UNREACHABLE', 'Ollama is not reachable.', model, true, { cause: error });
  }
  return new ModelError('MODEL_BAD_RESPONSE', `Unreadable answer from Ollama: ${message.slice(0, 200)}`, model, true, { cause: error });
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

function toOllamaTool(tool: NonNullable<ChatRequest['tools']>[number]): Tool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } } as Tool;
}

function fromOllamaToolCall(call: { function: { name: string; arguments: unknown } }): ToolCall {
  let args = call.function.arguments;
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
    } catch {
      args = { input: args };
    }
  }
  return { name: call.function.name, arguments: (args && typeof args === 'object' ? args : {}) as Record<string, unknown> };
}
