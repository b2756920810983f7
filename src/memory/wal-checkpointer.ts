import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.js';

/** SQLite's default: checkpoint once the WAL holds this many pages (restored when the worker stops). */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/** The worker: its own connection, a passive checkpoint every interval (never blocking readers or writers). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or locked: the next tick tries again */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * WAL checkpoints on a worker thread with its own connection, so no commit on the request path
 * pays for copying the WAL back into the database. While it runs, the main connection never
 * checkpoints on commit; when it stops, automatic checkpoints come back.
 */
export class WalCheckpointer {
  private readonly exited: Promise<void>;
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly db: Db,
    private readonly worker: Worker | null,
  ) {
    this.exited = worker ? new Promise((resolve) => worker.once('exit', () => resolve())) : Promise.resolve();
  }

  /** Starts checkpointing `db` every `intervalMs`; an in-memory database needs none. */
  static start(db: Db, intervalMs: number): WalCheckpointer {
    if (db.memory) return new WalCheckpointer(db, null);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: db.name, driver, intervalMs } });
    worker.unref();
    db.pragma('wal_autocheckpoint = 0');
    return new WalCheckpointer(db, worker);
  }

  /** Stops the worker, gives checkpoints back to the main connection and checkpoints once. */
  stop(): Promise<void> {
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<void> {
    // Referenced again, so the process waits for the worker to close its connection.
    this.worker?.ref();
    this.worker?.postMessage('stop');
    await this.exited;
    if (!this.worker || !this.db.open) return;
    this.db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }
}
