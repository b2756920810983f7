import { afterEach, describe, expect, it } from 'vitest';
import { ModelError } from '../src/core/errors.js';
import type { ChatRequest, ChatResult } from '../src/core/ports.js';
import { OpenAiModel, type OpenAiModelOptions } from '../src/llm/openai-model.js';
import { FakeOpenAi, type FakeOpenAiOptions } from './fakes/fake-openai.js';

let fake: FakeOpenAi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function serve(options: FakeOpenAiOptions = {}, client: Partial<OpenAiModelOptions> = {}): Promise<{ fake: FakeOpenAi; model: OpenAiModel }> {
  fake = await FakeOpenAi.start(options);
  const model = new OpenAiModel({ baseUrl: fake.url, model: 'test-chat', embedModel: 'test-embed', timeoutMs: 5_000, capabilities: ['tools'], ...client });
  return { fake, model };
}

const searchTool = { name: 'search_memory', description: 'search', parameters: { type: 'object' as const, properties: { query: { type: 'string', description: 'q' } }, required: ['query'] } };
const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ system: 'persona', messages: [{ role: 'user', content: 'what tea?' }], temperature: 0.1, ...extra });

/** A streamed chat: the text handed on, and the result. */
async function streamed(model: OpenAiModel, request: ChatRequest): Promise<{ text: string; retracts: number; result: ChatResult }> {
  let text = '';
  let retracts = 0;
  const result = await model.chat({ ...request, onText: (delta) => (text += delta), onRetract: () => ((text = ''), (retracts += 1)) });
  return { text, retracts, result };
}

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelError);
  return error as ModelError;
}

describe('chat through the openai client', () => {
  it('sends tools and the conversation in chat-completion form, tool results linked to their call by id', async () => {
    const { fake, model } = await serve();
    fake.script({ toolCalls: [{ name: 'search_memory', arguments: { query: 'tea' } }] });
    const result = await model.chat(ask({ tools: [searchTool], messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: '', toolCalls: [{ name: 'search_memory', arguments: { query: 'x' } }] }, { role: 'tool', toolName: 'search_memory', content: 'found' }] }));
    expect(result.toolCalls).toEqual([{ name: 'search_memory', arguments: { query: 'tea' } }]);
    const body = fake.chats()[0]!;
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'search_memory', description: 'search', parameters: searchTool.parameters } }]);
    expect(body.messages[0]).toEqual({ role: 'system', content: 'persona' });
    const call = body.messages[2]!.tool_calls![0]!;
    expect(call).toMatchObject({ type: 'function', function: { name: 'search_memory', arguments: '{"query":"x"}' } });
    expect(body.messages[3]).toEqual({ role: 'tool', tool_call_id: call.id, content: 'found' });
    expect(body.stream).toBeFalsy();
  });

  it('sends images with the question as data URLs, for a model that reads them', async () => {
    const { fake, model } = await serve();
    await model.chat(ask({ messages: [{ role: 'user', content: 'what is this?', images: [{ mimeType: 'image/png', base64: 'iVBORw0KGgo=' }] }] }));
    expect(fake.chats()[0]!.messages[1]!.content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ]);
  });

  it('streams content and joins tool-call arguments sent in fragments (vLLM, llama.cpp) or whole (Ollama /v1)', async () => {
    for (const flavour of ['vllm', 'llama.cpp', 'ollama'] as const) {
      const { fake, model } = await serve({ flavour });
      fake.script({ content: 'Let me look.', toolCalls: [{ name: 'search_memory', arguments: { query: 'green tea with jasmine' } }, { name: 'wikipedia', arguments: { topic: 'Jasmine tea' } }] });
      const { result } = await streamed(model, ask({ tools: [searchTool] }));
      expect(result.toolCalls, flavour).toEqual([{ name: 'search_memory', arguments: { query: 'green tea with jasmine' } }, { name: 'wikipedia', arguments: { topic: 'Jasmine tea' } }]);
      expect(fake.chats()[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      await fake.close();
    }
  });

  it('streams answer text as it comes and counts the prompt tokens the server reports', async () => {
    const { fake, model } = await serve();
    fake.script({ content: 'Earl Grey, with a slice of lemon and no milk at all.' });
    const { text, result } = await streamed(model, ask());
    expect(text).toBe('Earl Grey, with a slice of lemon and no milk at all.');
    expect(result).toMatchObject({ content: text, toolCalls: [], truncated: false });
    expect(result.promptTokens).toBeGreaterThan(0);
  });

  it('reads arguments that are not JSON as a problem to show the model, not as a call to run', async () => {
    const { fake, model } = await serve();
    fake.script({ toolCalls: [{ name: 'search_memory', arguments: '{"query": "tea"' }] });
    const result = await model.chat(ask({ tools: [searchTool] }));
    expect(result.toolCallProblem).toBe('the arguments of the search_memory call are not valid JSON: {"query": "tea"');
  });

  it('leaves reasoning fields out of the answer and the stream', async () => {
    for (const flavour of ['llama.cpp', 'vllm'] as const) {
      const { fake, model } = await serve({ flavour });
      fake.script({ reasoning: 'The member likes citrus, so lemon.', content: 'Lemon tea.' });
      const { text, result } = await streamed(model, ask());
      expect(text, flavour).toBe('Lemon tea.');
      expect(result.content).toBe('Lemon tea.');
      fake.script({ reasoning: 'Thinking in a whole answer.', content: 'Mint tea.' });
      expect((await model.chat(ask())).content).toBe('Mint tea.');
      await fake.close();
    }
  });

  it('asks for floats and returns one vector per text, in order', async () => {
    const { fake, model } = await serve();
    const vectors = await model.embed(['one', 'two', 'three']);
    expect(vectors.map((vector) => vector.length)).toEqual([64, 64, 64]);
    expect(fake.requests.find((request) => request.path === '/v1/embeddings')!.body).toMatchObject({ model: 'test-embed', encoding_format: 'float' });
  });

  it('says plainly when the embedding model or server does not embed', async () => {
    const { model } = await serve({ flavour: 'llama.cpp', embedModels: [] });
    const error = await failure(model.embed(['x']));
    expect(error.message).toContain('test-embed does not give embeddings on this server (501: This server does not support embeddings. Start it with `--embeddings`)');
    expect(error.message).toContain('EMBED_PROVIDER=ollama');
  });
});

describe('what the server says about its model', () => {
  it('vLLM: the context it runs the model with, from max_model_len', async () => {
    const { model } = await serve({ flavour: 'vllm', contextLength: 4096 });
    const info = await model.describe('test-chat');
    expect(info).toMatchObject({ reachable: true, present: true, contextLength: 4096, serverKind: 'vLLM', capabilities: null });
    model.adopt(info);
    expect(model.contextTokens).toBe(4096);
    expect(model.capabilities).toEqual({ tools: true, vision: false, thinking: false, source: 'settings' });
    expect((await model.describe('other-model')).present).toBe(false);
  });

  it('llama.cpp: the context per slot and whether its template takes tools, from /props', async () => {
    const { model } = await serve({ flavour: 'llama.cpp', contextLength: 2048, tools: false, models: ['qwen2.5-3b-instruct-q4_k_m.gguf'] });
    const info = await model.describe('test-chat');
    expect(info).toMatchObject({ present: null, contextLength: 2048, contextSource: 'n_ctx per slot, /props', capabilities: ['completion'], serverKind: 'llama.cpp' });
    model.adopt(info);
    expect(model.contextTokens).toBe(2048);
    expect(model.capabilities).toMatchObject({ tools: false, source: 'server' });
  });

  it('a server that says nothing: the settings decide (OPENAI_CONTEXT_TOKENS, OPENAI_CAPABILITIES)', async () => {
    const { model } = await serve({ flavour: 'lmstudio' }, { contextTokens: 6000, capabilities: ['vision'] });
    model.adopt(await model.describe('test-chat'));
    expect(model.contextTokens).toBe(6000);
    expect(model.capabilities).toEqual({ tools: false, vision: true, thinking: false, source: 'settings' });
  });

  it('asks thinking off through chat_template_kwargs on servers that take it, and nowhere else', async () => {
    for (const [flavour, sent] of [['vllm', { enable_thinking: false }], ['llama.cpp', { enable_thinking: false }], ['lmstudio', undefined]] as const) {
      const { fake, model } = await serve({ flavour });
      model.adopt(await model.describe('test-chat'));
      await model.chat(ask());
      expect(fake.chats()[0]!.chat_template_kwargs, flavour).toEqual(sent);
      await fake.close();
    }
  });
});

describe('refusals the client works around', () => {
  it('a server without tool support: the call is made again without tools, and tools stay off', async () => {
    const { fake, model } = await serve({ flavour: 'vllm', tools: false });
    fake.script({ content: 'Green tea.' });
    const result = await model.chat(ask({ tools: [searchTool] }));
    expect(result.content).toBe('Green tea.');
    expect(fake.chats().map((body) => body.tools === undefined)).toEqual([false, true]);
    expect(model.capabilities).toMatchObject({ tools: false, source: 'server' });
    await model.chat(ask({ tools: [searchTool] }));
    expect(fake.chats()[2]!.tools).toBeUndefined();
  });

  it('a server that refuses response_format: asked again without it, the JSON taken out of the prose', async () => {
    const { fake, model } = await serve({ flavour: 'llama.cpp', jsonSchema: false });
    fake.script({ content: 'Sure! Here it is:\n```json\n{"persona": "Likes tea."}\n```' });
    const result = await model.chat(ask({ format: { type: 'object' } }));
    expect(JSON.parse(result.content)).toEqual({ persona: 'Likes tea.' });
    expect(result.repaired).toEqual(['json']);
    expect(fake.chats().map((body) => body.response_format?.type)).toEqual(['json_schema', undefined]);
  });
});

describe('failures, the same codes as the Ollama client', () => {
  it('a refused API key is MODEL_UNAUTHORISED, the key sent as a bearer token', async () => {
    for (const flavour of ['vllm', 'llama.cpp'] as const) {
      const { fake, model } = await serve({ flavour, apiKey: 'right' }, { apiKey: 'wrong' });
      const error = await failure(model.chat(ask()));
      expect(error.code, flavour).toBe('MODEL_UNAUTHORISED');
      expect(error.message).toContain('OPENAI_API_KEY');
      expect(fake.requests[0]!.headers.authorization).toBe('Bearer wrong');
      await fake.close();
    }
  });

  it('a model the server does not have is MODEL_MISSING', async () => {
    const { model } = await serve({ models: ['other'] });
    expect((await failure(model.chat(ask()))).code).toBe('MODEL_MISSING');
  });

  it('rate limited: MODEL_RATE_LIMITED with the Retry-After, and no retry behind the bot\'s back', async () => {
    const { fake, model } = await serve();
    fake.script({ status: 429, body: { error: { message: 'Rate limit reached', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }, headers: { 'retry-after': '7' } });
    const error = await failure(model.chat(ask()));
    expect(error).toMatchObject({ code: 'MODEL_RATE_LIMITED', retryAfterMs: 7000, retryable: true });
    expect(fake.chats()).toHaveLength(1);
  });

  it('a prompt over the context is MODEL_CONTEXT_TOO_LONG, and the next prompt is assembled for the size the server named', async () => {
    for (const flavour of ['llama.cpp', 'vllm', 'vllm-legacy'] as const) {
      const { model } = await serve({ flavour, contextLength: 600 }, { contextTokens: 8192 });
      const error = await failure(model.chat(ask({ messages: [{ role: 'user', content: 'tea '.repeat(800) }] })));
      expect(error.code, flavour).toBe('MODEL_CONTEXT_TOO_LONG');
      expect(error.message).toMatch(/600 tokens/);
      expect(model.contextTokens).toBe(600);
      await fake!.close();
    }
  });

  it('a server still loading its model is MODEL_UNREACHABLE; a bad body and an error inside the stream are MODEL_BAD_RESPONSE', async () => {
    const { fake, model } = await serve({ flavour: 'llama.cpp' });
    fake.script({ status: 503, body: { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } } });
    expect((await failure(model.chat(ask()))).code).toBe('MODEL_UNREACHABLE');
    fake.script({ json: { object: 'chat.completion', choices: [] } });
    expect((await failure(model.chat(ask()))).code).toBe('MODEL_BAD_RESPONSE');
    fake.script({ sse: [{ choices: [{ index: 0, delta: { content: 'half an ans' }, finish_reason: null }] }, { error: { message: 'slot crashed', type: 'server_error' } }] });
    expect((await failure(streamed(model, ask()))).code).toBe('MODEL_BAD_RESPONSE');
    fake.script({ sse: [{ choices: [{ index: 0, delta: { content: 'cut off' }, finish_reason: null }] }] });
    expect((await failure(streamed(model, ask()))).message).toContain('without finishing it');
  });

  it('nothing listening is MODEL_UNREACHABLE', async () => {
    const model = new OpenAiModel({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', embedModel: 'e', timeoutMs: 5_000, capabilities: [] });
    expect((await failure(model.chat(ask()))).code).toBe('MODEL_UNREACHABLE');
    expect(await model.describe('m')).toMatchObject({ reachable: false });
  });

  it('the answer\'s deadline is MODEL_TIMEOUT, a cancellation MODEL_ABORTED, the client\'s own limit MODEL_TIMEOUT, even mid-stream', async () => {
    const { fake, model } = await serve();
    fake.script({ content: 'one two three four five six seven eight nine ten', chunkDelayMs: 300 });
    const deadline = new AbortController();
    // The deadline passes once the answer has begun to arrive.
    const midway = model.chat(ask({ signal: deadline.signal, onText: () => deadline.abort(new DOMException('deadline', 'TimeoutError')) }));
    expect((await failure(midway)).code).toBe('MODEL_TIMEOUT');
    fake.script({ content: 'late', delayMs: 2_000 });
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 50);
    expect((await failure(model.chat(ask({ signal: cancel.signal })))).code).toBe('MODEL_ABORTED');
    const impatient = new OpenAiModel({ baseUrl: fake.url, model: 'test-chat', embedModel: 'test-embed', timeoutMs: 50, capabilities: [] });
    fake.script({ content: 'late', delayMs: 2_000 });
    expect((await failure(impatient.chat(ask()))).code).toBe('MODEL_TIMEOUT');
  });
});
