import type { Db } from './database.js';

/**
 * The step every deletion of a member's text ends with. With `secure_delete` on, a deleted row's
 * bytes are overwritten in the pages SQLite writes, but the WAL still holds the earlier copies of
 * those pages: a checkpoint moves the overwritten pages into the file and TRUNCATE empties the WAL.
 * Returns false when another connection's read kept the WAL from being emptied (the next checkpoint does it).
 */
export function eraseDeletedBytes(db: Db): boolean {
  if (db.memory) return true;
  try {
    const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    return checkpoint?.busy !== 1;
  } catch {
    // Locked (a transaction another caller opened is still running): the next checkpoint empties the WAL.
    return false;
  }
}
