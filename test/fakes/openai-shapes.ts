/**
 * How each OpenAI-compatible server shapes its answers, written from their documented formats
 * (llama.cpp tools/server, vLLM's OpenAI server, LM Studio's docs, Ollama's openai-compatibility
 * page): the models list, llama.cpp's /props, the field thinking goes in, how tool calls stream, and
 * the error bodies each sends.
 */
import { tokenize } from './model-behaviour.js';

/** The servers the fake can be. `vllm-legacy` is vLLM before 0.10.1, whose errors sit at the top level. */
export type Flavour = 'llama.cpp' | 'vllm' | 'vllm-legacy' | 'lmstudio' | 'ollama';

/** A reply as the model writes it, before the server shapes it. */
export interface ModelWrites {
  content?: string;
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> | string }>;
  reasoning?: string;
  finishReason?: 'stop' | 'length';
}

/** One server's shapes. */
export interface ServerShapes {
  flavour: Flavour;
  listed(id: string, contextLength: number): Record<string, unknown>;
  props(contextLength: number, tools: boolean): Record<string, unknown>;
  error(status: number, message: string, type: string): unknown;
  missing(model: string): unknown;
  unauthorised(): unknown;
  /** The refusal of a prompt longer than the context (null: the server cuts the prompt instead, as Ollama does). */
  overflow(promptTokens: number, contextLength: number): unknown | null;
  /** The refusal of tools by a server without tool support (null: it ignores them, as llama.cpp does). */
  refusesTools: unknown | null;
  noSchema: { status: number; body: unknown };
  noEmbeddings: { status: number; body: unknown };
  /** Renders what the model wrote as a whole completion and as SSE events. */
  render(body: { model: string; stream_options?: { include_usage?: boolean } }, writes: ModelWrites, promptTokens: number): { json: unknown; sse: unknown[] };
}

const created = 1_764_000_000;

/** The shapes of one server. */
export function serverShapes(flavour: Flavour): ServerShapes {
  const error = (status: number, message: string, type: string): unknown => {
    if (flavour === 'llama.cpp') return { error: { code: status, message, type } };
    if (flavour === 'vllm') return { error: { message, type, param: null, code: status } };
    if (flavour === 'vllm-legacy') return { object: 'error', message, type, param: null, code: status };
    return { error: { message, type: flavour === 'ollama' ? 'api_error' : type, param: null, code: null } };
  };
  const reasoningField = flavour === 'vllm' || flavour === 'ollama' ? 'reasoning' : 'reasoning_content';
  return {
    flavour,
    listed: (id, contextLength) => {
      if (flavour === 'llama.cpp') return { id, object: 'model', created, owned_by: 'llamacpp', meta: { vocab_type: 2, n_vocab: 151_936, n_ctx_train: 32_768, n_embd: 2048, n_params: 3_085_938_688, size: 1_929_903_264 } };
      if (flavour.startsWith('vllm')) return { id, object: 'model', created, owned_by: 'vllm', root: id, parent: null, max_model_len: contextLength, permission: [] };
      return { id, object: 'model', created, owned_by: flavour === 'ollama' ? 'library' : 'organization_owner' };
    },
    props: (contextLength, tools) => ({
      default_generation_settings: { n_ctx: contextLength, temperature: 0.8 },
      total_slots: 1,
      model_path: 'models/qwen2.5-3b-instruct-q4_k_m.gguf',
      chat_template_caps: { supports_tools: tools, supports_tool_calls: tools, supports_system_role: true, supports_parallel_tool_calls: tools },
      modalities: { vision: false, audio: false },
      build_info: 'b6500-0123abcd',
    }),
    error,
    missing: (model) => {
      if (flavour === 'ollama') return error(404, `model "${model}" not found, try pulling it first`, 'api_error');
      if (flavour === 'lmstudio') return error(404, `Model "${model}" not found. Please load it first.`, 'invalid_request_error');
      return error(404, `The model \`${model}\` does not exist.`, 'NotFoundError');
    },
    unauthorised: () => (flavour.startsWith('vllm') ? { error: 'Unauthorized' } : error(401, 'Invalid API Key', 'authentication_error')),
    overflow: (promptTokens, contextLength) => {
      if (flavour === 'ollama') return null;
      if (flavour === 'llama.cpp') return { error: { code: 400, message: `request (${promptTokens} tokens) exceeds the available context size (${contextLength} tokens), try increasing it`, type: 'exceed_context_size_error', n_prompt_tokens: promptTokens, n_ctx: contextLength } };
      const message = `This model's maximum context length is ${contextLength} tokens. However, you requested ${promptTokens + 1024} tokens (${promptTokens} in the messages, 1024 in the completion). Please reduce the length of the messages or completion.`;
      return error(400, message, 'BadRequestError');
    },
    refusesTools: flavour.startsWith('vllm')
      ? error(400, '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set', 'BadRequestError')
      : flavour === 'ollama'
        ? error(400, 'registry.ollama.ai/library/gemma3:4b does not support tools', 'api_error')
        : null,
    noSchema: { status: flavour === 'llama.cpp' ? 500 : 400, body: error(flavour === 'llama.cpp' ? 500 : 400, 'response_format type "json_schema" is not supported', 'invalid_request_error') },
    noEmbeddings:
      flavour === 'llama.cpp'
        ? { status: 501, body: error(501, 'This server does not support embeddings. Start it with `--embeddings`', 'not_supported_error') }
        : { status: 400, body: error(400, 'The model does not support Embeddings API', 'BadRequestError') },
    render: (body, writes, promptTokens) => render(flavour, reasoningField, body, writes, promptTokens),
  };
}

function render(flavour: Flavour, reasoningField: string, body: { model: string; stream_options?: { include_usage?: boolean } }, writes: ModelWrites, promptTokens: number): { json: unknown; sse: unknown[] } {
  const id = `chatcmpl-${Math.random().toString(36).slice(2, 10)}`;
  const calls = (writes.toolCalls ?? []).map((call, index) => ({ id: `call_${index}_${id.slice(-4)}`, type: 'function', function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) } }));
  const finish = calls.length > 0 ? 'tool_calls' : (writes.finishReason ?? 'stop');
  const completionTokens = tokenize(`${writes.reasoning ?? ''}${writes.content ?? ''}`).length + calls.length * 8;
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const head = { id, object: 'chat.completion', created, model: body.model };
  const message = { role: 'assistant', content: writes.content ?? (calls.length > 0 ? null : ''), ...(writes.reasoning ? { [reasoningField]: writes.reasoning } : {}), ...(calls.length > 0 ? { tool_calls: calls } : {}) };
  const json = { ...head, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({ ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  const sse: unknown[] = [chunk({ role: 'assistant', content: '' })];
  for (const piece of pieces(writes.reasoning ?? '')) sse.push(chunk({ [reasoningField]: piece }));
  for (const piece of pieces(writes.content ?? '')) sse.push(chunk({ content: piece }));
  calls.forEach((call, index) => {
    // Ollama sends each call whole; llama.cpp and vLLM send id and name first, then the arguments in fragments.
    if (flavour === 'ollama') return void sse.push(chunk({ tool_calls: [{ index, ...call }] }));
    sse.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
    for (let at = 0; at < call.function.arguments.length; at += 7) sse.push(chunk({ tool_calls: [{ index, function: { arguments: call.function.arguments.slice(at, at + 7) } }] }));
  });
  sse.push(chunk({}, finish));
  if (body.stream_options?.include_usage) sse.push({ ...head, object: 'chat.completion.chunk', choices: [], usage });
  return { json, sse };
}

/** Text in pieces of a few tokens, as a server streams it. */
function pieces(text: string): string[] {
  const tokens = tokenize(text);
  const out: string[] = [];
  for (let index = 0; index < tokens.length; index += 3) out.push(tokens.slice(index, index + 3).join(''));
  return out;
}
