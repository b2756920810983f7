/**
 * The memory index as it was before the in-process layout (vec0 partitions + FTS5), kept verbatim as
 * the benchmark's baseline. Not used by the bot.
 */
import { EmbeddingMismatchError } from '../../src/shared/errors.js';
import type { Db } from '../../src/memory/database.js';
import { fuseRankings } from '../../src/memory/memory-index.js';

/** Each ranker contributes this many candidates per requested hit before fusion. */
const CANDIDATES_PER_HIT = 4;
/** Words too common to rank by; dropping them keeps keyword search fast and its ranking meaningful. */
const STOPWORDS = new Set(
  'a an and are as at be but by can do does for from had has have he her his how i if in is it its me my no not of on or our she so that the their them then there they this to was we were what when where which who why will with would you your'.split(' '),
);

/** Vector (sqlite-vec) and full-text (FTS5) indexes over interactions, both scoped by member. */
export class LegacyMemoryIndex {
  private vectorDimension: number | null;

  constructor(private readonly db: Db) {
    this.vectorDimension = this.readMeta('embed_dim') === null ? null : Number(this.readMeta('embed_dim'));
  }

  /** The embedding model and dimension the stored vectors were made with, if any. */
  embeddingSpace(): { model: string; dimension: number | null } | null {
    const model = this.readMeta('embed_model');
    return model === null ? null : { model, dimension: this.vectorDimension };
  }

  /** Refuses to mix embedding spaces: throws when the stored model differs from `model`. */
  checkEmbeddingModel(model: string, dimension: number | null = null): void {
    const stored = this.embeddingSpace();
    if (stored === null) return;
    const dimensionDiffers = dimension !== null && stored.dimension !== null && dimension !== stored.dimension;
    if (stored.model !== model || dimensionDiffers) throw new EmbeddingMismatchError(stored, { model, dimension });
  }

  /** Stores a question's vector, creating the vec0 table from the first vector's dimension. */
  putVector(memberId: number, interactionId: number, vector: Float32Array, model: string): void {
    this.checkEmbeddingModel(model, vector.length);
    if (this.vectorDimension === null) this.createVectorTable(vector.length, model);
    this.db.prepare('DELETE FROM interaction_vectors WHERE rowid = ?').run(BigInt(interactionId));
    this.db
      .prepare('INSERT INTO interaction_vectors (rowid, member_id, embedding, seq) VALUES (?, ?, ?, ?)')
      .run(BigInt(interactionId), BigInt(memberId), vector, BigInt(interactionId));
  }

  /** Drops every vector and forgets the embedding space (before a re-embed). */
  resetVectors(): void {
    this.db.transaction(() => {
      this.db.exec('DROP TABLE IF EXISTS interaction_vectors');
      this.db.prepare("DELETE FROM meta WHERE key IN ('embed_model', 'embed_dim')").run();
    })();
    this.vectorDimension = null;
  }

  /** Ids of a member's interactions (or everyone's) that have no vector yet. */
  interactionsWithoutVector(limit: number): Array<{ id: number; memberId: number; question: string }> {
    const filter = this.vectorDimension === null ? '' : 'WHERE id NOT IN (SELECT rowid FROM interaction_vectors)';
    return this.db
      .prepare(`SELECT id, member_id AS memberId, question FROM interactions ${filter} ORDER BY id LIMIT ?`)
      .all(limit) as Array<{ id: number; memberId: number; question: string }>;
  }

  /** (Re)indexes an interaction's text for full-text search. */
  putText(memberId: number, interactionId: number, body: string): void {
    this.db.prepare('DELETE FROM interaction_fts WHERE rowid = ?').run(interactionId);
    this.db.prepare('INSERT INTO interaction_fts (rowid, member, body) VALUES (?, ?, ?)').run(interactionId, memberTag(memberId), body);
  }

  /** Removes an interaction from both indexes. */
  remove(interactionIds: number[]): void {
    const deleteText = this.db.prepare('DELETE FROM interaction_fts WHERE rowid = ?');
    const deleteVector = this.vectorDimension === null ? null : this.db.prepare('DELETE FROM interaction_vectors WHERE rowid = ?');
    for (const id of interactionIds) {
      deleteText.run(id);
      deleteVector?.run(BigInt(id));
    }
  }

  /**
   * Hybrid top-k: vector KNN and BM25, fused by reciprocal rank, strictly inside one member's rows.
   * `beforeId` hides that interaction and everything after it (no leakage when replaying history).
   */
  search(memberId: number, query: { text: string; vector?: Float32Array }, k: number, beforeId?: number): Array<{ id: number; score: number }> {
    const depth = k * CANDIDATES_PER_HIT;
    const rankings = [this.keywordRanking(memberId, query.text, depth, beforeId)];
    if (query.vector && this.vectorDimension === query.vector.length) rankings.push(this.vectorRanking(memberId, query.vector, depth, beforeId));
    return fuseRankings(rankings, k);
  }

  private vectorRanking(memberId: number, vector: Float32Array, depth: number, beforeId?: number): number[] {
    const sql = `SELECT rowid FROM interaction_vectors WHERE embedding MATCH ? AND k = ? AND member_id = ?${beforeId === undefined ? '' : ' AND seq < ?'} ORDER BY distance`;
    const params: unknown[] = [vector, depth, BigInt(memberId)];
    if (beforeId !== undefined) params.push(BigInt(beforeId));
    return (this.db.prepare(sql).pluck().all(...params) as Array<number | bigint>).map(Number);
  }

  private keywordRanking(memberId: number, text: string, depth: number, beforeId?: number): number[] {
    const terms = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [])].filter((term) => !STOPWORDS.has(term)).slice(0, 32);
    if (terms.length === 0) return [];
    const match = `member : "${memberTag(memberId)}" AND body : (${terms.map((term) => `"${term}"`).join(' OR ')})`;
    const sql = `SELECT rowid FROM interaction_fts WHERE interaction_fts MATCH ?${beforeId === undefined ? '' : ' AND rowid < ?'} ORDER BY rank LIMIT ?`;
    const params: unknown[] = beforeId === undefined ? [match, depth] : [match, beforeId, depth];
    return this.db.prepare(sql).pluck().all(...params) as number[];
  }

  private createVectorTable(dimension: number, model: string): void {
    this.db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS interaction_vectors USING vec0(member_id integer partition key, embedding float[${dimension}] distance_metric=cosine, seq integer)`,
    );
    this.writeMeta('embed_model', model);
    this.writeMeta('embed_dim', String(dimension));
    this.vectorDimension = dimension;
  }

  private readMeta(key: string): string | null {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  }

  private writeMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}

function memberTag(memberId: number): string {
  return `m${memberId}`;
}
