import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashedEmbedding } from './hashed-embedding.js';
import { closeServer, readJson, sendJson, sleepFor } from './http-json.js';
import { ReplyScript } from './reply-script.js';
import { fitToContext, tokenize, type FittedPrompt } from './model-behaviour.js';

/** The body of an /api/chat request as Ollama receives it. */
export interface OllamaChatBody {
  model: string;
  messages: Array<{ role: string; content: string; tool_calls?: Array<{ function: { name: string; arguments: Record<string, unknown> } }>; tool_name?: string }>;
  tools?: Array<{ function: { name: string } }>;
  format?: unknown;
  stream?: boolean;
  options?: { temperature?: number; num_ctx?: number };
  keep_alive?: string | number;
  think?: boolean | string;
}

/** A call in `message.tool_calls`: arguments are an object, or (some models and older servers) JSON text or worse. */
export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown> | string;
}

/** One scripted chat reply: a message, an HTTP failure, raw garbage, or a delay before any of them. */
export type ScriptedReply =
  | { content?: string; toolCalls?: ScriptedToolCall[]; delayMs?: number; failAfterTokens?: number; thinking?: string }
  | { status: number; error: string; delayMs?: number }
  | { garbage: string; delayMs?: number };

/** Decides a reply from the request; return undefined to fall through to the default. */
export type ChatResponder = (body: OllamaChatBody) => ScriptedReply | undefined;

/** A recorded request; chat requests also carry what the server made of the prompt. */
export interface RecordedRequest {
  path: string;
  body: any;
  /** For /api/chat: the prompt after the context limit was applied. */
  prompt?: FittedPrompt;
  /** When the server sent the last of its answer (Date.now()). */
  finishedAt?: number;
  /** When the request arrived (Date.now()). */
  at: number;
}

/** How fast the scripted model is, like a small model on a CPU; absent means instant. */
export interface ModelSpeed {
  /** Prompt tokens evaluated per second, before the first token. */
  promptTokensPerSecond: number;
  /** Tokens generated per second while streaming. */
  tokensPerSecond: number;
}

/** Options for the fake server. */
export interface FakeOllamaOptions {
  models?: string[];
  dimension?: number;
  /** Port to listen on; a free one by default. */
  port?: number;
  speed?: ModelSpeed;
  /** Requests the model works on at once (Ollama's OLLAMA_NUM_PARALLEL); the rest wait. Unlimited by default. */
  parallel?: number;
  /** The model's trained context length (reported by /api/show; num_ctx is clamped to it). */
  contextLength?: number;
  /** Capabilities /api/show reports for chat models (models named like `*embed*` report `embedding`); null: none reported (before v0.6.4). */
  capabilities?: string[] | null;
  /** Capabilities of particular models, by name as /api/show is asked (overrides the rule above). */
  modelCapabilities?: Record<string, string[]>;
}

/** Ollama's num_ctx when a request does not say (v0.6.7+ on small machines). */
const DEFAULT_NUM_CTX = 4096;

/** An Ollama-compatible HTTP server on 127.0.0.1 that the real `ollama` client talks to. */
export class FakeOllama {
  readonly requests: RecordedRequest[] = [];
  models: string[];
  dimension: number;
  embedFailure: { status: number; error: string } | null = null;
  /** Holds every embedding request this long (a hung server). */
  embedDelayMs = 0;
  speed: ModelSpeed | undefined;
  contextLength: number;
  capabilities: string[] | null;
  modelCapabilities: Record<string, string[]>;
  /** Model requests (chat and embed) open at once now, and the most there ever were. */
  open = 0;
  maxOpen = 0;
  private readonly replies = new ReplyScript<OllamaChatBody, ScriptedReply>();
  private server!: Server;
  private readonly parallel: number;
  private working = 0;
  private waiting: Array<() => void> = [];

  private constructor(options: FakeOllamaOptions) {
    this.models = options.models ?? ['test-chat:latest', 'test-embed:latest'];
    this.dimension = options.dimension ?? 64;
    this.speed = options.speed;
    this.parallel = options.parallel ?? Number.POSITIVE_INFINITY;
    this.contextLength = options.contextLength ?? 32_768;
    this.capabilities = options.capabilities === undefined ? ['completion', 'tools'] : options.capabilities;
    this.modelCapabilities = options.modelCapabilities ?? {};
  }

  /** Starts a server on a free loopback port. */
  static async start(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
    const fake = new FakeOllama(options);
    fake.server = createServer((request, response) => void fake.route(request, response));
    await new Promise<void>((resolve) => fake.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return fake;
  }

  /** The base URL for OLLAMA_HOST. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues replies for the next chat calls, in order. */
  script(...replies: ScriptedReply[]): void {
    this.replies.push(...replies);
  }

  /** Adds a responder consulted (newest first) when the queue is empty. */
  respond(responder: ChatResponder): void {
    this.replies.respond(responder);
  }

  /** Forgets scripts, responders and recorded requests. */
  reset(): void {
    this.replies.clear();
    this.requests.length = 0;
    this.embedFailure = null;
  }

  /** The recorded /api/chat bodies. */
  chats(): OllamaChatBody[] {
    return this.requests.filter((request) => request.path === '/api/chat').map((request) => request.body as OllamaChatBody);
  }

  /** Chat requests whose prompt the server had to cut to fit its context. */
  truncatedChats(): RecordedRequest[] {
    return this.requests.filter((request) => request.prompt?.truncated);
  }

  /** Stops the server. */
  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJson(request);
    const path = (request.url ?? '/').split('?')[0]!;
    const recorded: RecordedRequest = { path, body, at: Date.now() };
    this.requests.push(recorded);
    if (path === '/api/tags') return sendJson(response, 200, { models: this.models.map((name) => ({ name, model: name, size: 1, digest: 'x', details: {} })) });
    if (path === '/api/show') return this.show(body, response);
    if (path !== '/api/embed' && path !== '/api/chat') return sendJson(response, 404, { error: 'not found' });
    this.open += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    try {
      if (path === '/api/embed') {
        if (this.embedDelayMs > 0) await sleepFor(response, this.embedDelayMs);
        if (response.destroyed) return;
        return this.embed(body, response);
      }
      await this.chat(body as OllamaChatBody, response, recorded);
    } finally {
      this.open -= 1;
    }
  }

  private show(body: { model?: string }, response: ServerResponse): void {
    if (!this.hasModel(body.model)) return sendJson(response, 404, { error: `model '${body.model}' not found` });
    const modelInfo = { 'general.architecture': 'llama', 'llama.context_length': this.contextLength };
    const name = body.model!;
    const capabilities = this.modelCapabilities[name] ?? (name.includes('embed') ? ['embedding'] : this.capabilities);
    sendJson(response, 200, { ...(capabilities ? { capabilities } : {}), model_info: modelInfo, details: {}, modelfile: '', parameters: '', template: '' });
  }

  private embed(body: { model?: string; input?: string | string[] }, response: ServerResponse): void {
    if (this.embedFailure) return sendJson(response, this.embedFailure.status, { error: this.embedFailure.error });
    if (!this.hasModel(body.model)) return sendJson(response, 404, { error: `model '${body.model}' not found, try pulling it first` });
    const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ''];
    sendJson(response, 200, { model: body.model, embeddings: inputs.map((text) => hashedEmbedding(text, this.dimension)) });
  }

  private async chat(body: OllamaChatBody, response: ServerResponse, recorded: RecordedRequest): Promise<void> {
    const reply = this.replies.next(body, defaultReply);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (response.destroyed) return;
    if (!this.hasModel(body.model)) return sendJson(response, 404, { error: `model '${body.model}' not found, try pulling it first` });
    if ('status' in reply) return sendJson(response, reply.status, { error: reply.error });
    if ('garbage' in reply) {
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(reply.garbage);
    }
    await this.turn();
    try {
      const numCtx = Math.min(body.options?.num_ctx ?? DEFAULT_NUM_CTX, this.contextLength);
      const prompt = fitToContext(body.messages, tokenize(JSON.stringify(body.tools ?? '')).length, numCtx);
      recorded.prompt = prompt;
      if (this.speed) await sleepFor(response, (prompt.promptTokens / this.speed.promptTokensPerSecond) * 1000);
      await this.answer(body, reply, prompt, response);
      recorded.finishedAt = Date.now();
    } finally {
      this.release();
    }
  }

  /** Writes the reply: whole, or streamed token by token at the set speed. */
  private async answer(body: OllamaChatBody, reply: { content?: string; toolCalls?: ScriptedToolCall[]; failAfterTokens?: number; thinking?: string }, prompt: FittedPrompt, response: ServerResponse): Promise<void> {
    const content = reply.content ?? '';
    const pieces = tokenize(content);
    const toolCalls = reply.toolCalls?.map((call) => ({ function: call }));
    const created_at = new Date().toISOString();
    const done = { model: body.model, created_at, done: true, done_reason: 'stop', prompt_eval_count: prompt.promptTokens, eval_count: pieces.length + (toolCalls ? 8 : 0), total_duration: 1, load_duration: 0, prompt_eval_duration: 0, eval_duration: 0 };
    if (!body.stream) {
      if (this.speed) await sleepFor(response, (pieces.length / this.speed.tokensPerSecond) * 1000);
      return sendJson(response, 200, { ...done, message: { role: 'assistant', content, ...(reply.thinking ? { thinking: reply.thinking } : {}), ...(toolCalls ? { tool_calls: toolCalls } : {}) } });
    }
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const chunk = (message: object) => response.write(`${JSON.stringify({ model: body.model, created_at, message: { role: 'assistant', content: '', ...message }, done: false })}\n`);
    // Since v0.9 the thinking streams in `message.thinking`, before the content.
    for (const part of reply.thinking ? tokenize(reply.thinking) : []) chunk({ thinking: part });
    // Instant models send the reply in one chunk; a model with a speed sends a token at a time.
    const parts = this.speed ? pieces : content ? [content] : [];
    for (const [index, part] of parts.entries()) {
      if (response.destroyed) return;
      // A runner that dies mid-answer: Ollama sends an error line on the open stream.
      if (index === reply.failAfterTokens) return void response.end(`${JSON.stringify({ error: 'llama runner process has terminated: signal: killed' })}\n`);
      chunk({ content: part });
      if (this.speed) await sleepFor(response, 1000 / this.speed.tokensPerSecond);
    }
    // Since v0.8 each tool call arrives whole, in one chunk, after the content.
    if (toolCalls) chunk({ tool_calls: toolCalls });
    response.end(`${JSON.stringify({ ...done, message: { role: 'assistant', content: '' } })}\n`);
  }

  /** Waits for a free place when the server works on a limited number of requests at once. */
  private async turn(): Promise<void> {
    if (this.working < this.parallel) {
      this.working += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.working -= 1;
  }

  private hasModel(name: string | undefined): boolean {
    if (!name) return false;
    return this.models.some((model) => model === name || model === `${name}:latest`);
  }
}

/** Without a script: answer with the last user message echoed, so prompts are visible in answers. */
function defaultReply(body: OllamaChatBody): ScriptedReply {
  const lastUser = [...body.messages].reverse().find((message) => message.role === 'user');
  return { content: `answer: ${lastUser?.content ?? ''}` };
}

