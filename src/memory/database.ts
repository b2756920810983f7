import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { databaseOpenError, prepareDatabasePath } from './database-path.js';
import { migrations, type Migration, type MigrationProgress } from './migrations.js';
import { progressBar } from './progress-bar.js';

/** A better-sqlite3 handle. */
export type Db = Database.Database;

/** How to open the database. */
export interface OpenOptions {
  /** How long to wait for another connection's write lock. */
  busyTimeoutMs?: number;
  /** Progress of a long migration; a bar on stderr by default. */
  onProgress?: MigrationProgress;
}

/** Page cache per connection (KiB): the member, interaction and vector pages one mention reads stay in memory. */
const PAGE_CACHE_KIB = 64 * 1024;
/** A WAL left larger than this after a checkpoint is truncated back to it. */
const WAL_SIZE_LIMIT_BYTES = 64 * 2 ** 20;

/** Opens (creating if needed) the database: WAL, foreign keys, secure delete, sqlite-vec loaded, migrations applied. */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  prepareDatabasePath(path);
  const db = openFile(path);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Deleted rows are overwritten with zeros, so forgetting a member reaches the bytes of the file.
  db.pragma('secure_delete = ON');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  // Another process (CLI while the bot runs) may hold the write lock briefly; wait instead of failing.
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  sqliteVec.load(db);
  applyMigrations(db, options.onProgress ?? progressBar('upgrading the memory layout'));
  return db;
}

/** Opens the file in WAL mode; the first statement reads it and creates the -wal, so an unusable file shows up here. */
function openFile(path: string): Db {
  let db: Db | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    return db;
  } catch (error) {
    db?.close();
    throw databaseOpenError(path, error);
  }
}

/** Applies every migration newer than the database, each in its own transaction. Returns the versions applied. */
export function applyMigrations(db: Db, onProgress: MigrationProgress = () => undefined, known: readonly Migration[] = migrations): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const migration of known) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      if (migration.sql) db.exec(migration.sql);
      migration.up?.(db, onProgress);
      record.run(migration.version, migration.name, new Date().toISOString());
    })();
    migration.after?.(db, onProgress);
    done.push(migration.version);
  }
  return done;
}
