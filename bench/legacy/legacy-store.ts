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
    const id = this.recordQuestion(memberId, messageId, question);
    this.recordAnswer(memberId, id, question, answer, vector);
    return id;
  }

  /** The question's row and its keyword entry, each statement autocommitted, as the old store wrote them before calling the model. */
  recordQuestion(memberId: number, messageId: string, question: string): number {
    const id = Number(
      this.db
        .prepare('INSERT INTO interactions (member_id, channel_id, conversation_id, question, question_message_id, asked_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(memberId, 'c', messageId, question, messageId, new Date().toISOString()).lastInsertRowid,
    );
    this.index.putText(memberId, id, question);
    return id;
  }

  /** The answer, its keyword entry and the question's vector, as the old store wrote them once the model answered. */
  recordAnswer(memberId: number, id: number, question: string, answer: string, vector: Float32Array): void {
    this.db.prepare('UPDATE interactions SET answer = ?, answered_at = ? WHERE id = ?').run(answer, new Date().toISOString(), id);
    this.index.putText(memberId, id, `${question}\n${answer}`);
    this.index.putVector(memberId, id, vector, 'bench-embed');
  }

  /** The member's id and live persona, read as the old store read them for each mention. */
  memberAndPersona(userId: string): { memberId: number; persona: string } {
    const memberId = this.db.prepare("SELECT id FROM members WHERE platform = 'discord' AND workspace_id = 'bench' AND user_id = ?").pluck().get(userId) as number;
    const persona = this.db.prepare('SELECT text FROM persona_versions WHERE member_id = ? ORDER BY id DESC LIMIT 1').pluck().get(memberId) as string;
    return { memberId, persona };
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
