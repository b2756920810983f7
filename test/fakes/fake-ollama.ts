import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashedEmbedding } from './hashed-embedding.js';

/** The body of an /api/chat request as Ollama receives it. */
export interface OllamaChatBody {
  model: string;
  messages: Array<{ role: string; content: string; tool_calls?: Array<{ function: { name: string; arguments: Record<string, unknown> } }>; tool_name?: string }>;
  tools?: Array<{ function: { name: string } }>;
  format?: unknown;
  stream?: boolean;
  options?: { temperature?: number };
}

/** One scripted chat reply: a message, an HTTP failure, raw garbage, or a delay before any of them. */
export type ScriptedReply =
  | { content?: string; toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>; delayMs?: number }
  | { status: number; error: string; delayMs?: number }
  | { garbage: string; delayMs?: number };

/** Decides a reply from the request; return undefined to fall through to the default. */
export type ChatResponder = (body: OllamaChatBody) => ScriptedReply | undefined;

/** A recorded request. */
export interface RecordedRequest {
  path: string;
  body: any;
}

/** Options for the fake server. */
export interface FakeOllamaOptions {
  models?: string[];
  dimension?: number;
  /** Port to listen on; a free one by default. */
  port?: number;
}

/** An Ollama-compatible HTTP server on 127.0.0.1 that the real `ollama` client talks to. */
export class FakeOllama {
  readonly requests: RecordedRequest[] = [];
  models: string[];
  dimension: number;
  embedFailure: { status: number; error: string } | null = null;
  private queue: ScriptedReply[] = [];
  private responders: ChatResponder[] = [];
  private server!: Server;

  private constructor(options: FakeOllamaOptions) {
    this.models = options.models ?? ['test-chat:latest', 'test-embed:latest'];
    this.dimension = options.dimension ?? 64;
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
    this.queue.push(...replies);
  }

  /** Adds a responder consulted (newest first) when the queue is empty. */
  respond(responder: ChatResponder): void {
    this.responders.unshift(responder);
  }

  /** Forgets scripts, responders and recorded requests. */
  reset(): void {
    this.queue = [];
    this.responders = [];
    this.requests.length = 0;
    this.embedFailure = null;
  }

  /** The recorded /api/chat bodies. */
  chats(): OllamaChatBody[] {
    return this.requests.filter((request) => request.path === '/api/chat').map((request) => request.body as OllamaChatBody);
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJson(request);
    const path = (request.url ?? '/').split('?')[0]!;
    this.requests.push({ path, body });
    if (path === '/api/tags') return send(response, 200, { models: this.models.map((name) => ({ name, model: name, size: 1, digest: 'x', details: {} })) });
    if (path === '/api/show') return this.show(body, response);
    if (path === '/api/embed') return this.embed(body, response);
    if (path === '/api/chat') return this.chat(body as OllamaChatBody, response);
    send(response, 404, { error: 'not found' });
  }

  private show(body: { model?: string }, response: ServerResponse): void {
    if (!this.hasModel(body.model)) return send(response, 404, { error: `model '${body.model}' not found` });
    send(response, 200, { capabilities: ['completion', 'tools'], details: {}, modelfile: '', parameters: '', template: '' });
  }

  private embed(body: { model?: string; input?: string | string[] }, response: ServerResponse): void {
    if (this.embedFailure) return send(response, this.embedFailure.status, { error: this.embedFailure.error });
    if (!this.hasModel(body.model)) return send(response, 404, { error: `model '${body.model}' not found, try pulling it first` });
    const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ''];
    send(response, 200, { model: body.model, embeddings: inputs.map((text) => hashedEmbedding(text, this.dimension)) });
  }

  private async chat(body: OllamaChatBody, response: ServerResponse): Promise<void> {
    const reply = this.queue.shift() ?? this.responders.map((responder) => responder(body)).find((found) => found !== undefined) ?? defaultReply(body);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (response.destroyed) return;
    if (!this.hasModel(body.model)) return send(response, 404, { error: `model '${body.model}' not found, try pulling it first` });
    if ('status' in reply) return send(response, reply.status, { error: reply.error });
    if ('garbage' in reply) {
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(reply.garbage);
    }
    const message = {
      role: 'assistant',
      content: reply.content ?? '',
      ...(reply.toolCalls ? { tool_calls: reply.toolCalls.map((call) => ({ function: call })) } : {}),
    };
    const done = { model: body.model, created_at: new Date().toISOString(), done: true, done_reason: 'stop', prompt_eval_count: 10, eval_count: 5, total_duration: 1, load_duration: 0, prompt_eval_duration: 0, eval_duration: 0 };
    if (body.stream) {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write(`${JSON.stringify({ model: body.model, created_at: done.created_at, message, done: false })}\n`);
      return void response.end(`${JSON.stringify({ ...done, message: { role: 'assistant', content: '' } })}\n`);
    }
    send(response, 200, { ...done, message });
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

async function readJson(request: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { raw: text };
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
