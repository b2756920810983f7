import type { Config } from './config.js';
import { heartbeatPath, readHeartbeat, STALE_AFTER_INTERVALS } from './jobs/heartbeat.js';
import { probeDatabase } from './memory/database-probe.js';
import type { Check } from './startup.js';

/**
 * `health`, the container's health probe: is the bot running here and able to reach its data?
 * Local and cheap (no model call, nothing written): the database opens read-only and the heartbeat
 * the running bot writes is fresh. Ollama has its own probe; `doctor` checks everything.
 */
export function healthChecks(config: Pick<Config, 'DATABASE_PATH'>, now = new Date()): Check[] {
  const path = heartbeatPath(config.DATABASE_PATH);
  if (path === null) return [{ ok: false, name: 'database', detail: 'an in-memory database (DATABASE_PATH=:memory:) cannot be checked from another process' }];
  return [databaseCheck(config.DATABASE_PATH), heartbeatCheck(path, now)];
}

function databaseCheck(databasePath: string): Check {
  try {
    const { schemaVersion } = probeDatabase(databasePath);
    return { ok: true, name: 'database', detail: `${databasePath} opens, schema version ${schemaVersion}` };
  } catch (error) {
    return { ok: false, name: 'database', detail: `${databasePath} does not open: ${(error as Error).message}` };
  }
}

function heartbeatCheck(path: string, now: Date): Check {
  const heartbeat = readHeartbeat(path);
  if (!heartbeat) return { ok: false, name: 'heartbeat', detail: `none at ${path}: the bot is not running, or has not finished starting` };
  const ageMs = now.getTime() - heartbeat.at.getTime();
  const limitMs = STALE_AFTER_INTERVALS * heartbeat.intervalMs;
  const running = heartbeat.adapters.length > 0 ? heartbeat.adapters.join(', ') : 'no adapter';
  const written = `written ${seconds(ageMs)} ago by pid ${heartbeat.pid} (${running})`;
  if (ageMs > limitMs) return { ok: false, name: 'heartbeat', detail: `${written}, more than ${seconds(limitMs)}: the bot has stopped or is stuck` };
  return { ok: true, name: 'heartbeat', detail: written };
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}
