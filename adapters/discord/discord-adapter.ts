import {
  Client,
  Events,
  GatewayIntentBits,
  Options,
  Partials,
  type ClientOptions,
  type Interaction,
  type Message,
  type MessageReaction,
  type PartialMessage,
  type PartialMessageReaction,
  type PartialUser,
  type RESTOptions,
  type User,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import { InFlight } from '../../src/core/in-flight.js';
import type { ChatEvent, EventSink, RunningAdapter } from '../../src/core/ports.js';
import type { FileHosts } from '../attachment-download.js';
import { DiscordChat } from './discord-chat.js';
import { handleInteraction } from './discord-interactions.js';
import type { StreamPacing } from './discord-stream.js';
import type { InteractionChat } from './interaction-chat.js';
import { deleteEvent, editEvent, messageEvent, reactionEvent } from './normalize.js';
import { errorSummary, type LogIds } from './retry-once.js';
import { registerCommands } from './slash-commands.js';

/** What `startDiscord` needs; `rest` lets tests lift the client's own rate limiting. */
export interface DiscordOptions {
  config: Config;
  sink: EventSink;
  logger: Logger;
  rest?: Partial<RESTOptions>;
  /** How often a streamed answer is edited; tests shorten it. */
  pacing?: StreamPacing;
  /** Where attachments may be fetched from; tests only (the fake's loopback server), never configuration. */
  fileHosts?: FileHosts;
  /** How long a note placed beside a message stays; tests shorten it. */
  noteLifetimeMs?: number;
}

/** The gateway intents the bot needs; DM intents only when DMs are allowed. */
export function intentsFor(config: Pick<Config, 'DISCORD_ALLOW_DMS'>): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.GuildMessageReactions];
  if (config.DISCORD_ALLOW_DMS) intents.push(GatewayIntentBits.DirectMessages, GatewayIntentBits.DirectMessageReactions);
  return intents;
}

/** Client options: partials so events on uncached messages still arrive, and no message cache. */
export function clientOptions(config: Config, rest: Partial<RESTOptions> = {}): ClientOptions {
  return {
    intents: intentsFor(config),
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    // Messages are not cached: the core keeps what it needs, and a redelivered message still reaches it.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    rest: { ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}), ...rest },
  };
}

/** Connects to Discord, registers `/persona`, and hands every relevant event to the sink. */
export async function startDiscord(options: DiscordOptions): Promise<RunningAdapter> {
  const token = options.config.DISCORD_TOKEN;
  if (!token) throw new Error('DISCORD_TOKEN is not set');
  const adapter = new DiscordAdapter(new Client(clientOptions(options.config, options.rest)), options);
  try {
    await adapter.start(token);
  } catch (error) {
    await adapter.stop();
    throw error;
  }
  return adapter;
}

/** The running adapter: one handler per gateway event, each tracked so `stop` can wait for it. */
class DiscordAdapter implements RunningAdapter {
  readonly name = 'discord';
  get outlet(): { platform: 'discord'; chat: DiscordChat } {
    return { platform: 'discord', chat: this.chat };
  }
  private readonly inFlight = new InFlight();
  private readonly chat: DiscordChat;
  private readonly logger: Logger;
  private stopping = false;
  private botId = '';

  constructor(
    private readonly client: Client,
    private readonly options: DiscordOptions,
  ) {
    this.logger = options.logger;
    this.chat = new DiscordChat(client.rest, options.logger, { pacing: options.pacing, fileHosts: options.fileHosts, noteLifetimeMs: options.noteLifetimeMs });
  }

  /** Logs in, waits for READY, then registers the slash command (a failure there does not stop mentions). */
  async start(token: string): Promise<void> {
    this.listen();
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    await this.client.login(token);
    await ready;
    this.botId = this.client.user?.id ?? '';
    this.logger.info({ botId: this.botId, guilds: this.client.guilds.cache.size }, 'discord connected');
    const applicationId = this.client.application?.id ?? this.botId;
    await registerCommands(this.client.rest, applicationId, this.options.config.DISCORD_GUILD_ID, this.logger).catch((error: unknown) =>
      this.logger.error({ applicationId, ...errorSummary(error) }, 'slash command registration failed; /persona may be missing'),
    );
  }

  /** Stops taking new events; answers in flight go on (the REST client stays usable until `stop`). */
  async quiesce(): Promise<void> {
    this.stopping = true;
  }

  /** Finishes in-flight handlers within SHUTDOWN_GRACE_MS, then closes the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.inFlight.settled(this.options.config.SHUTDOWN_GRACE_MS);
    this.chat.stopTyping();
    await this.chat.close();
    await this.client.destroy();
  }

  private listen(): void {
    const { client } = this;
    client.on(Events.Error, (error) => this.logger.error(errorSummary(error), 'discord client error'));
    client.on(Events.Warn, (message) => this.logger.warn({ detail: message }, 'discord client warning'));
    client.on(Events.MessageCreate, (message) => this.run('message', idsOf(message), () => this.onMessage(message)));
    client.on(Events.MessageUpdate, (_old, message) => this.run('edit', idsOf(message), () => this.onEdit(message)));
    client.on(Events.MessageDelete, (message) => this.run('delete', idsOf(message), () => this.onDelete(message)));
    client.on(Events.MessageReactionAdd, (reaction, user) => this.run('reaction', idsOf(reaction.message, user), () => this.onReaction(reaction, user, true)));
    client.on(Events.MessageReactionRemove, (reaction, user) => this.run('reaction', idsOf(reaction.message, user), () => this.onReaction(reaction, user, false)));
    client.on(Events.InteractionCreate, (interaction) => this.run('command', { interactionId: interaction.id, userId: interaction.user.id }, () => this.onInteraction(interaction)));
  }

  /** Runs one handler; an error is logged with ids and never reaches the client or the process. */
  private run(kind: string, ids: LogIds, work: () => Promise<void>): void {
    if (this.stopping) return;
    void this.inFlight.track(work().catch((error: unknown) => this.logger.error({ kind, ...ids, ...errorSummary(error) }, 'discord event failed')));
  }

  private async onMessage(message: Message | PartialMessage): Promise<void> {
    const event = messageEvent(message, { botId: this.botId, allowDms: this.options.config.DISCORD_ALLOW_DMS });
    if (event && (await this.allowed(message.channelId, message.guildId))) await this.deliver(event);
  }

  private async onEdit(message: Message | PartialMessage): Promise<void> {
    const event = editEvent(message, this.botId, new Date());
    if (event && (await this.allowed(message.channelId, message.guildId))) await this.deliver(event);
  }

  private async onDelete(message: Message | PartialMessage): Promise<void> {
    if (await this.allowed(message.channelId, message.guildId)) await this.deliver(deleteEvent(message, new Date()));
  }

  private async onReaction(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, added: boolean): Promise<void> {
    const event = reactionEvent(reaction, user, added, this.botId, new Date());
    if (event && (await this.allowed(reaction.message.channelId, reaction.message.guildId))) await this.deliver(event);
  }

  /** `/persona`, the controls under answers and submitted forms (see handleInteraction), where the bot works. */
  private async onInteraction(interaction: Interaction): Promise<void> {
    await handleInteraction(interaction, this.chat, this.logger, (event, chat) => this.deliver(event, chat), (channelId, guildId) => this.allowed(channelId, guildId));
  }

  private async deliver(event: ChatEvent, chat: DiscordChat | InteractionChat = this.chat): Promise<void> {
    this.logger.debug({ event }, 'discord event');
    await this.options.sink.handle(event, chat);
  }

  /** DISCORD_CHANNEL_IDS, when set, limits the bot to those channels and their threads; DMs are governed by DISCORD_ALLOW_DMS. */
  private async allowed(channelId: string, guildId: string | null): Promise<boolean> {
    const list = this.options.config.DISCORD_CHANNEL_IDS;
    if (list.length === 0 || guildId === null || list.includes(channelId)) return true;
    let channel = this.client.channels.cache.get(channelId) ?? null;
    // A thread seen only through a message may lack its parent; the channel is fetched once then.
    if (channel === null || (channel.isThread() && !channel.parentId)) channel = await this.client.channels.fetch(channelId, { force: true }).catch(() => null);
    return channel !== null && channel.isThread() && channel.parentId !== null && list.includes(channel.parentId);
  }
}

/** Log ids of a message (and the user reacting), never its text. */
function idsOf(message: { id: string; channelId: string; guildId: string | null }, user?: { id: string }): LogIds {
  return { messageId: message.id, channelId: message.channelId, guildId: message.guildId ?? undefined, userId: user?.id };
}
