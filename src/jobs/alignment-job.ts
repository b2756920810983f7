import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { formatReport, tally, type Aligner, type AlignmentReport } from '../core/alignment.js';

/** What the scheduled job needs. */
export interface AlignmentJobOptions {
  aligner: Pick<Aligner, 'run'>;
  /** A node-cron expression (PERSONA_CRON). */
  cron: string;
  logger: Logger;
  /** Members aligned per run at most (ALIGN_MAX_MEMBERS_PER_RUN). */
  maxMembers: number;
  /** A run still going after this long is cancelled; its unfinished members are picked up next time. */
  runTimeoutMs: number;
  /** Resolves when no member's question waits for the model; the run yields to them between members. */
  yieldTo?: () => Promise<void>;
}

/** The scheduled alignment job. */
export interface AlignmentJob {
  /** Runs now unless a run is going; returns the reports, or 'busy'. */
  runNow(): Promise<AlignmentReport[] | 'busy'>;
  /** Stops the schedule and cancels a run in progress (its live personas stay as they were). */
  stop(): Promise<void>;
}

/**
 * Rewrites due members' personas on a node-cron schedule. A tick that comes while a run is still
 * going does nothing: runs never overlap, whether started by the schedule or by `runNow`.
 */
export function scheduleAlignment(options: AlignmentJobOptions): AlignmentJob {
  const { aligner, logger } = options;
  let running: { done: Promise<AlignmentReport[]>; cancel: AbortController } | null = null;

  const runNow = async (): Promise<AlignmentReport[] | 'busy'> => {
    if (running) return 'busy';
    const cancel = new AbortController();
    const timer = setTimeout(() => cancel.abort(new Error(`the alignment run took longer than ${options.runTimeoutMs} ms`)), options.runTimeoutMs);
    timer.unref();
    const done = aligner.run({ limit: options.maxMembers, signal: cancel.signal, yieldTo: options.yieldTo });
    running = { done, cancel };
    try {
      return await done;
    } finally {
      clearTimeout(timer);
      running = null;
    }
  };

  const tick = async (): Promise<void> => {
    const started = Date.now();
    try {
      const reports = await runNow();
      if (reports === 'busy') {
        logger.warn('alignment run still going; this tick is skipped');
        return;
      }
      reports.forEach((report) => logger.debug(formatReport(report)));
      logger.info({ members: reports.length, ...tally(reports), ms: Date.now() - started }, 'alignment run finished');
    } catch (error) {
      logger.error({ err: error }, 'alignment run failed');
    }
  };

  const task: ScheduledTask = schedule(options.cron, tick, { name: 'persona-alignment', noOverlap: true });
  logger.info({ cron: options.cron, next: task.getNextRun()?.toISOString() }, 'alignment scheduled');

  return {
    runNow,
    async stop() {
      await task.stop();
      await task.destroy();
      if (running) {
        running.cancel.abort(new Error('shutting down'));
        await running.done.catch(() => undefined);
      }
    },
  };
}
