import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FileHost } from './file-host.js';

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
  /** Members' profiles as users.info returns them (display name, real name). */
  readonly profiles = new Map<string, { display_name?: string; real_name?: string }>();
  /** Methods whose next call answers 429 with this Retry-After (seconds). */
  readonly rateLimited = new Map<string, number>();
  /** Envelope ids the Socket Mode client acknowledged. */
  readonly acks: string[] = [];
  /** Methods that answer with this error (e.g. `chat.startStream` → `not_allowed`), as a workspace that refuses them. */
  readonly refused = new Map<string, string>();
  /** Whether the streaming methods exist; off, they answer `unknown_method` as before they shipped. */
  streaming = false;
  /** Streamed messages by ts: their text so far, whether the stream was stopped, and the blocks it ended with. */
  readonly streams = new Map<string, { channel: string; thread_ts: string; text: string; stopped: boolean; at: number[]; blocks?: unknown[] }>();
  /** Whether the workspace takes the AI-app feedback buttons; off, a message carrying them is refused with invalid_blocks. */
  feedbackButtons = true;
  /** Members' files, served at /files/<name> to a request bearing the bot token. */
  readonly fileHost = new FileHost();
  /** Files uploaded through files.uploadV2, by file id: name, bytes, and where they were shared. */
  readonly uploads = new Map<string, { filename: string; content: string; channel?: string; comment?: string }>();
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

  /** Puts a member's file on the fake file host; returns the file object a message event carries. */
  serveFile(name: string, content: string | Buffer, options: { mimetype?: string; size?: number } = {}): Record<string, unknown> {
    const file = this.fileHost.add(name, content, { contentType: options.mimetype ?? 'text/plain', reportedSize: options.size });
    const url = `${this.base}/files/${encodeURIComponent(name)}`;
    return { id: `F${name}`, name, title: name, mimetype: file.contentType, filetype: name.split('.').pop(), size: file.reportedSize, url_private: url, url_private_download: url, is_external: false };
  }

  /** A block_actions payload for a press on one of the bot's buttons, as Slack posts it (form field `payload`). */
  blockAction(user: string, message: { ts: string; thread_ts?: string; channel: string }, action: { action_id: string; type: string; value: string; block_id?: string }): string {
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
      api_app_id: 'A0001',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
      trigger_id: `${++this.ts}.1.trigger`,
      team: { id: TEAM_ID, domain: 'example' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: message.channel, name: 'general' },
      message: { type: 'message', user: BOT_USER_ID, ts: message.ts, text: 'an answer', ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
      state: { values: {} },
      response_url: this.responseUrl(`action-${this.ts}`),
      actions: [{ block_id: action.block_id ?? 'b1', action_ts: `${this.ts}.000500`, ...action }],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  /** A view_submission payload for a modal the bot opened (the view as views.open received it), with its text box filled in. */
  viewSubmission(user: string, view: Record<string, any>, text: string): string {
    const input = (view.blocks as Array<{ type: string; block_id?: string; element?: { action_id: string } }>).find((block) => block.type === 'input')!;
    const payload = {
      type: 'view_submission',
      team: { id: TEAM_ID, domain: 'example' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
      api_app_id: 'A0001',
      token: 'legacy-verification-token',
      trigger_id: `${++this.ts}.2.trigger`,
      view: { id: `V${this.ts}`, team_id: TEAM_ID, app_id: 'A0001', bot_id: 'B0001', hash: 'h', root_view_id: `V${this.ts}`, previous_view_id: null, clear_on_close: false, notify_on_close: false, external_id: '', ...view, state: { values: { [input.block_id!]: { [input.element!.action_id]: { type: 'plain_text_input', value: text } } } } },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
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

  /** Serves a file only to a request with the bot token, as files.slack.com does. */
  private async sendFile(name: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.calls.push({ method: 'file', body: { name, authorization: request.headers.authorization } });
    if (request.headers.authorization !== 'Bearer xoxb-test') return void response.writeHead(403).end();
    await this.fileHost.serve(name, response);
  }

  private get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0]!;
    // An upload's bytes arrive as they are, whatever content type the client names.
    const body = path.startsWith('/upload/') ? { raw: await readUpload(request) } : await readBody(request);
    const method = path.startsWith('/api/') ? path.slice('/api/'.length) : path.startsWith('/respond/') ? 'response_url' : path;
    const retryAfter = this.rateLimited.get(method);
    if (retryAfter !== undefined) {
      this.rateLimited.delete(method);
      this.calls.push({ method: `${method} (429)`, body });
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
      return void response.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    }
    if (method.startsWith('/files/')) return this.sendFile(decodeURIComponent(method.slice('/files/'.length)), request, response);
    if (method.startsWith('/upload/')) {
      const upload = this.uploads.get(method.slice('/upload/'.length));
      if (upload) upload.content = String(body.raw ?? '');
      this.calls.push({ method: 'upload', body: { id: method.slice('/upload/'.length) } });
      response.writeHead(upload ? 200 : 404);
      return void response.end('OK');
    }
    const call: SlackCall = { method, body };
    this.calls.push(call);
    if (!this.feedbackButtons && JSON.stringify(body.blocks ?? '').includes('feedback_buttons')) return send(response, { ok: false, error: 'invalid_blocks' });
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
    if (method === 'chat.stopStream') Object.assign(stream, { stopped: true, ...(body.blocks ? { blocks: parse(body.blocks) as unknown[] } : {}) });
    return { ok: true, channel: body.channel, ts: body.ts };
  }

  /** The thread of a message the bot posted, as Slack returns it given any message of the thread (the fake knows only the bot's). */
  private replies(ts: string): Record<string, unknown> {
    const posted = this.called('chat.postMessage').find((call) => call.result?.ts === ts)?.body.thread_ts ?? this.streams.get(ts)?.thread_ts;
    if (posted === undefined) return { ok: false, error: 'thread_not_found' };
    return { ok: true, has_more: true, messages: [{ type: 'message', ts: posted, thread_ts: posted }] };
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
      case 'assistant.threads.setSuggestedPrompts':
        return { ok: true };
      case 'views.open':
        return body.trigger_id ? { ok: true, view: { id: `V${++this.ts}`, ...(JSON.parse(String(body.view)) as object) } } : { ok: false, error: 'invalid_trigger_id' };
      case 'conversations.replies':
        return this.replies(String(body.ts));
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(body.users)}` } };
      case 'files.getUploadURLExternal': {
        const id = `F${++this.ts}`;
        this.uploads.set(id, { filename: String(body.filename), content: '' });
        return { ok: true, upload_url: `${this.base}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(String(body.files)) as Array<{ id: string; title?: string }>;
        for (const file of files) Object.assign(this.uploads.get(file.id) ?? {}, { channel: body.channel_id, comment: body.initial_comment });
        return { ok: true, files: files.map((file) => ({ id: file.id, title: file.title })) };
      }
      case 'reactions.add':
      case 'reactions.remove':
        return { ok: true };
      case 'users.info': {
        const id = String(body.user);
        const profile = this.profiles.get(id) ?? {};
        return { ok: true, user: { id, team_id: TEAM_ID, name: id.toLowerCase(), real_name: profile.real_name ?? '', is_admin: this.admins.has(id), is_owner: false, profile: { display_name: '', real_name: '', ...profile } } };
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

/** An upload's bytes: the body as sent, or its one file when it came as a multipart form. */
async function readUpload(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return Buffer.concat(chunks).toString('utf8');
  const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': type } }).formData();
  const [first] = [...form.values()];
  return typeof first === 'string' ? first : ((await first?.text()) ?? '');
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  const type = request.headers['content-type'] ?? '';
  if (type.includes('application/json')) return JSON.parse(text) as Record<string, unknown>;
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  return { raw: text };
}

function send(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
