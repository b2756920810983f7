import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One Web API call as the fake received it. */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  /** What the fake answered (e.g. the `ts` of a posted message). */
  result?: Record<string, unknown>;
}

/** What the fake answers for the bot's identity. */
export const BOT_USER_ID = 'UBOT';
export const TEAM_ID = 'T0001';

/**
 * A Slack Web API on 127.0.0.1 (`/api/<method>`, form or JSON bodies, as @slack/web-api sends
 * them) plus the `response_url` endpoint of slash commands. It records every call.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly admins = new Set<string>();
  /** Methods whose next call answers 429 with this Retry-After (seconds). */
  readonly rateLimited = new Map<string, number>();
  /** Envelope ids the Socket Mode client acknowledged. */
  readonly acks: string[] = [];
  /** Methods that answer with this error (e.g. `chat.startStream` → `not_allowed`), as a workspace that refuses them. */
  readonly refused = new Map<string, string>();
  /** Whether the streaming methods exist; off, they answer `unknown_method` as before they shipped. */
  streaming = false;
  /** Streamed messages by ts: their text so far and whether the stream was stopped. */
  readonly streams = new Map<string, { channel: string; thread_ts: string; text: string; stopped: boolean; at: number[] }>();
  private server!: Server;
  private sockets!: WebSocketServer;
  private socket: WebSocket | null = null;
  private ts = 1_700_000_000;

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    fake.server = createServer((request, response) => void fake.route(request, response));
    // Socket Mode: apps.connections.open hands out ws://…/socket; the fake says hello and waits for acks.
    fake.sockets = new WebSocketServer({ server: fake.server, path: '/socket' });
    fake.sockets.on('connection', (socket) => {
      fake.socket = socket;
      socket.on('message', (data) => {
        const envelopeId = (JSON.parse(data.toString()) as { envelope_id?: string }).envelope_id;
        if (envelopeId) fake.acks.push(envelopeId);
      });
      socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0001' } }));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Sends a Socket Mode envelope (`events_api` or `slash_commands`) to the connected client. */
  async sendEnvelope(type: 'events_api' | 'slash_commands', envelopeId: string, payload: Record<string, unknown>): Promise<void> {
    await until(() => this.socket !== null, 'a Socket Mode connection');
    this.socket!.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type === 'slash_commands', retry_attempt: 0, retry_reason: '' }));
  }

  /** The Web API base URL (SLACK_API_URL). */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A `response_url` for a slash command. */
  responseUrl(id: string): string {
    return `${this.base}/respond/${id}`;
  }

  /** Calls of one method, in order. */
  called(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Waits until `count` calls of `method` have arrived. */
  async waitFor(method: string, count = 1): Promise<SlackCall[]> {
    await until(() => this.called(method).length >= count, `${count} × ${method}`);
    return this.called(method);
  }

  async close(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = (request.url ?? '/').split('?')[0]!;
    const method = path.startsWith('/api/') ? path.slice('/api/'.length) : path.startsWith('/respond/') ? 'response_url' : path;
    const retryAfter = this.rateLimited.get(method);
    if (retryAfter !== undefined) {
      this.rateLimited.delete(method);
      this.calls.push({ method: `${method} (429)`, body });
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
      return void response.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    }
    const call: SlackCall = { method, body };
    this.calls.push(call);
    const refusal = this.refused.get(method) ?? (!this.streaming && method.startsWith('chat.') && method.endsWith('Stream') ? 'unknown_method' : undefined);
    if (refusal) return send(response, (call.result = { ok: false, error: refusal }));
    send(response, (call.result = this.answer(method, body)));
  }

  /** The streaming methods as Slack documents them: a reply in a thread, chunks of markdown text. */
  private stream(method: string, body: Record<string, unknown>): Record<string, unknown> {
    // @slack/web-api sends forms: a structured argument arrives as a JSON string.
    const parse = (value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value);
    const text = (chunks: unknown) => ((parse(chunks) as Array<{ type: string; text?: string }> | undefined) ?? []).filter((chunk) => chunk.type === 'markdown_text').map((chunk) => chunk.text ?? '').join('') + String(body.markdown_text ?? '');
    if (method === 'chat.startStream') {
      if (!body.thread_ts) return { ok: false, error: 'invalid_arguments' };
      if (!String(body.channel).startsWith('D') && (!body.recipient_user_id || !body.recipient_team_id)) return { ok: false, error: 'invalid_arguments' };
      const ts = `${++this.ts}.000300`;
      this.streams.set(ts, { channel: String(body.channel), thread_ts: String(body.thread_ts), text: text(body.chunks), stopped: false, at: [Date.now()] });
      return { ok: true, channel: body.channel, ts };
    }
    const stream = this.streams.get(String(body.ts));
    if (!stream) return { ok: false, error: 'message_not_found' };
    if (stream.stopped) return { ok: false, error: 'message_not_in_streaming_state' };
    stream.text += text(body.chunks);
    stream.at.push(Date.now());
    if (method === 'chat.stopStream') stream.stopped = true;
    return { ok: true, channel: body.channel, ts: body.ts };
  }

  private answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/socket` };
      case 'auth.test':
        return { ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'persona-bot', team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: 'B0001', is_enterprise_install: false };
      case 'chat.postMessage': {
        const ts = `${++this.ts}.000100`;
        return { ok: true, channel: body.channel, ts, message: { type: 'message', user: BOT_USER_ID, bot_id: 'B0001', text: body.text, ts, ...(body.thread_ts ? { thread_ts: body.thread_ts } : {}) } };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${++this.ts}.000200` };
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      case 'chat.delete':
        return { ok: true, channel: body.channel, ts: body.ts };
      case 'chat.startStream':
      case 'chat.appendStream':
      case 'chat.stopStream':
        return this.stream(method, body);
      case 'assistant.threads.setStatus':
        return { ok: true };
      case 'reactions.add':
      case 'reactions.remove':
        return { ok: true };
      case 'users.info': {
        const id = String(body.user);
        return { ok: true, user: { id, team_id: TEAM_ID, name: id.toLowerCase(), is_admin: this.admins.has(id), is_owner: false } };
      }
      case 'response_url':
        return { ok: true };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** How a signed request is sent: content type, a timestamp or signature to override, a retry header. */
export interface SignOptions {
  contentType?: string;
  timestamp?: number;
  retryNum?: number;
  signature?: string;
}

/** Signs and posts a request to the bot the way Slack does; resolves with the HTTP status. */
export async function postSigned(url: string, secret: string, body: string, options: SignOptions = {}): Promise<number> {
  return (await sendSigned(url, secret, body, options)).status;
}

/** Signs and posts a request (v0 HMAC-SHA256 over `v0:timestamp:body`); resolves with status and body. */
export async function sendSigned(url: string, secret: string, body: string, options: SignOptions = {}): Promise<{ status: number; text: string }> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = options.signature ?? `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
  };
  if (options.retryNum !== undefined) Object.assign(headers, { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' });
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

/** Polls until `condition` holds (at most 5 s), so tests wait for effects rather than for time. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  if ((request.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}

function send(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
