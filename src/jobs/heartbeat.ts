import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { z } from 'zod';

/** What the running bot writes every HEARTBEAT_INTERVAL_MS; `health` reads it. */
export interface Heartbeat {
  /** When it was written. */
  at: Date;
  pid: number;
  /** How often the writer beats, so a reader judges freshness by the writer's own pace. */
  intervalMs: number;
  /** What is running: `console`, `discord`, `slack`. */
  adapters: string[];
}

/** A beat older than this many intervals means the bot has stopped or its event loop is stuck. */
export const STALE_AFTER_INTERVALS = 3;

/** The heartbeat file beside the database (`<DATABASE_PATH>.heartbeat`); none for an in-memory database. */
export function heartbeatPath(databasePath: string): string | null {
  return databasePath === ':memory:' ? null : `${databasePath}.heartbeat`;
}

/** What `startHeartbeat` needs. */
export interface HeartbeatOptions {
  path: string;
  intervalMs: number;
  /** Read at every beat: what is running now. */
  adapters: () => string[];
  logger: Logger;
  now?: () => Date;
}

/**
 * Writes the heartbeat now and every `intervalMs` (replacing the file whole, so a reader never sees
 * half of it). A failed write is logged and tried again at the next beat; stopping removes the file.
 */
export function startHeartbeat(options: HeartbeatOptions): { stop(): Promise<void> } {
  const { path, intervalMs, logger } = options;
  const beat = () => {
    const heartbeat = { at: (options.now?.() ?? new Date()).toISOString(), pid: process.pid, intervalMs, adapters: options.adapters() };
    try {
      writeFileSync(`${path}.tmp`, `${JSON.stringify(heartbeat)}\n`);
      renameSync(`${path}.tmp`, path);
    } catch (error) {
      logger.warn({ err: error, path }, 'heartbeat not written');
    }
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      rmSync(path, { force: true });
    },
  };
}

const heartbeatFile = z.object({
  at: z.iso.datetime().transform((text) => new Date(text)),
  pid: z.number().int(),
  intervalMs: z.number().positive(),
  adapters: z.array(z.string()),
});

/** The heartbeat at `path`, or null when there is none or it cannot be read as one. */
export function readHeartbeat(path: string): Heartbeat | null {
  try {
    const parsed = heartbeatFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
