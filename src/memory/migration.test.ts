import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashedEmbedding } from '../../test/fakes/hashed-embedding.js';
import { reembedAll } from '../core/maintenance.js';
import type { LanguageModel } from '../core/ports.js';
import { applyMigrations } from './database.js';
import { migrations } from './migrations.js';
import { Store } from './store.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'migration-test-'));
  path = join(dir, 'old.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const questions = ['how do I brew lapsang souchong', 'which chess opening suits me', 'where can I go gliding', 'a marmalade recipe please'];

/** A database as the bot wrote it with schema versions 1 and 2: vectors in a vec0 table, text in FTS5. */
function writeOldDatabase(): Map<number, Buffer> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  sqliteVec.load(db);
  applyMigrations(db, () => undefined, migrations.filter((migration) => migration.version <= 2));
  db.exec('CREATE VIRTUAL TABLE interaction_vectors USING vec0(member_id integer partition key, embedding float[64] distance_metric=cosine, seq integer)');
  db.exec("INSERT INTO meta (key, value) VALUES ('embed_model', 'embed-test'), ('embed_dim', '64')");
  const vectors = new Map<number, Buffer>();
  for (const [m, userId] of ['alice', 'bob'].entries()) {
    const memberId = Number(db.prepare("INSERT INTO members (platform, workspace_id, user_id, created_at) VALUES ('discord', 'g', ?, '2026-01-01')").run(userId).lastInsertRowid);
    questions.forEach((question, i) => {
      const text = `${question} (${userId})`;
      const id = Number(
        db.prepare("INSERT INTO interactions (member_id, channel_id, conversation_id, question, question_message_id, answer, asked_at) VALUES (?, 'c', ?, ?, ?, 'an answer', '2026-01-01')")
          .run(memberId, `${m}-${i}`, text, `${m}-${i}`).lastInsertRowid,
      );
      db.prepare('INSERT INTO interaction_fts (rowid, member, body) VALUES (?, ?, ?)').run(id, `m${memberId}`, `${text}\nan answer`);
      const vector = Buffer.from(Float32Array.from(hashedEmbedding(text)).buffer);
      db.prepare('INSERT INTO interaction_vectors (rowid, member_id, embedding, seq) VALUES (?, ?, ?, ?)').run(BigInt(id), BigInt(memberId), vector, BigInt(id));
      vectors.set(id, vector);
    });
  }
  db.close();
  return vectors;
}

describe('migration 4: the memory layout', () => {
  it('moves every vector out of vec0, drops FTS5, keeps every row, and search and reembed work on the result', async () => {
    const vectors = writeOldDatabase();
    const reports: Array<[number, number, string | undefined]> = [];
    const store = Store.open(path, { onProgress: (done, total, step) => reports.push([done, total, step]) });
    try {
      const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).not.toContain('interaction_fts');
      expect(tables.filter((name) => String(name).startsWith('interaction_vectors'))).toEqual(['interaction_vectors']);
      const moved = store.db.prepare('SELECT interaction_id, embedding FROM interaction_vectors ORDER BY interaction_id').raw().all() as Array<[number, Buffer]>;
      expect(new Map(moved)).toEqual(vectors);
      expect(store.db.prepare('SELECT count(*) FROM interactions').pluck().get()).toBe(2 * questions.length);
      expect(reports).toContainEqual([vectors.size, vectors.size, 'copying vectors']);

      const alice = store.findMember({ platform: 'discord', workspaceId: 'g', userId: 'alice' })!;
      const query = 'gliding';
      const hits = store.searchMemory(alice, { text: query, vector: Float32Array.from(hashedEmbedding(query)) }, 4);
      expect(hits[0]?.interaction.question).toBe('where can I go gliding (alice)');
      expect(hits.every((hit) => hit.interaction.memberId === alice)).toBe(true);

      const model = { embed: (texts: string[]) => Promise.resolve(texts.map((text) => Float32Array.from(hashedEmbedding(text, 32)))) } as unknown as LanguageModel;
      expect(await reembedAll(store, model, 'embed-small')).toBe(2 * questions.length);
      expect(store.index.embeddingSpace()).toEqual({ model: 'embed-small', dimension: 32 });
      const again = store.searchMemory(alice, { text: 'souchong', vector: Float32Array.from(hashedEmbedding('lapsang souchong', 32)) }, 1);
      expect(again[0]?.interaction.question).toBe('how do I brew lapsang souchong (alice)');
    } finally {
      store.close();
    }
  });

  it('upgrades a database whose vectors were never created', () => {
    const db = new Database(path);
    applyMigrations(db, () => undefined, migrations.filter((migration) => migration.version <= 2));
    db.close();
    const store = Store.open(path);
    expect(store.db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(Math.max(...migrations.map((migration) => migration.version)));
    store.close();
  });
});
