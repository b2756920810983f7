import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { databaseOpenError, prepareDatabasePath } from './database-path.js';
import { migrations } from './migrations.js';

/** A better-sqlite3 handle. */
export type Db = Database.Database;

/** Opens (creating if needed) the database: WAL, foreign keys, sqlite-vec loaded, migrations applied. */
export function openDatabase(path: string, options: { busyTimeoutMs?: number } = {}): Db {
  prepareDatabasePath(path);
  const db = openFile(path);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Another process (CLI while the bot runs) may hold the write lock briefly; wait instead of failing.
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  sqliteVec.load(db);
  applyMigrations(db);
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
export function applyMigrations(db: Db): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    })();
    done.push(migration.version);
  }
  return done;
}
