import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { ModelError } from '../core/errors.js';
import type { ChatRequest, ChatResult, ToolSpec } from '../core/ports.js';
import { retryAfterMs, type FailureContext } from './model-errors.js';
import { describeListed, fromCompletion, fromStream, toOpenAiMessages, toOpenAiTool, type ListedModel, type LlamaCppProps } from './openai-wire.js';
import { capabilitiesFrom, narrowContext, type ModelInfo } from './provider.js';
import { ProviderBase, type Refusal } from './provider-base.js';
import { cleanReply, type RawReply } from './reply-cleanup.js';

/** Options for an OpenAI-compatible server (llama.cpp's llama-server, vLLM, LM Studio, Ollama's /v1, hosted APIs). */
export interface OpenAiModelOptions {
  /** The API's base URL, ending in /v1. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  embedModel: string;
  timeoutMs: number;
  /** Context to assemble prompts for; the server's own figure when not set (never more than it). */
  contextTokens?: number;
  /**
   * What the chat model can do where the server does not say (`tools`, `vision`, `thinking`). Unset:
   * tools only, and whether the model thinks is learned from its first streamed reply.
   */
  capabilities?: string[];
  /** Asks for thinking where the server has the switch (`chat_template_kwargs.enable_thinking` on vLLM and llama.cpp). */
  think?: boolean;
  fetch?: typeof fetch;
}

/** Prompts are assembled for this many tokens when neither the settings nor the server say. */
const DEFAULT_CONTEXT = 8192;
/** What a chat model is taken to do when neither the settings nor the server say. */
const DEFAULT_CAPABILITIES = ['tools'];
/** Servers whose chat templates take `chat_template_kwargs` (Qwen3's `enable_thinking` switch). */
const TEMPLATE_SWITCH = new Set(['vLLM', 'llama.cpp']);
/** Words a server uses when it refuses `response_format`. */
const NO_SCHEMA = /response_format|json_schema|grammar/i;

/** The LanguageModel port over an OpenAI-compatible chat-completions server, through the official `openai` client. */
export class OpenAiModel extends ProviderBase {
  readonly name = 'openai';
  private readonly client: OpenAI;
  private kind: string | undefined;
  /** Cleared when the server refuses `response_format`; the prompt's JSON instruction and validation remain. */
  private jsonSchema = true;

  constructor(private readonly options: OpenAiModelOptions) {
    super({ endpoint: options.baseUrl, chatModel: options.model, embedModel: options.embedModel, timeoutMs: options.timeoutMs }, { context: options.contextTokens ?? DEFAULT_CONTEXT, capabilities: capabilitiesFrom(options.capabilities ?? DEFAULT_CAPABILITIES, 'settings'), thinkingKnown: options.capabilities !== undefined });
    const baseFetch = options.fetch ?? fetch;
    // Retries and deadlines are the bot's: one attempt per call, cut off by the call's own signal.
    this.client = new OpenAI({ baseURL: options.baseUrl, apiKey: options.apiKey ?? 'unused', maxRetries: 0, timeout: options.timeoutMs, fetch: (input, init) => readableErrors(baseFetch, input, init) });
  }

  /** Embeds texts with the embedding model (floats asked for: not every server sends base64). */
  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const model = this.options.embedModel;
    try {
      const response = await this.call(model, signal, (abort) => this.client.embeddings.create({ model, input: texts, encoding_format: 'float' }, { signal: abort }));
      const data = [...(response?.data ?? [])].sort((a, b) => a.index - b.index);
      if (data.length !== texts.length || data.some((entry) => !Array.isArray(entry.embedding) || entry.embedding.length === 0)) {
        throw new ModelError('MODEL_BAD_RESPONSE', 'The embedding model returned no usable vectors.', model, true);
      }
      return data.map((entry) => Float32Array.from(entry.embedding));
    } catch (error) {
      throw notAnEmbedder(error, model);
    }
  }

  /** `/v1/models` says whether the model is served and, on vLLM and llama.cpp, its context; llama.cpp's `/props` what its template supports. */
  async describe(model: string): Promise<ModelInfo> {
    try {
      const page = await this.call(model, undefined, (abort) => this.client.models.list({ signal: abort }));
      const models = page.data as unknown as ListedModel[];
      const props = models.some((entry) => entry.meta !== undefined || entry.owned_by === 'llamacpp') ? await this.llamaCppProps() : null;
      return describeListed(models, model, props);
    } catch (error) {
      if (error instanceof ModelError && error.code === 'MODEL_UNREACHABLE') return { reachable: false, present: null, capabilities: null, contextLength: null };
      if (error instanceof ModelError) return { reachable: true, present: null, capabilities: null, contextLength: null, error };
      throw error;
    }
  }

  /** What the server said wins over the settings (no server reports thinking: that stays the settings'); the context is the smaller of both. */
  adopt(info: ModelInfo): void {
    this.kind = info.serverKind;
    const configured = capabilitiesFrom(this.options.capabilities ?? DEFAULT_CAPABILITIES, 'settings');
    this.caps = info.capabilities ? { ...capabilitiesFrom(info.capabilities, 'server'), thinking: configured.thinking } : configured;
    this.context = narrowContext(this.options.contextTokens, info.contextLength, DEFAULT_CONTEXT);
  }

  protected async exchange(request: ChatRequest, tools: ToolSpec[] | undefined): Promise<ChatResult> {
    const model = this.options.model;
    const body: ChatCompletionCreateParamsNonStreaming & Record<string, unknown> = {
      model,
      messages: toOpenAiMessages(request),
      temperature: request.temperature,
      ...(tools ? { tools: tools.map(toOpenAiTool) } : {}),
      ...(request.format && this.jsonSchema ? { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: request.format } } } : {}),
      ...(this.kind && TEMPLATE_SWITCH.has(this.kind) ? { chat_template_kwargs: { enable_thinking: this.options.think ?? false } } : {}),
    };
    const stream = this.replyStream(request);
    const raw = await this.call(model, request.signal, async (abort): Promise<RawReply | null> => {
      if (!stream) return fromCompletion(await this.client.chat.completions.create(body, { signal: abort }));
      const chunks = await this.client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal: abort });
      const reply = await fromStream(chunks, stream);
      // The client ends a stream quietly when it is aborted; the deadline must still count as one.
      if (abort.aborted) throw abort.reason;
      return reply;
    });
    if (!raw) throw new ModelError('MODEL_BAD_RESPONSE', 'The server ended its answer without finishing it.', model, true);
    const result = cleanReply(raw, request);
    stream?.end(result);
    return result;
  }

  /** llama.cpp's `/props` sits beside `/v1`, not under it. */
  private async llamaCppProps(): Promise<LlamaCppProps | null> {
    const root = this.options.baseUrl.replace(/\/v1\/?$/, '');
    try {
      const response = await (this.options.fetch ?? fetch)(`${root}/props`, { headers: { authorization: `Bearer ${this.options.apiKey ?? 'unused'}` }, signal: AbortSignal.timeout(this.options.timeoutMs) });
      return response.ok ? ((await response.json()) as LlamaCppProps) : null;
    } catch {
      return null;
    }
  }

  protected refusal(cause: unknown): Refusal {
    return { status: cause instanceof APIError ? cause.status : undefined, message: cause instanceof Error ? bodyMessage(cause) : '' };
  }

  /** Besides refused tools: a refused JSON schema is left out from then on. */
  protected override avoid(refusal: Refusal, request: ChatRequest, tools: ToolSpec[] | undefined): (() => Promise<ChatResult>) | null {
    const again = super.avoid(refusal, request, tools);
    if (again || !request.format || !this.jsonSchema) return again;
    if (![400, 422, 500].includes(refusal.status ?? 0) || !NO_SCHEMA.test(refusal.message)) return null;
    this.jsonSchema = false;
    return () => this.exchange(request, tools);
  }

  private call<T>(model: string, signal: AbortSignal | undefined, run: (abort: AbortSignal) => Promise<T>): Promise<T> {
    return this.withDeadline(model, signal, run, (error) => this.failure(error, model));
  }

  private failure(error: unknown, model: string): ModelError {
    if (error instanceof APIUserAbortError) return new ModelError('MODEL_ABORTED', 'The model call was cancelled.', model, false, { cause: error });
    if (error instanceof APIConnectionTimeoutError) return new ModelError('MODEL_TIMEOUT', `The model did not answer within ${this.options.timeoutMs} ms.`, model, true, { cause: error });
    if (error instanceof APIConnectionError) return new ModelError('MODEL_UNREACHABLE', `The OpenAI-compatible server at ${this.options.baseUrl} is not reachable.`, model, true, { cause: error });
    const message = error instanceof Error ? bodyMessage(error) : String(error);
    if (error instanceof APIError && typeof error.status === 'number') {
      const context: FailureContext = { model, server: 'the OpenAI-compatible server', missingHint: `Check the model name (OPENAI_MODEL or OPENAI_EMBED_MODEL) against the server's /v1/models.`, keySetting: 'OPENAI_API_KEY' };
      return this.httpFailure(error.status, message, context, { retryAfterMs: retryAfterMs(error.headers), cause: error });
    }
    // An error event inside the stream, or a body that is not a completion.
    return new ModelError('MODEL_BAD_RESPONSE', `Unreadable answer from the OpenAI-compatible server: ${message.slice(0, 200)}`, model, true, { cause: error });
  }
}

/** The server's own words: `error.message` of the body, a plain `error` string, or the client's message. */
function bodyMessage(error: Error): string {
  const body = (error as { error?: unknown }).error;
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') return (body as { message: string }).message;
  return error.message;
}

/** An embedding call refused because the model or server does not embed, said plainly. */
function notAnEmbedder(error: unknown, model: string): unknown {
  if (!(error instanceof ModelError) || error.code !== 'MODEL_BAD_RESPONSE') return error;
  const cause = error.cause;
  const status = cause instanceof APIError ? cause.status : undefined;
  if (status === undefined || ![400, 404, 422, 501].includes(status)) return error;
  const said = cause instanceof Error ? bodyMessage(cause) : '';
  return new ModelError('MODEL_BAD_RESPONSE', `${model} does not give embeddings on this server (${status}: ${said.slice(0, 200)}). Set OPENAI_EMBED_MODEL to an embedding model the server serves (llama-server needs --embeddings), or EMBED_PROVIDER=ollama.`, model, false, { cause });
}

/**
 * vLLM before 0.10.1 sends its errors at the top level (`{"object":"error","message":…}`), which the
 * client cannot read; such a body is wrapped as `{"error": …}` so the server's words reach the member's admin.
 */
async function readableErrors(baseFetch: typeof fetch, input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1]): Promise<Response> {
  const response = await baseFetch(input, init);
  if (response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return response;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON after all: passed on as it came.
  }
  const wrapped = body && typeof body === 'object' && !('error' in body) && 'message' in body ? JSON.stringify({ error: body }) : text;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(wrapped, { status: response.status, statusText: response.statusText, headers });
}
