import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ChatRequest, ToolSpec } from '../core/ports.js';
import type { ModelInfo } from './provider.js';
import { readCalls, type RawReply } from './reply-cleanup.js';
import type { ReplyStream } from './reply-stream.js';

/**
 * The conversation as chat-completion messages. Tool results name the call they answer by id, so
 * each call gets one (`call_1`, …) and the tool messages after it take them in order.
 */
export function toOpenAiMessages(request: Pick<ChatRequest, 'system' | 'messages'>): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = request.system ? [{ role: 'system', content: request.system }] : [];
  const waiting: string[] = [];
  let counter = 0;
  for (const message of request.messages) {
    if (message.role === 'assistant' && message.toolCalls && message.toolCalls.length > 0) {
      const calls = message.toolCalls.map((call) => ({ id: `call_${++counter}`, type: 'function' as const, function: { name: call.name, arguments: JSON.stringify(call.arguments) } }));
      waiting.push(...calls.map((call) => call.id));
      out.push({ role: 'assistant', content: message.content, tool_calls: calls });
    } else if (message.role === 'tool') {
      const id = waiting.shift();
      out.push(id ? { role: 'tool', tool_call_id: id, content: message.content } : { role: 'user', content: message.content });
    } else if (message.role === 'user' && message.images && message.images.length > 0) {
      // Images go as data URLs: Ollama's /v1 takes no other kind, and every server takes these.
      const images = message.images.map((image) => ({ type: 'image_url' as const, image_url: { url: `data:${image.mimeType};base64,${image.base64}` } }));
      out.push({ role: 'user', content: [{ type: 'text', text: message.content }, ...images] });
    } else {
      out.push({ role: message.role, content: message.content } as ChatCompletionMessageParam);
    }
  }
  return out;
}

/** A tool as a chat-completion function. */
export function toOpenAiTool(tool: ToolSpec): ChatCompletionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

/** A whole (not streamed) completion as a raw reply; null when it has no choice in it. */
export function fromCompletion(completion: ChatCompletion): RawReply | null {
  const choice = completion?.choices?.[0];
  if (!choice?.message) return null;
  // `reasoning_content` (llama.cpp, old vLLM) and `reasoning` (vLLM, Ollama /v1) are thinking: never read.
  const calls = (choice.message.tool_calls ?? []).flatMap((call) => (call.type === 'function' ? [{ name: call.function.name, arguments: call.function.arguments }] : []));
  return { content: choice.message.content ?? '', ...readCalls(calls), promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0, truncated: choice.finish_reason === 'length' };
}

/**
 * Reads a streamed completion: content goes to `reply` as it comes; tool calls arrive as deltas per
 * index (id and name first, then argument fragments; Ollama sends each whole) and are joined.
 * Null when the stream ended before the server said the answer was finished.
 */
export async function fromStream(chunks: AsyncIterable<ChatCompletionChunk>, reply: ReplyStream): Promise<RawReply | null> {
  let content = '';
  const calls = new Map<number, { name: string; arguments: string }>();
  let finish: string | null = null;
  let usage: ChatCompletionChunk['usage'] | undefined;
  for await (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const delta = choice.delta as (ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null; reasoning?: string | null }) | undefined;
    if (delta?.reasoning_content || delta?.reasoning) reply.reasoning();
    if (delta?.content) {
      content += delta.content;
      reply.push(delta.content);
    }
    for (const call of delta?.tool_calls ?? []) {
      const index = call.index ?? calls.size;
      const entry = calls.get(index) ?? { name: '', arguments: '' };
      if (call.function?.name && entry.name === '') entry.name = call.function.name;
      if (call.function?.arguments) entry.arguments += call.function.arguments;
      calls.set(index, entry);
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  if (finish === null) return null;
  const ordered = [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  return { content, ...readCalls(ordered), promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? 0, truncated: finish === 'length' };
}

/** One entry of `/v1/models` as the servers send it, with the fields only some of them add. */
export interface ListedModel {
  id: string;
  owned_by?: string;
  /** vLLM: the context it runs the model with. */
  max_model_len?: number;
  /** llama.cpp: the GGUF's metadata. */
  meta?: { n_ctx_train?: number };
}

/** llama.cpp's `/props`: the context per slot, what the chat template supports, and the modalities. */
export interface LlamaCppProps {
  default_generation_settings?: { n_ctx?: number };
  chat_template_caps?: { supports_tools?: boolean; supports_tool_calls?: boolean };
  modalities?: { vision?: boolean };
}

/** Which server a model list came from, when it can be told. */
export function serverKind(models: ListedModel[]): string | undefined {
  if (models.some((model) => model.meta !== undefined || model.owned_by === 'llamacpp')) return 'llama.cpp';
  if (models.some((model) => model.max_model_len !== undefined || model.owned_by === 'vllm')) return 'vLLM';
  if (models.some((model) => model.owned_by === 'library' || model.owned_by === 'ollama')) return 'Ollama';
  return undefined;
}

/** What `/v1/models` (and llama.cpp's `/props`) say about one model. */
export function describeListed(models: ListedModel[], model: string, props: LlamaCppProps | null): ModelInfo {
  const kind = serverKind(models);
  const entry = models.find((listed) => listed.id === model);
  // llama-server answers with the model it was started with, whatever name a request gives.
  const present = entry ? true : kind === 'llama.cpp' ? null : false;
  const info: ModelInfo = { reachable: true, present, capabilities: null, contextLength: null, ...(kind ? { serverKind: kind } : {}) };
  const runtime = props?.default_generation_settings?.n_ctx;
  const listed = entry ?? (kind === 'llama.cpp' ? models[0] : undefined);
  if (typeof listed?.max_model_len === 'number') Object.assign(info, { contextLength: listed.max_model_len, contextSource: 'max_model_len, /v1/models' });
  else if (typeof runtime === 'number' && runtime > 0) Object.assign(info, { contextLength: runtime, contextSource: 'n_ctx per slot, /props' });
  else if (typeof listed?.meta?.n_ctx_train === 'number') Object.assign(info, { contextLength: listed.meta.n_ctx_train, contextSource: 'n_ctx_train (trained length), /v1/models' });
  const caps = props?.chat_template_caps;
  if (caps) {
    const tools = caps.supports_tool_calls ?? caps.supports_tools ?? false;
    info.capabilities = ['completion', ...(tools ? ['tools'] : []), ...(props?.modalities?.vision ? ['vision'] : [])];
  }
  return info;
}
