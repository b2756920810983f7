import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FileHost } from './file-host.js';

/** A REST request the fake received; `path` is decoded and has no `/api/v10` prefix. */
export interface DiscordRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
  /** When it arrived (Date.now()), to check the order and spacing of calls. */
  at: number;
}

/** A user object as the API sends it. */
export interface FakeUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: null;
  bot?: boolean;
}

type Handler = (match: RegExpMatchArray, request: DiscordRequest) => { status: number; body?: unknown };


const DISCORD_EPOCH = 1_420_070_400_000n;
let sequence = 0n;

/** A fresh snowflake: Discord ids encode their creation time, which discord.js reads. */
export function snowflake(): string {
  sequence += 1n;
  return ((BigInt(Date.now()) - DISCORD_EPOCH) << 22n | (sequence & 0xfffn)).toString();
}

/** Builds a user object. */
export function fakeUser(username: string, bot = false): FakeUser {
  return { id: snowflake(), username, discriminator: '0', global_name: username, avatar: null, ...(bot ? { bot: true } : {}) };
}

/**
 * Discord on 127.0.0.1: the REST routes a bot uses and a gateway (HELLO, IDENTIFY → READY +
 * GUILD_CREATE, heartbeats, RESUME) sharing one port. Every REST request is recorded.
 */
export class FakeDiscord {
  readonly requests: DiscordRequest[] = [];
  readonly identifies: any[] = [];
  /** RESUME payloads received after a dropped connection. */
  readonly resumes: any[] = [];
  readonly bot = fakeUser('persona-bot', true);
  readonly applicationId = this.bot.id;
  readonly guildId = snowflake();
  readonly channelId = snowflake();
  /** A second text channel, left out of the allow-list in tests. */
  readonly otherChannelId = snowflake();
  /** A public thread under `channelId`. */
  readonly threadId = snowflake();
  /** A thread under `channelId` that the client only learns of from a message (not in GUILD_CREATE). */
  readonly lateThreadId = snowflake();
  /** Registered commands per route (`/applications/:app/commands` or the guild variant). */
  readonly commands = new Map<string, any[]>();
  /** Messages the fake knows (posted by the bot or built here), for `GET` and referenced messages. */
  readonly messages = new Map<string, any>();
  /** What each interaction was answered with (`POST /interactions/:id/:token/callback`), by interaction id. */
  readonly callbacks = new Map<string, any[]>();
  /** The fake CDN (`/cdn/:name`). */
  readonly cdn = new FileHost();
  private readonly dmChannels = new Map<string, string>();
  private readonly failures: Array<{ method: string; pattern: RegExp; status: number }> = [];
  private readonly sockets = new Set<WebSocket>();
  private seq = 0;
  private server!: Server;
  private gateway!: WebSocketServer;
  private readonly routes: Array<[string, RegExp, Handler]> = [
    ['GET', /^\/gateway\/bot$/, () => ({ status: 200, body: { url: this.wsUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } } })],
    ['POST', /^\/channels\/(\d+)\/messages$/, (m, r) => ({ status: 200, body: this.remember(this.message({ channelId: m[1]!, author: this.bot, content: r.body.content, replyTo: r.body.message_reference?.message_id, components: r.body.components })) })],
    ['PATCH', /^\/channels\/(\d+)\/messages\/(\d+)$/, (m, r) => this.edit(m[2]!, r.body)],
    ['DELETE', /^\/channels\/(\d+)\/messages\/(\d+)$/, (m) => (this.messages.delete(m[2]!) ? { status: 204 } : { status: 404, body: { message: 'Unknown Message', code: 10008 } })],
    ['GET', /^\/channels\/(\d+)\/messages\/(\d+)$/, (m) => (this.messages.has(m[2]!) ? { status: 200, body: this.messages.get(m[2]!) } : { status: 404, body: { message: 'Unknown Message', code: 10008 } })],
    ['PUT|DELETE', /^\/channels\/\d+\/messages\/\d+\/reactions\/[^/]+\/@me$/, () => ({ status: 204 })],
    ['POST', /^\/channels\/\d+\/typing$/, () => ({ status: 204 })],
    ['GET', /^\/channels\/(\d+)$/, (m) => ({ status: 200, body: this.channel(m[1]!) })],
    ['POST', /^\/users\/@me\/channels$/, (_m, r) => ({ status: 200, body: { id: this.dmChannel(r.body.recipient_id), type: 1, recipients: [{ ...this.bot, id: r.body.recipient_id, bot: false }] } })],
    ['POST', /^\/interactions\/(\d+)\/[^/]+\/callback$/, (m, r) => this.callback(m[1]!, r.body)],
    ['PATCH', /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/, (_m, r) => ({ status: 200, body: this.message({ channelId: this.channelId, author: this.bot, content: r.body.content, flags: 64, attachments: r.body.files }) })],
    ['DELETE', /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/, () => ({ status: 204 })],
    ['POST', /^\/webhooks\/\d+\/[^/]+$/, (_m, r) => ({ status: 200, body: this.message({ channelId: this.channelId, author: this.bot, content: r.body.content, flags: r.body.flags ?? 0 }) })],
    ['GET', /^(\/applications\/\d+(?:\/guilds\/\d+)?\/commands)$/, (m) => ({ status: 200, body: this.commands.get(m[1]!) ?? [] })],
    ['PUT', /^(\/applications\/\d+(?:\/guilds\/\d+)?\/commands)$/, (m, r) => ({ status: 200, body: this.storeCommands(m[1]!, r.body) })],
  ];

  private constructor() {}

  /** Starts REST and gateway on one free loopback port. */
  static async start(): Promise<FakeDiscord> {
    const fake = new FakeDiscord();
    fake.server = createServer((request, response) => void fake.serve(request, response));
    fake.gateway = new WebSocketServer({ server: fake.server });
    fake.gateway.on('connection', (socket) => fake.connect(socket));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The REST base for `DISCORD_API_URL` (discord.js adds `/v10`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
  }

  private get wsUrl(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Makes the next request matching method and path answer with `status` instead. */
  failNext(method: string, pattern: RegExp, status: number): void {
    this.failures.push({ method, pattern, status });
  }

  /** Sends a gateway dispatch (`op: 0`) to every connected client. */
  dispatch(type: string, data: unknown): void {
    for (const socket of this.sockets) this.sendOp(socket, { op: 0, t: type, s: ++this.seq, d: data });
  }

  /** Drops every gateway connection with this close code (4000 asks the client to resume). */
  disconnect(code = 4000): void {
    for (const socket of this.sockets) socket.close(code, 'dropped by the fake');
  }

  /** Resolves with the first recorded request (already seen or future) that matches. */
  async waitForRequest(matches: (request: DiscordRequest) => boolean, timeoutMs = 3_000): Promise<DiscordRequest> {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 2))) {
      const found = this.requests.find(matches);
      if (found) return found;
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for a matching Discord request`);
  }

  /** Requests with this method whose path matches. */
  requestsTo(method: string, pattern: RegExp): DiscordRequest[] {
    return this.requests.filter((request) => request.method === method && pattern.test(request.path));
  }

  /** A message object shaped as in the API reference; `replyTo` adds a reference and the referenced message. */
  message(options: { channelId: string; author: FakeUser; content: string; id?: string; replyTo?: string; guild?: boolean; mentions?: FakeUser[]; flags?: number; components?: any[]; attachments?: any[]; nick?: string }): any {
    const guild = options.guild ?? !this.isDm(options.channelId);
    const referenced = options.replyTo ? (this.messages.get(options.replyTo) ?? null) : undefined;
    return {
      id: options.id ?? snowflake(),
      channel_id: options.channelId,
      ...(guild ? { guild_id: this.guildId, member: { roles: [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0, nick: options.nick ?? null } } : {}),
      author: options.author,
      content: options.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: options.mentions ?? [],
      mention_roles: [],
      attachments: options.attachments ?? [],
      embeds: [],
      components: options.components ?? [],
      pinned: false,
      type: options.replyTo ? 19 : 0,
      flags: options.flags ?? 0,
      ...(options.replyTo ? { message_reference: { type: 0, message_id: options.replyTo, channel_id: options.channelId, ...(guild ? { guild_id: this.guildId } : {}) }, referenced_message: referenced } : {}),
    };
  }

  /** Edits a message the bot posted, as PATCH /channels/:id/messages/:id does (fields left out stay as they were). */
  private edit(messageId: string, body: { content?: string; components?: any[] }): { status: number; body: unknown } {
    const message = this.messages.get(messageId);
    if (!message) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    Object.assign(message, { ...(body.content !== undefined ? { content: body.content } : {}), ...(body.components !== undefined ? { components: body.components } : {}), edited_timestamp: new Date().toISOString() });
    return { status: 200, body: message };
  }

  /** Records an interaction's answer; a second initial answer is refused as Discord does. */
  private callback(interactionId: string, body: any): { status: number; body?: unknown } {
    const answers = this.callbacks.get(interactionId) ?? [];
    if (answers.length > 0) return { status: 400, body: { message: 'Interaction has already been acknowledged.', code: 40060 } };
    this.callbacks.set(interactionId, [...answers, body]);
    return { status: 204 };
  }

  /** Puts a file on the fake CDN; returns the attachment object a message carries. */
  serveFile(name: string, content: string | Buffer, options: { contentType?: string; reportedSize?: number; declareLength?: boolean } = {}): any {
    const file = this.cdn.add(name, content, options);
    const url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/cdn/${encodeURIComponent(name)}`;
    return { id: snowflake(), filename: name, size: file.reportedSize, url, proxy_url: url, content_type: file.contentType };
  }

  /** An INTERACTION_CREATE payload for a button press on a message (type 3, component type 2). */
  button(user: FakeUser, message: any, customId: string): any {
    const id = snowflake();
    return { ...this.interactionBase(user, id, message.channel_id), type: 3, message, data: { custom_id: customId, component_type: 2 } };
  }

  /** An INTERACTION_CREATE payload for a submitted modal (type 5) with one text box inside a label. */
  modalSubmit(user: FakeUser, customId: string, field: string, value: string, permissions = 1n << 11n): any {
    const id = snowflake();
    const components = [{ type: 10, id: 1 }, { type: 18, id: 2, component: { type: 4, id: 3, custom_id: field, value } }];
    return { ...this.interactionBase(user, id, this.channelId, permissions), type: 5, data: { custom_id: customId, components } };
  }

  private interactionBase(user: FakeUser, id: string, channelId: string, permissions = 1n << 11n): any {
    const member = { user, roles: [], permissions: permissions.toString(), joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 };
    return {
      id, application_id: this.applicationId, token: `token-${id}`, version: 1, guild_id: this.guildId, channel_id: channelId, channel: this.channel(channelId), member,
      app_permissions: '2248473465835073', locale: 'en-US', guild_locale: 'en-US', entitlements: [], authorizing_integration_owners: { '0': this.guildId }, context: 0, attachment_size_limit: 10_485_760,
    };
  }

  /** A member's message as MESSAGE_CREATE carries it (with `channel_type`), remembered for later fetches. */
  userMessage(author: FakeUser, content: string, options: { channelId?: string; replyTo?: string; id?: string; attachments?: any[]; nick?: string } = {}): any {
    const channelId = options.channelId ?? this.channelId;
    const channelType = this.isThread(channelId) ? 11 : this.isDm(channelId) ? 1 : 0;
    const mentions = content.includes(`<@${this.bot.id}>`) ? [this.bot] : [];
    return { ...this.remember(this.message({ ...options, channelId, author, content, mentions })), channel_type: channelType };
  }

  /** A MESSAGE_REACTION_ADD/REMOVE payload; only ADD carries the member. */
  reaction(user: FakeUser, messageId: string, emoji: { id: string | null; name: string }, added: boolean, channelId = this.channelId): any {
    const base = { user_id: user.id, channel_id: channelId, message_id: messageId, guild_id: this.guildId, emoji, burst: false, type: 0 };
    return added ? { ...base, member: { user, roles: [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 }, message_author_id: this.bot.id, burst_colors: [] } : base;
  }

  /** An INTERACTION_CREATE payload for `/persona <subcommand>` with its options, from a member with these permission bits. */
  command(user: FakeUser, subcommand: string, options: Array<{ name: string; type: number; value: unknown }> = [], permissions = 1n << 11n, group?: string): any {
    const resolvedUsers = options.filter((option) => option.type === 6).map((option) => [option.value, { ...user, id: option.value, username: 'someone' }]);
    const resolvedChannels = options.filter((option) => option.type === 7).map((option) => [option.value, { ...this.channel(String(option.value)), permissions: '2248473465835073' }]);
    const sub = { name: subcommand, type: 1, options };
    const resolved = { ...(resolvedUsers.length > 0 ? { users: Object.fromEntries(resolvedUsers) } : {}), ...(resolvedChannels.length > 0 ? { channels: Object.fromEntries(resolvedChannels) } : {}) };
    const member = { user, roles: [], permissions: permissions.toString(), joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 };
    const id = snowflake();
    return {
      id, application_id: this.applicationId, type: 2, token: `token-${id}`, version: 1,
      guild_id: this.guildId, channel_id: this.channelId, channel: this.channel(this.channelId), member,
      data: { id: snowflake(), name: 'persona', type: 1, guild_id: this.guildId, options: [group ? { name: group, type: 2, options: [sub] } : sub], ...(Object.keys(resolved).length > 0 ? { resolved } : {}) },
      app_permissions: '2248473465835073', locale: 'en-US', guild_locale: 'en-US', entitlements: [],
      authorizing_integration_owners: { '0': this.guildId }, context: 0, attachment_size_limit: 10_485_760,
    };
  }

  /** The id of the DM channel between the bot and this user (created on first use). */
  dmChannel(userId: string): string {
    if (!this.dmChannels.has(userId)) this.dmChannels.set(userId, snowflake());
    return this.dmChannels.get(userId)!;
  }

  /** Closes every gateway connection and the server. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private isThread(channelId: string): boolean {
    return channelId === this.threadId || channelId === this.lateThreadId;
  }

  private isDm(channelId: string): boolean {
    return [...this.dmChannels.values()].includes(channelId);
  }

  private channel(id: string): any {
    const base = { guild_id: this.guildId, permission_overwrites: [], position: 0, nsfw: false, last_message_id: null, rate_limit_per_user: 0, topic: null, parent_id: null };
    if (this.isThread(id)) {
      const metadata = { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false, create_timestamp: new Date().toISOString() };
      return { ...base, id, type: 11, name: 'a thread', parent_id: this.channelId, owner_id: this.bot.id, thread_metadata: metadata, message_count: 0, member_count: 1, total_message_sent: 0 };
    }
    return { ...base, id, type: 0, name: id === this.channelId ? 'general' : 'random' };
  }

  private remember(message: any): any {
    this.messages.set(message.id, message);
    return message;
  }

  private storeCommands(route: string, body: any[]): any[] {
    const stored = body.map((command) => ({ ...command, id: snowflake(), application_id: this.applicationId, version: snowflake(), default_member_permissions: null, nsfw: false, contexts: null, integration_types: [0] }));
    this.commands.set(route, stored);
    return stored;
  }

  private connect(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('message', (raw) => this.onGatewayMessage(socket, JSON.parse(String(raw))));
    this.sendOp(socket, { op: 10, d: { heartbeat_interval: 45_000 } });
  }

  private onGatewayMessage(socket: WebSocket, payload: { op: number; d: any }): void {
    if (payload.op === 1) return this.sendOp(socket, { op: 11 });
    if (payload.op === 6) {
      this.resumes.push(payload.d);
      return this.sendOp(socket, { op: 0, t: 'RESUMED', s: ++this.seq, d: {} });
    }
    if (payload.op !== 2) return;
    this.identifies.push(payload.d);
    const ready = { v: 10, user: this.bot, guilds: [{ id: this.guildId, unavailable: true }], session_id: `session-${snowflake()}`, resume_gateway_url: this.wsUrl, shard: [0, 1], application: { id: this.applicationId, flags: 0 } };
    this.sendOp(socket, { op: 0, t: 'READY', s: ++this.seq, d: ready });
    this.sendOp(socket, { op: 0, t: 'GUILD_CREATE', s: ++this.seq, d: this.guildCreate() });
  }

  private guildCreate(): any {
    const everyone = { id: this.guildId, name: '@everyone', permissions: '2248473465835073', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 };
    return {
      id: this.guildId, name: 'Test guild', icon: null, owner_id: snowflake(), unavailable: false, large: false, member_count: 3,
      joined_at: new Date().toISOString(), roles: [everyone], emojis: [], stickers: [], features: [], members: [], presences: [], voice_states: [],
      channels: [this.channel(this.channelId), this.channel(this.otherChannelId)].map(({ guild_id: _guild, ...channel }) => channel),
      threads: [this.channel(this.threadId)], stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
      afk_timeout: 300, verification_level: 0, default_message_notifications: 0, explicit_content_filter: 0, mfa_level: 0, nsfw_level: 0, premium_tier: 0, preferred_locale: 'en-US', system_channel_flags: 0,
    };
  }

  private sendOp(socket: WebSocket, payload: unknown): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/cdn/')) return this.cdn.serve(decodeURIComponent(url.pathname.slice('/cdn/'.length)), response);
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v10/, ''));
    const recorded: DiscordRequest = { method: request.method ?? 'GET', path, query: url.searchParams, body: await readBody(request), at: Date.now() };
    this.requests.push(recorded);
    const failure = this.failures.findIndex((item) => item.method === recorded.method && item.pattern.test(path));
    if (failure >= 0) {
      const [{ status }] = this.failures.splice(failure, 1) as [{ method: string; pattern: RegExp; status: number }];
      // A 429 as Discord sends it: retry_after in the body and the header, and a per-route bucket.
      if (status === 429) {
        response.setHeader('retry-after', '0.05');
        response.setHeader('x-ratelimit-scope', 'user');
        return reply(response, 429, { message: 'You are being rate limited.', retry_after: 0.05, global: false });
      }
      return reply(response, status, { message: 'Injected failure', code: 0 });
    }
    for (const [method, pattern, handler] of this.routes) {
      const match = method.split('|').includes(recorded.method) ? path.match(pattern) : null;
      if (match) {
        const { status, body } = handler(match, recorded);
        return reply(response, status, body);
      }
    }
    reply(response, 404, { message: '404: Not Found', code: 0 });
  }
}

/** A JSON body, or a multipart one (a message with files): its `payload_json` with `files: [{ name, type, content }]`. */
async function readBody(request: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': type } }).formData();
    const files = await Promise.all([...form.entries()].filter(([key]) => key.startsWith('files[')).map(async ([, value]) => ({ name: (value as File).name, type: (value as File).type, content: await (value as File).text() })));
    return { ...JSON.parse(String(form.get('payload_json') ?? '{}')), files };
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return { raw: text };
  }
}

function reply(response: ServerResponse, status: number, body?: unknown): void {
  if (status === 204 || body === undefined) {
    response.writeHead(status);
    return void response.end();
  }
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
