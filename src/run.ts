import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import type { Logger } from 'pino';
import { startConsole } from '../adapters/console/console-adapter.js';
import type { Config } from './config.js';
import type { RunningAdapter } from './core/ports.js';
import { scheduleAlignment } from './jobs/alignment-job.js';
import { heartbeatPath, startHeartbeat } from './jobs/heartbeat.js';
import { buildCore, createLogger, type Core } from './main.js';
import { prepareDatabasePath } from './memory/database-path.js';
import { assertReady } from './startup.js';

/** Something to stop at shutdown, in order. */
interface Stoppable {
  name: string;
  outlet?: RunningAdapter['outlet'];
  quiesce?(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the bot: checks Ollama, starts the configured adapters (or the console), and the schedule. Resolves at shutdown. */
export async function runBot(config: Config, options: { forceConsole?: boolean } = {}): Promise<number> {
  const useConsole = options.forceConsole === true || (!config.DISCORD_TOKEN && !config.SLACK_BOT_TOKEN);
  // Before the log file is opened beside it: a bad path fails here with its fix, not in the logger.
  prepareDatabasePath(config.DATABASE_PATH);
  // In the console chat, logs go to a file so they do not interleave with the conversation.
  const logger = createLogger(config.LOG_LEVEL, useConsole ? join(dirname(config.DATABASE_PATH), 'persona-bot.log') : 2);
  const core = buildCore(config, logger);
  try {
    await assertReady(core);
  } catch (error) {
    core.close();
    throw error;
  }
  const running = new Running(core, logger);
  return new Promise<number>((resolve) => {
    const shutdown = once(async (signal: string) => {
      logger.info({ signal }, 'shutting down');
      await running.stopAll();
      resolve(0);
    });
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    void startAll(core, running, useConsole, () => void shutdown('console closed')).catch(async (error: unknown) => {
      logger.error({ err: error }, 'start-up failed');
      console.error(error instanceof Error ? error.message : error);
      await running.stopAll();
      resolve(1);
    });
  });
}

/**
 * What runs, in start order, so shutdown can stop it. Something that finishes starting after
 * shutdown began (a slow gateway login, say) is stopped at once instead of running on a closed database.
 */
class Running {
  private readonly items: Stoppable[] = [];
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly core: Core,
    private readonly logger: Logger,
  ) {}

  get stopped(): boolean {
    return this.stopping !== null;
  }

  /** Where the running adapters send messages. */
  outlets(): NonNullable<RunningAdapter['outlet']>[] {
    return this.items.flatMap((item) => (item.outlet ? [item.outlet] : []));
  }

  /** What runs now, the heartbeat aside. */
  names(): string[] {
    return this.items.map((item) => item.name).filter((name) => name !== 'heartbeat');
  }

  async add(item: Stoppable): Promise<void> {
    if (this.stopped) return this.stopOne(item);
    this.items.push(item);
  }

  /**
   * Stops taking events, lets in-flight answers finish within the grace period (members whose
   * questions were not reached are told, while the platforms can still be reached), then closes
   * the connections and the database.
   */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.allSettled(this.items.map((item) => item.quiesce?.().catch((error: unknown) => this.logger.warn({ err: error, name: item.name }, 'quiesce failed'))));
      await this.core.bot.drain(this.core.config.SHUTDOWN_GRACE_MS);
      await Promise.allSettled(this.items.map((item) => this.stopOne(item)));
      this.core.close();
      this.logger.flush();
    })();
    return this.stopping;
  }

  private stopOne(item: Stoppable): Promise<void> {
    return item.stop().catch((error: unknown) => this.logger.warn({ err: error, name: item.name }, 'stop failed'));
  }
}

/** The schedule, then the console or the configured platforms, then the heartbeat; each is registered as soon as it runs. */
async function startAll(core: Core, running: Running, useConsole: boolean, onConsoleClosed: () => void): Promise<void> {
  const checkpoints = core.store.startBackgroundCheckpoints();
  await running.add({ name: 'checkpoints', stop: () => checkpoints.stop() });
  await running.add(alignmentJob(core));
  if (core.config.DASHBOARD_PORT !== undefined && !running.stopped) {
    const { startDashboardFor } = await import('./dashboard/dashboard-for-core.js');
    await running.add(await startDashboardFor(core));
  }
  if (useConsole) {
    const member = { platform: 'console' as const, workspaceId: 'local', userId: userInfo().username || 'you' };
    await running.add(startConsole({ sink: core.bot, member, onClose: onConsoleClosed }));
  } else {
    await startPlatforms(core, running);
  }
  await running.add(heartbeat(core, running));
  if (!running.stopped) recoverQuestions(core, running.outlets());
}

/** Answers what a stop or crash left unanswered; questions a dead process still holds are looked at once its claims ran out. */
function recoverQuestions(core: Core, outlets: NonNullable<RunningAdapter['outlet']>[]): void {
  const chats = Object.fromEntries(outlets.map((outlet) => [outlet.platform, outlet.chat]));
  const { RECOVER_WINDOW_MINUTES: minutes, ANSWER_CLAIM_TTL_MS: ttl } = core.config;
  if (minutes > 0) core.bot.recover(chats, minutes * 60_000, ttl + 1_000);
}

async function startPlatforms(core: Core, running: Running): Promise<void> {
  const { config, bot, logger } = core;
  if (config.DISCORD_TOKEN && !running.stopped) {
    const { startDiscord } = await import('../adapters/discord/discord-adapter.js');
    await running.add(await startDiscord({ config, sink: bot, logger: logger.child({ adapter: 'discord' }) }));
  }
  if (config.SLACK_BOT_TOKEN && !running.stopped) {
    const { startSlack } = await import('../adapters/slack/slack-adapter.js');
    await running.add(await startSlack({ config, sink: bot, logger: logger.child({ adapter: 'slack' }) }));
  }
  if (!running.stopped) logger.info({ adapters: [config.DISCORD_TOKEN && 'discord', config.SLACK_BOT_TOKEN && 'slack'].filter(Boolean) }, 'persona-bot is running');
}

/** Beats while the bot runs, for `health`; taken away first at shutdown, since the bot is going. */
function heartbeat(core: Core, running: Running): Stoppable {
  const path = heartbeatPath(core.config.DATABASE_PATH);
  if (path === null) return { name: 'heartbeat', stop: async () => undefined };
  const beat = startHeartbeat({ path, intervalMs: core.config.HEARTBEAT_INTERVAL_MS, adapters: () => running.names(), logger: core.logger });
  return { name: 'heartbeat', quiesce: beat.stop, stop: beat.stop };
}

function alignmentJob(core: Core): Stoppable {
  const { config, aligner, logger } = core;
  const job = scheduleAlignment({
    aligner,
    cron: config.PERSONA_CRON,
    logger: logger.child({ job: 'alignment' }),
    maxMembers: config.ALIGN_MAX_MEMBERS_PER_RUN,
    runTimeoutMs: config.ALIGN_RUN_TIMEOUT_MS,
    yieldTo: () => core.queue.liveIdle(),
  });
  // Stopped first at shutdown, so the run ends before the model queue closes.
  const stop = once(() => job.stop());
  return { name: 'alignment', quiesce: stop, stop };
}

function once<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  let started: Promise<void> | null = null;
  return (...args) => (started ??= run(...args));
}
