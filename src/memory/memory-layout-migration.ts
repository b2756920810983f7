import type { Db } from './database.js';
import type { MigrationProgress } from './migrations.js';
import { quantizedSql } from './vector-table.js';

/** Rows between two progress reports. */
const REPORT_EVERY = 1_000;

/**
 * Migration 4. Vectors move from a `vec0` table, which preallocated a 1,024-vector chunk per member,
 * to a plain table of float32 blobs that sqlite-vec's functions read, each with its int8 quantisation
 * (which fills the page the float32 row leaves free); the FTS5 table goes, since
 * keyword search now ranks in process from the member's own texts. Every vector is kept.
 */
export function upgradeMemoryLayout(db: Db, onProgress: MigrationProgress): void {
  db.exec(`
    CREATE TABLE interaction_vectors_v4 (
      interaction_id INTEGER PRIMARY KEY REFERENCES interactions(id) ON DELETE CASCADE,
      member_id INTEGER NOT NULL,
      embedding BLOB NOT NULL,
      quantized BLOB
    )`);
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'interaction_vectors'").get()) copyVectors(db, onProgress);
  db.exec(`
    ALTER TABLE interaction_vectors_v4 RENAME TO interaction_vectors;
    CREATE INDEX interaction_vectors_member ON interaction_vectors (member_id, interaction_id);
    DROP TABLE IF EXISTS interaction_fts;
  `);
}

function copyVectors(db: Db, onProgress: MigrationProgress): void {
  const total = db.prepare('SELECT count(*) FROM interaction_vectors_rowids').pluck().get() as number;
  let done = 0;
  onProgress(0, total, 'copying vectors');
  db.function('layout_copy_progress', { deterministic: false }, (value: unknown) => {
    done += 1;
    if (done % REPORT_EVERY === 0) onProgress(done, total, 'copying vectors');
    return value;
  });
  db.exec(`
    INSERT INTO interaction_vectors_v4 (interaction_id, member_id, embedding, quantized)
    SELECT v.rowid, v.member_id, layout_copy_progress(v.embedding), ${quantizedSql('v.embedding')} FROM interaction_vectors v
    WHERE EXISTS (SELECT 1 FROM interactions i WHERE i.id = v.rowid);
    DROP TABLE interaction_vectors;
  `);
  onProgress(total, total, 'copying vectors');
}

/**
 * Rewrites the file once after the upgrade: the old layout's space goes back to the file system, and
 * no fragment of text deleted or rewritten before secure delete was on survives in free space.
 */
export function compactAfterLayoutUpgrade(db: Db, onProgress: MigrationProgress): void {
  if (db.memory || !db.prepare('SELECT 1 FROM interactions LIMIT 1').get()) return;
  const pages = db.pragma('page_count', { simple: true }) as number;
  onProgress(0, pages, 'compacting the database file');
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
  onProgress(pages, pages, 'compacting the database file');
}
