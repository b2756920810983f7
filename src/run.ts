import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import type { Logger } from 'pino';
import { startConsole } from '../adapters/console/console-adapter.js';
import type { Config } from './config.js';
import type { RunningAdapter } from './core/ports.js';
import { scheduleAlignment } from './jobs/alignment-job.js';
import { buildCore, createLogger, type Core } from './main.js';
import { assertReady } from './startup.js';

/** Something to stop at shutdown, in order. */
interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/** Starts the bot: checks Ollama, starts the configured adapters (or the console), and the schedule. Resolves at shutdown. */
export async function runBot(config: Config, options: { forceConsole?: boolean } = {}): Promise<number> {
  const useConsole = options.forceConsole === true || (!config.DISCORD_TOKEN && !config.SLACK_BOT_TOKEN);
  // In the console chat, logs go to a file so they do not interleave with the conversation.
  const logger = createLogger(config.LOG_LEVEL, useConsole ? join(dirname(config.DATABASE_PATH), 'persona-bot.log') : 2);
  const core = buildCore(config, logger);
  try {
    await assertReady(core);
  } catch (error) {
    core.close();
    throw error;
  }
  const running: Stoppable[] = [];
  const finished = new Promise<number>((resolve) => {
    const shutdown = once(async (signal: string) => {
      logger.info({ signal }, 'shutting down');
      await stopAll(core, running, logger);
      resolve(0);
    });
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    void startAdapters(core, useConsole, () => void shutdown('console closed'))
      .then((adapters) => {
        // The schedule stops first at shutdown, so no rewrite starts while adapters drain.
        running.push(alignmentJob(core), ...adapters);
      })
      .catch(async (error: unknown) => {
        logger.error({ err: error }, 'start-up failed');
        console.error(error instanceof Error ? error.message : error);
        await stopAll(core, running, logger);
        resolve(1);
      });
  });
  return finished;
}

async function startAdapters(core: Core, useConsole: boolean, onConsoleClosed: () => void): Promise<RunningAdapter[]> {
  const { config, bot, logger } = core;
  const adapters: RunningAdapter[] = [];
  if (useConsole) {
    const member = { platform: 'console' as const, workspaceId: 'local', userId: userInfo().username || 'you' };
    adapters.push(startConsole({ sink: bot, member, onClose: onConsoleClosed }));
    return adapters;
  }
  if (config.DISCORD_TOKEN) {
    const { startDiscord } = await import('../adapters/discord/discord-adapter.js');
    adapters.push(await startDiscord({ config, sink: bot, logger: logger.child({ adapter: 'discord' }) }));
  }
  if (config.SLACK_BOT_TOKEN) {
    const { startSlack } = await import('../adapters/slack/slack-adapter.js');
    adapters.push(await startSlack({ config, sink: bot, logger: logger.child({ adapter: 'slack' }) }));
  }
  logger.info({ adapters: adapters.map((adapter) => adapter.name) }, 'persona-bot is running');
  return adapters;
}

function alignmentJob(core: Core): Stoppable {
  const { config, aligner, logger } = core;
  const job = scheduleAlignment({
    aligner,
    cron: config.PERSONA_CRON,
    logger: logger.child({ job: 'alignment' }),
    maxMembers: config.ALIGN_MAX_MEMBERS_PER_RUN,
    runTimeoutMs: config.ALIGN_RUN_TIMEOUT_MS,
  });
  return { name: 'alignment', stop: () => job.stop() };
}

async function stopAll(core: Core, running: Stoppable[], logger: Logger): Promise<void> {
  await Promise.allSettled(running.map((item) => item.stop().catch((error: unknown) => logger.warn({ err: error, name: item.name }, 'stop failed'))));
  await core.bot.drain(core.config.SHUTDOWN_GRACE_MS);
  core.close();
  logger.flush();
}

function once<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  let started: Promise<void> | null = null;
  return (...args) => (started ??= run(...args));
}
