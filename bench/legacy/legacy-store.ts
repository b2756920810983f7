import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { applyMigrations, type Db } from '../../src/memory/database.js';
import { migrations } from '../../src/memory/migrations.js';
import { interactionColumns, toInteraction, type InteractionRow } from '../../src/memory/row-mapping.js';
import type { InteractionRecord } from '../../src/memory/records.js';
import { LegacyMemoryIndex } from './legacy-memory-index.js';

/**
 * The writes and the search of the store as they were before the in-process layout (schema 1 and 2,
 * statements prepared on every call, vec0 + FTS5 written with each change): the benchmark's baseline.
 */
export class LegacyStore {
  readonly index: LegacyMemoryIndex;

  constructor(readonly db: Db) {
    this.index = new LegacyMemoryIndex(db);
  }

  /** Opens a database in the old layout. */
  static open(path: string): LegacyStore {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    sqliteVec.load(db);
    applyMigrations(db, () => undefined, migrations.filter((migration) => migration.version <= 2));
    return new LegacyStore(db);
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** Creates a member. */
  addMember(userId: string): number {
    return Number(this.db.prepare("INSERT INTO members (platform, workspace_id, user_id, created_at) VALUES ('discord', 'bench', ?, ?)").run(userId, new Date().toISOString()).lastInsertRowid);
  }

  /** Question, answer and vector, written as the old store did. */
  remember(memberId: number, messageId: string, question: string, answer: string, vector: Float32Array): number {
    const at = new Date().toISOString();
    const id = Number(
      this.db
        .prepare('INSERT INTO interactions (member_id, channel_id, conversation_id, question, question_message_id, asked_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(memberId, 'c', messageId, question, messageId, at).lastInsertRowid,
    );
    this.index.putText(memberId, id, question);
    this.db.prepare('UPDATE interactions SET answer = ?, answered_at = ? WHERE id = ?').run(answer, at, id);
    this.index.putText(memberId, id, `${question}\n${answer}`);
    this.index.putVector(memberId, id, vector, 'bench-embed');
    return id;
  }

  /** Adds a persona version, as the first contact does. */
  addPersona(memberId: number, text: string): void {
    this.db.prepare("INSERT INTO persona_versions (member_id, text, reason, created_at) VALUES (?, ?, 'init', ?)").run(memberId, text, new Date().toISOString());
  }

  /** The old hybrid search, with each hit read back as the old store did. */
  searchMemory(memberId: number, query: { text: string; vector?: Float32Array }, k: number): InteractionRecord[] {
    return this.index.search(memberId, query, k).flatMap((hit) => {
      const row = this.db.prepare(`SELECT ${interactionColumns} FROM interactions i WHERE i.id = ?`).get(hit.id) as InteractionRow | undefined;
      return row ? [toInteraction(row)] : [];
    });
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
