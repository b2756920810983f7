import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../../src/config.js';
import { InFlight } from '../../src/core/in-flight.js';
import type { ChatEvent, EventSink, RunningAdapter } from '../../src/core/ports.js';
import type { FileHosts } from '../attachment-download.js';
import { mentionEvent, messageEvent, reactionEvent, type SlackContext } from './normalize.js';
import { SlackChat, slackErrorSummary, type SlackChatOptions } from './slack-chat.js';
import { listenToInteractions } from './slack-interactions.js';
import { SlackNames } from './slack-names.js';
import { SlackFeatures } from './slack-stream.js';

/** What `startSlack` needs; `clientOptions` lets tests move the Web API and turn its retries off. */
export interface SlackOptions {
  config: Config;
  sink: EventSink;
  logger: Logger;
  clientOptions?: webApi.WebClientOptions;
  /** How often a streamed answer touches Slack; tests shorten it. */
  streamIntervalMs?: number;
  /** Where files may be fetched from; tests only (the fake's loopback server), never configuration. */
  fileHosts?: FileHosts;
}

/** A started Slack adapter; `port` is the HTTP port in HTTP mode. */
export interface RunningSlack extends RunningAdapter {
  readonly port?: number;
}

/** The Events API events the bot reads, each with the pure function that makes it a ChatEvent. */
const normalisers: Record<string, (event: never, ctx: SlackContext) => ChatEvent | null> = {
  app_mention: mentionEvent,
  message: messageEvent,
  reaction_added: reactionEvent,
  reaction_removed: reactionEvent,
};

/** How many event ids are remembered to drop redeliveries (Slack retries within minutes). */
const SEEN_EVENTS = 2_000;

/**
 * Connects to Slack with bolt: Socket Mode when SLACK_APP_TOKEN is set (no public URL needed),
 * otherwise HTTP mode on SLACK_PORT with request signatures verified by bolt.
 */
export async function startSlack(options: SlackOptions): Promise<RunningSlack> {
  const { config } = options;
  if (!config.SLACK_BOT_TOKEN) throw new Error('SLACK_BOT_TOKEN is not set');
  const socketMode = Boolean(config.SLACK_APP_TOKEN);
  const app = new App({
    token: config.SLACK_BOT_TOKEN,
    ...(socketMode ? { socketMode: true, appToken: config.SLACK_APP_TOKEN } : { signingSecret: config.SLACK_SIGNING_SECRET }),
    // The Web API client's own retry policy stays: it waits out 429s for as long as Retry-After says.
    clientOptions: { ...(config.SLACK_API_URL ? { slackApiUrl: withSlash(config.SLACK_API_URL) } : {}), ...options.clientOptions },
    logger: boltLogger(options.logger.child({ lib: 'bolt' })),
    processBeforeResponse: false,
    deferInitialization: true,
  });
  const adapter = new SlackAdapter(app, options);
  adapter.listen();
  // `init` calls auth.test: a bad token stops start-up here with Slack's reason.
  await app.init();
  const started = socketMode ? await app.start() : await app.start(config.SLACK_PORT);
  const port = socketMode ? undefined : ((started as Server).address() as AddressInfo).port;
  options.logger.info({ mode: socketMode ? 'socket' : 'http', port }, 'slack connected');
  return { name: 'slack', port, outlet: { platform: 'slack', chat: adapter.chatFor(app.client) }, quiesce: () => adapter.quiesce(), stop: () => adapter.stop() };
}

/** The running adapter: one handler per event, each tracked so `stop` can wait for it. */
class SlackAdapter {
  private readonly inFlight = new InFlight();
  private readonly seen = new Set<string>();
  private readonly logger: Logger;
  /** What this workspace lets the app do (streaming, assistant status), learned once for every answer. */
  private readonly features = new SlackFeatures();
  private readonly chatOptions: SlackChatOptions;
  private closed: Promise<void> | null = null;

  constructor(
    private readonly app: App,
    private readonly options: SlackOptions,
  ) {
    this.logger = options.logger;
    this.chatOptions = { features: this.features, streamIntervalMs: options.streamIntervalMs, fileHosts: options.fileHosts, names: new SlackNames(options.logger) };
  }

  listen(): void {
    const { app } = this;
    for (const [name, normalise] of Object.entries(normalisers)) {
      app.event(name, async ({ event, body, context, client }) =>
        this.deliver({ eventId: body.event_id, retryNum: context.retryNum }, () => normalise(event as never, this.context(context, body)), this.chatFor(client)),
      );
    }
    listenToInteractions(app, {
      sink: this.options.sink,
      logger: this.logger,
      chatOptions: this.chatOptions,
      track: (work) => this.track(work),
      teamOf: (context, body) => context.teamId ?? body.team?.id ?? body.team_id ?? context.enterpriseId ?? 'unknown',
    });
    app.error(async (error) => this.logger.error(slackErrorSummary(error), 'slack error'));
  }

  /**
   * Closes the connection or server first, so Slack stops delivering (and redelivers later what it
   * could not), then finishes the handlers already running within SHUTDOWN_GRACE_MS; the Web API
   * client still works for their answers.
   */
  async stop(): Promise<void> {
    await this.quiesce();
    await this.inFlight.settled(this.options.config.SHUTDOWN_GRACE_MS);
  }

  /** The outgoing side for one Web API client, sharing what the workspace allows. */
  chatFor(client: webApi.WebClient): SlackChat {
    return new SlackChat(client, this.logger, this.chatOptions);
  }

  /** Closes the connection or server so Slack stops delivering; the Web API client still works. */
  quiesce(): Promise<void> {
    this.closed ??= this.app.stop().then(
      () => undefined,
      (error: unknown) => this.logger.warn(slackErrorSummary(error), 'slack stop failed'),
    );
    return this.closed;
  }

  /**
   * Normalises and hands one event to the core, once per event id. A retry of an event not seen
   * before (its first delivery was lost, or the process restarted) is handled: the core records a
   * message once, so nothing is answered twice.
   */
  private async deliver({ eventId, retryNum }: { eventId?: string; retryNum?: number }, normalise: () => ChatEvent | null, chat: SlackChat): Promise<void> {
    if (eventId && !this.firstTime(eventId)) return void this.logger.debug({ eventId, retryNum }, 'redelivered event ignored');
    await this.track(async () => {
      const event = normalise();
      if (event) await this.options.sink.handle(event, chat);
    }, eventId);
  }

  /** Runs a handler; an error is logged with ids and never reaches bolt or the process. */
  private async track(work: () => Promise<void>, eventId?: string): Promise<void> {
    await this.inFlight.track(work().catch((error: unknown) => this.logger.error({ eventId, ...slackErrorSummary(error) }, 'slack event failed')));
  }

  private firstTime(eventId: string): boolean {
    if (this.seen.has(eventId)) return false;
    this.seen.add(eventId);
    if (this.seen.size > SEEN_EVENTS) this.seen.delete(this.seen.values().next().value!);
    return true;
  }

  private context(context: { teamId?: string; enterpriseId?: string; botUserId?: string }, body: { team_id?: string; enterprise_id?: string }): SlackContext {
    return {
      teamId: context.teamId ?? body.team_id ?? context.enterpriseId ?? body.enterprise_id ?? 'unknown',
      botUserId: context.botUserId ?? '',
      allowDms: this.options.config.SLACK_ALLOW_DMS,
    };
  }
}

/** bolt logs through pino: warnings and errors as they are, its chatter at debug. */
function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) => parts.map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
  return {
    debug: (...parts) => logger.trace(text(parts)),
    info: (...parts) => logger.debug(text(parts)),
    warn: (...parts) => logger.warn(text(parts)),
    error: (...parts) => logger.error(text(parts)),
    setLevel: (next) => void (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** The Web API client joins method names to the base URL, so it must end with a slash. */
function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
