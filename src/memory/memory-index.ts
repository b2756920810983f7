import type { Db } from './database.js';
import type { InteractionRecords } from './interaction-records.js';
import { KeywordIndex } from './keyword-index.js';
import { MemberIndexCache, type MemberIndex } from './member-index-cache.js';
import { MemoryGenerations } from './memory-generations.js';
import type { Statements } from './statements.js';
import { queryTerms } from './tokenizer.js';
import type { Transactions } from './transactions.js';
import { VectorIndex } from './vector-index.js';
import { VectorTable, type EmbeddingSpace } from './vector-table.js';

/** Reciprocal rank fusion constant (Cormack et al.): damps the weight of top ranks. */
const RRF_K = 60;
/** Each ranker contributes this many candidates per requested hit before fusion. */
const CANDIDATES_PER_HIT = 4;
/** int8 candidates re-ranked on float32 per vector hit wanted (recall@4 1.0 at 10k memories in the benchmark). */
const RERANK_PER_HIT = 2;
const MIN_RERANK = 32;

/** Settings of the in-process index cache. */
export interface MemoryIndexOptions {
  /** Bytes of members' indexes kept in process; 0 searches SQLite directly every time. */
  cacheBytes: number;
}

/**
 * Memory search, scoped by member: BM25 over the member's own texts and vector KNN over their
 * questions, fused by reciprocal rank. SQLite holds the record (texts in `interactions`, float32
 * vectors in `interaction_vectors`); each member's indexes are an in-process cache rebuilt from it on
 * demand and changed by the same calls that change SQLite. Every change raises the member's memory
 * generation in the same transaction; after another connection's commit, only the members whose
 * generation moved are rebuilt.
 */
export class MemoryIndex {
  private readonly vectorTable: VectorTable;
  private readonly cache: MemberIndexCache;
  private readonly generations: MemoryGenerations;
  private readonly dataVersion: () => number;
  private seenVersion: number;

  constructor(
    private readonly sql: Statements,
    private readonly transactions: Transactions,
    private readonly interactions: InteractionRecords,
    options: MemoryIndexOptions,
  ) {
    this.vectorTable = new VectorTable(sql);
    this.generations = new MemoryGenerations(sql);
    this.cache = new MemberIndexCache(options.cacheBytes, (memberId) => this.build(memberId));
    const version = sql.pluck('PRAGMA data_version');
    this.dataVersion = () => version.get() as number;
    this.seenVersion = this.dataVersion();
  }

  /** The embedding model and dimension the stored vectors were made with, if any. */
  embeddingSpace(): EmbeddingSpace | null {
    return this.vectorTable.embeddingSpace();
  }

  /** Refuses to mix embedding spaces: throws when the stored model differs from `model`. */
  checkEmbeddingModel(model: string, dimension: number | null = null): void {
    this.vectorTable.checkEmbeddingModel(model, dimension);
  }

  /** Stores a question's vector. */
  putVector(memberId: number, interactionId: number, vector: Float32Array, model: string): void {
    const apply = this.storeVector(memberId, interactionId, vector, model);
    this.changed(memberId, (index) => apply(index));
  }

  /** Sets an interaction's searchable text. */
  putText(memberId: number, interactionId: number, text: string): void {
    this.changed(memberId, (index) => index.keywords.put(interactionId, text));
  }

  /** Sets an interaction's searchable text and, when given, its question's vector: one change of the member's memory. */
  putMemory(memberId: number, interactionId: number, text: string, question?: { vector: Float32Array; model: string }): void {
    const apply = question && this.storeVector(memberId, interactionId, question.vector, question.model);
    this.changed(memberId, (index) => index.keywords.put(interactionId, text) && (apply?.(index) ?? true));
  }

  /** Drops every vector and forgets the embedding space (before a re-embed). */
  resetVectors(): void {
    this.transactions.run(() => {
      this.vectorTable.reset();
      this.generations.bumpAll();
    });
    this.transactions.onCommit(() => this.cache.clear());
  }

  /** Interactions (of anyone) that have no vector yet, oldest first. */
  interactionsWithoutVector(limit: number): Array<{ id: number; memberId: number; question: string }> {
    return this.vectorTable.withoutVector(limit);
  }

  /** Forgets a member's in-process indexes (their rows are gone from SQLite). */
  forgetMember(memberId: number): void {
    this.transactions.onCommit(() => this.cache.drop(memberId));
  }

  /** Takes one interaction out of its member's in-process indexes (its rows are being deleted). */
  forgetInteraction(memberId: number, interactionId: number): void {
    this.changed(memberId, (index) => {
      index.keywords.remove(interactionId);
      index.vectors?.remove(interactionId);
      return true;
    });
  }

  /** True when the member's keyword index holds interaction `id` (built from SQLite if not held). */
  hasText(memberId: number, interactionId: number): boolean {
    return this.indexOf(memberId).keywords.has(interactionId);
  }

  /** Bytes and members the cache holds, against its budget. */
  cacheStats(): { bytes: number; members: number; budgetBytes: number } {
    return this.cache.stats();
  }

  /**
   * Hybrid top-k: vector KNN and BM25, fused by reciprocal rank, strictly inside one member's rows.
   * `beforeId` hides that interaction and everything after it (no leakage when replaying history).
   */
  search(memberId: number, query: { text: string; vector?: Float32Array }, k: number, beforeId?: number): Array<{ id: number; score: number }> {
    const depth = k * CANDIDATES_PER_HIT;
    const index = this.indexOf(memberId);
    const rankings = [index.keywords.search(queryTerms(query.text), depth, beforeId)];
    if (query.vector) rankings.push(this.vectorRanking(memberId, index, query.vector, depth, beforeId));
    return fuseRankings(rankings, k);
  }

  /** The `depth` nearest interactions by cosine: int8 candidates from the member's index, re-ranked exactly by sqlite-vec. */
  private vectorRanking(memberId: number, index: MemberIndex, vector: Float32Array, depth: number, beforeId?: number): number[] {
    if (this.embeddingSpace()?.dimension !== vector.length) return [];
    if (this.cache.stats().budgetBytes === 0) return this.vectorTable.nearest(memberId, vector, depth, beforeId);
    const quantised = index.vectors && this.vectorTable.quantise(vector);
    if (!index.vectors || !quantised) return [];
    const candidates = index.vectors.nearest(quantised, Math.max(MIN_RERANK, depth * RERANK_PER_HIT), beforeId);
    return this.vectorTable.rerank(vector, candidates, depth);
  }

  /** Writes the vector to SQLite; the returned change brings a member's held indexes in step with it. */
  private storeVector(memberId: number, interactionId: number, vector: Float32Array, model: string): (index: MemberIndex) => boolean {
    const quantised = this.vectorTable.put(memberId, interactionId, vector, model);
    return (index) => {
      if (!quantised) index.vectors?.remove(interactionId);
      else (index.vectors ??= new VectorIndex(vector.length)).put(interactionId, quantised);
      return true;
    };
  }

  /**
   * Raises the member's generation with the change to SQLite, and applies `change` to their held
   * indexes once it commits: only if they held the generation just before it (else another
   * connection changed the member since they were built, and they are rebuilt on the next search).
   */
  private changed(memberId: number, change: (index: MemberIndex) => boolean): void {
    const generation = this.generations.bump(memberId);
    this.transactions.onCommit(() =>
      this.cache.update(memberId, (index) => {
        if (generation === undefined || index.generation !== generation - 1) return false;
        index.generation = generation;
        return change(index);
      }),
    );
  }

  /** The member's indexes, after dropping those another connection has changed since the last look. */
  private indexOf(memberId: number): MemberIndex {
    const version = this.dataVersion();
    if (version !== this.seenVersion) {
      this.seenVersion = version;
      this.dropChangedElsewhere();
    }
    // Built inside an open transaction, an index could hold rows that roll back: use it once, keep nothing.
    return this.cache.get(memberId, !this.transactions.open);
  }

  /** Drops every held member whose generation moved (or who was forgotten) in another connection's commit. */
  private dropChangedElsewhere(): void {
    const held = this.cache.held();
    if (held.length === 0) return;
    const current = this.generations.current(held.map((entry) => entry.memberId));
    for (const { memberId, generation } of held) if (current.get(memberId) !== generation) this.cache.drop(memberId);
  }

  private build(memberId: number): MemberIndex {
    // Read before the rows: a commit landing in between leaves an older generation, so a stale index is never taken for current.
    const generation = this.generations.of(memberId);
    const keywords = KeywordIndex.build(this.interactions.texts(memberId));
    const dimension = this.embeddingSpace()?.dimension ?? null;
    // Without a cache, vectors are searched in SQLite; only the keyword index is built, for this search.
    if (dimension === null || this.cache.stats().budgetBytes === 0) return { keywords, vectors: null, generation };
    const stored = this.vectorTable.quantisedOf(memberId, dimension);
    const vectors = new VectorIndex(dimension);
    stored.ids.forEach((id, at) => vectors.put(id, stored.vectors[at]!));
    return { keywords, vectors, generation };
  }
}

/** Reciprocal rank fusion of rankings (ids, best first): the `k` best ids with their fused scores, ties to the newest. */
export function fuseRankings(rankings: number[][], k: number): Array<{ id: number; score: number }> {
  const fused = new Map<number, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, rank) => fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + rank + 1)));
  }
  return [...fused.entries()]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || b.id - a.id)
    .slice(0, k);
}
