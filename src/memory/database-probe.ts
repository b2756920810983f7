import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens the database read-only, creating and migrating nothing, and reads its schema version: a
 * cheap proof that the file is there and readable while the bot runs. Throws with the reason otherwise.
 */
export function probeDatabase(path: string): { schemaVersion: number } {
  const stat = statSync(resolve(path), { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new Error(`${resolve(path)} is a directory, not a database file`);
  if (!stat) throw new Error(`there is no database file at ${resolve(path)} (the bot creates it at its first start)`);
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 2_000 });
  try {
    const version = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null;
    return { schemaVersion: version ?? 0 };
  } finally {
    db.close();
  }
}
