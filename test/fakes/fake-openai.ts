import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashedEmbedding } from './hashed-embedding.js';
import { closeServer, readJson, sendJson as send, sleepFor } from './http-json.js';
import { ReplyScript } from './reply-script.js';
import { tokenize } from './model-behaviour.js';
import { serverShapes, type Flavour, type ModelWrites, type ServerShapes } from './openai-shapes.js';

/** A chat-completions request as the server receives it. */
export interface CompletionBody {
  model: string;
  messages: Array<{ role: string; content: string | null | Array<{ type: string; text?: string; image_url?: { url: string } }>; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string }>;
  tools?: Array<{ type: 'function'; function: { name: string; parameters: unknown } }>;
  response_format?: { type: string; json_schema?: { schema: unknown } };
  chat_template_kwargs?: Record<string, unknown>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
}

/** One scripted answer: what the model writes (the server renders it in its own shape), or an error body as the server sends it. */
export type ScriptedCompletion =
  | (ModelWrites & { delayMs?: number; chunkDelayMs?: number })
  | { status: number; body: unknown; headers?: Record<string, string> }
  | RecordedTurn;

/** A response recorded in a fixture: a whole completion or an error body (`json`, with its `status`), or the data of each SSE event (`sse`), sent verbatim. */
export interface RecordedTurn {
  status?: number;
  json?: unknown;
  sse?: unknown[];
}

/** A fixture file: the responses of one quirk, in the order a conversation asks for them. */
export interface QuirkFixture {
  about: string;
  server: Flavour;
  source: string;
  turns: RecordedTurn[];
}

/** Decides a reply from the request; undefined falls through to the default echo. */
export type CompletionResponder = (body: CompletionBody) => ScriptedCompletion | undefined;

/** Options for the fake server. */
export interface FakeOpenAiOptions {
  /** Whose shapes to use: models list, reasoning field, tool-call deltas, error bodies. */
  flavour?: Flavour;
  /** Model ids it lists (llama.cpp lists the one model it was started with). */
  models?: string[];
  /** Which of them give embeddings; the others are refused the way the server refuses. */
  embedModels?: string[];
  dimension?: number;
  /** The context the model runs with (vLLM max_model_len, llama.cpp n_ctx per slot). */
  contextLength?: number;
  /** The chat template takes tools (vLLM: started with a tool parser). */
  tools?: boolean;
  /** It accepts `response_format` with a JSON schema. */
  jsonSchema?: boolean;
  /** Requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

/** An OpenAI-compatible server on 127.0.0.1 that the real `openai` client talks to, in the shapes of llama.cpp, vLLM, LM Studio or Ollama's /v1. */
export class FakeOpenAi {
  readonly requests: Array<{ method: string; path: string; body: any; headers: IncomingMessage['headers'] }> = [];
  readonly shapes: ServerShapes;
  models: string[];
  embedModels: string[];
  contextLength: number;
  tools: boolean;
  jsonSchema: boolean;
  private readonly replies = new ReplyScript<CompletionBody, ScriptedCompletion>();
  private server!: Server;

  private constructor(private readonly options: FakeOpenAiOptions) {
    this.shapes = serverShapes(options.flavour ?? 'vllm');
    this.models = options.models ?? ['test-chat', 'test-embed'];
    this.embedModels = options.embedModels ?? ['test-embed'];
    this.contextLength = options.contextLength ?? 32_768;
    this.tools = options.tools ?? true;
    this.jsonSchema = options.jsonSchema ?? true;
  }

  /** Starts a server on a free loopback port. */
  static async start(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
    const fake = new FakeOpenAi(options);
    fake.server = createServer((request, response) => void fake.route(request, response));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The base URL for OPENAI_BASE_URL. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Queues answers for the next chat calls, in order. */
  script(...replies: ScriptedCompletion[]): void {
    this.replies.push(...replies);
  }

  /** Queues the recorded turns of a fixture file under test/fixtures/model-quirks. */
  replay(name: string): QuirkFixture {
    const fixture = loadQuirk(name);
    this.replies.push(...fixture.turns);
    return fixture;
  }

  /** Adds a responder consulted (newest first) when the queue is empty. */
  respond(responder: CompletionResponder): void {
    this.replies.respond(responder);
  }

  /** Forgets scripts, responders and recorded requests. */
  reset(): void {
    this.replies.clear();
    this.requests.length = 0;
  }

  /** The recorded chat-completion bodies. */
  chats(): CompletionBody[] {
    return this.requests.filter((request) => request.path === '/v1/chat/completions').map((request) => request.body as CompletionBody);
  }

  /** Stops the server. */
  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJson(request);
    const path = (request.url ?? '/').split('?')[0]!;
    this.requests.push({ method: request.method ?? 'GET', path, body, headers: request.headers });
    if (this.options.apiKey && request.headers.authorization !== `Bearer ${this.options.apiKey}`) return send(response, 401, this.shapes.unauthorised());
    if (path === '/v1/models') return send(response, 200, { object: 'list', data: this.models.map((id) => this.shapes.listed(id, this.contextLength)) });
    if (path === '/props' && this.shapes.flavour === 'llama.cpp') return send(response, 200, this.shapes.props(this.contextLength, this.tools));
    if (path === '/v1/embeddings') return this.embed(body, response);
    if (path === '/v1/chat/completions') return this.complete(body as CompletionBody, response);
    send(response, 404, this.shapes.error(404, `File Not Found`, 'not_found_error'));
  }

  private embed(body: { model: string; input: string | string[] }, response: ServerResponse): void {
    if (!this.embedModels.includes(body.model) && this.shapes.flavour !== 'llama.cpp' && !this.models.includes(body.model)) return send(response, 404, this.shapes.missing(body.model));
    if (!this.embedModels.includes(body.model)) return send(response, this.shapes.noEmbeddings.status, this.shapes.noEmbeddings.body);
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    send(response, 200, { object: 'list', model: body.model, data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: hashedEmbedding(text, this.options.dimension ?? 64) })), usage: { prompt_tokens: 1, total_tokens: 1 } });
  }

  private async complete(body: CompletionBody, response: ServerResponse): Promise<void> {
    if (!this.models.includes(body.model) && this.shapes.flavour !== 'llama.cpp') return send(response, 404, this.shapes.missing(body.model));
    if (body.tools && !this.tools && this.shapes.refusesTools) return send(response, 400, this.shapes.refusesTools);
    if (body.response_format && !this.jsonSchema) return send(response, this.shapes.noSchema.status, this.shapes.noSchema.body);
    const promptTokens = body.messages.reduce((sum, message) => sum + tokenize(textOf(message.content)).length + 4, 0) + tokenize(JSON.stringify(body.tools ?? '')).length;
    const overflow = promptTokens > this.contextLength ? this.shapes.overflow(promptTokens, this.contextLength) : null;
    if (overflow) return send(response, 400, overflow);
    const reply = this.replies.next(body, echo);
    if ('delayMs' in reply && reply.delayMs) await sleepFor(response, reply.delayMs);
    if (response.destroyed) return;
    if ('body' in reply) return send(response, reply.status, reply.body, reply.headers);
    const recorded: RecordedTurn = 'json' in reply || 'sse' in reply ? (reply as RecordedTurn) : this.shapes.render(body, reply as ModelWrites, promptTokens);
    if (recorded.status && recorded.status !== 200) return send(response, recorded.status, recorded.json);
    if (body.stream) {
      if (!recorded.sse) throw new Error('a streamed request met a recorded turn without SSE events');
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of recorded.sse) {
        if (response.destroyed) return;
        response.write(`data: ${JSON.stringify(event)}\n\n`);
        // A model writing at a small machine's pace, so a deadline can pass mid-answer.
        if ('chunkDelayMs' in reply && reply.chunkDelayMs) await sleepFor(response, reply.chunkDelayMs);
      }
      return void response.end('data: [DONE]\n\n');
    }
    if (!recorded.json) throw new Error('a whole-answer request met a recorded turn without a JSON body');
    send(response, 200, recorded.json);
  }
}

/** A captured judge turn scoring one item (`[8]`), its score repeated for every item the request asks about. */
export function judgeTurnFor(turn: QuirkFixture['turns'][number], body: CompletionBody): QuirkFixture['turns'][number] {
  const items = firstUser(body).match(/^Item \d+$/gm)?.length ?? 1;
  return JSON.parse(JSON.stringify(turn).replace('[8]', `[${Array(items).fill(8).join(', ')}]`)) as QuirkFixture['turns'][number];
}

/** Reads a quirk fixture from test/fixtures/model-quirks. */
export function loadQuirk(name: string): QuirkFixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/model-quirks/${name}.json`, import.meta.url), 'utf8')) as QuirkFixture;
}

/** Without a script: the last user message echoed, so prompts are visible in answers. */
function echo(body: CompletionBody): ScriptedCompletion {
  const lastUser = [...body.messages].reverse().find((message) => message.role === 'user');
  return { content: `answer: ${textOf(lastUser?.content ?? '')}` };
}

/** The text of a request's first user message (which prompt it is). */
export function firstUser(body: CompletionBody): string {
  return textOf(body.messages.find((message) => message.role === 'user')?.content ?? '');
}

/** The text of a message's content, whether a string or parts (text and images). */
export function textOf(content: CompletionBody['messages'][number]['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? []).map((part) => part.text ?? '').join('');
}
