import { best, GrowableArray } from './growable-array.js';
import { tokenize } from './tokenizer.js';

/** BM25 parameters, FTS5's defaults. */
const K1 = 1.2;
const B = 0.75;
/** FTS5 floors a term's IDF here, so terms in half the rows or more still count, barely. */
const MIN_IDF = 1e-6;
/** At most this many query terms are ranked: the member's rarest ones, which carry the ranking. */
export const MAX_QUERY_TERMS = 32;
const MAX_FREQUENCY = 0xffff;
/** Rough bytes of one distinct term (its string, map entry and postings array) and of one posting. */
const TERM_BYTES = 180;
const POSTING_BYTES = 20;

/**
 * One term's postings as one plain array, position and frequency interleaved, positions ascending:
 * most terms of a member have a posting or two, and a plain array costs far less than typed ones.
 */
class Postings {
  constructor(readonly entries: number[]) {}

  get length(): number {
    return this.entries.length / 2;
  }

  add(position: number, frequency: number): void {
    let at = this.entries.length;
    while (at > 0 && this.entries[at - 2]! > position) at -= 2;
    this.entries.splice(at, 0, position, Math.min(frequency, MAX_FREQUENCY));
  }

  /** The term's frequency in the document at `position`, 0 when it does not occur there. */
  frequencyAt(position: number): number {
    const at = this.indexOf(position);
    return this.entries[at] === position ? this.entries[at + 1]! : 0;
  }

  remove(position: number): void {
    const at = this.indexOf(position);
    if (this.entries[at] === position) this.entries.splice(at, 2);
  }

  /** Where `position` is or would go in `entries`. */
  private indexOf(position: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle * 2]! < position) low = middle + 1;
      else high = middle;
    }
    return low * 2;
  }
}

/**
 * One member's keyword index: BM25 with FTS5's formula over the member's own documents, so a
 * term's IDF comes from the member's history alone. Documents sit at positions in interaction id
 * order; ids only grow, so a new document goes at the end.
 */
export class KeywordIndex {
  private readonly ids = new GrowableArray(Float64Array);
  private readonly lengths = new GrowableArray(Uint32Array);
  private readonly live = new GrowableArray(Uint8Array);
  /** Each document's distinct term ids (a slice of `termPool`), so a changed or removed document leaves its old postings. */
  private readonly termPool = new GrowableArray(Uint32Array);
  private readonly termStart = new GrowableArray(Uint32Array);
  private readonly termCount = new GrowableArray(Uint32Array);
  private readonly termIds = new Map<string, number>();
  private postings: Postings[] = [];
  private documents = 0;
  private totalLength = 0;
  /** Postings held, counted as they change so the cache can ask for the size on every write. */
  private postingCount = 0;
  private scores = new Float64Array(0);

  /** An index of `documents`, given in ascending id order: each term's postings are allocated once. */
  static build(documents: Iterable<{ id: number; text: string }>): KeywordIndex {
    const index = new KeywordIndex();
    const stems = new Map<string, string>();
    for (const { id, text } of documents) {
      const position = index.append(id);
      for (const [termId, count] of index.count(position, text, stems)) {
        const postings = index.postings[termId];
        // A literal array is allocated at its size; a push onto an empty one reserves 17 slots.
        if (postings) postings.entries.push(position, Math.min(count, MAX_FREQUENCY));
        else index.postings[termId] = new Postings([position, Math.min(count, MAX_FREQUENCY)]);
        index.postingCount += 1;
      }
    }
    return index;
  }

  /** Sets the text of interaction `id` (adding it or replacing what it had). False when `id` would not be the newest. */
  put(id: number, text: string): boolean {
    const existing = this.positionOf(id);
    if (existing === -1 && this.ids.length > 0 && id < this.ids.get(this.ids.length - 1)) return false;
    const position = existing === -1 ? this.append(id) : existing;
    this.clear(position);
    for (const [termId, count] of this.count(position, text)) {
      const postings = this.postings[termId];
      if (postings) postings.add(position, count);
      else this.postings[termId] = new Postings([position, Math.min(count, MAX_FREQUENCY)]);
      this.postingCount += 1;
    }
    return true;
  }

  /** Removes interaction `id`, if present. */
  remove(id: number): void {
    const position = this.positionOf(id);
    if (position !== -1) this.clear(position);
  }

  /** True when interaction `id` is indexed. */
  has(id: number): boolean {
    const position = this.positionOf(id);
    return position !== -1 && this.live.get(position) === 1;
  }

  /** Number of documents indexed. */
  get size(): number {
    return this.documents;
  }

  /** The `depth` best interaction ids for `terms` (stemmed query terms), best first, among ids below `beforeId`. */
  search(terms: string[], depth: number, beforeId = Infinity): number[] {
    const limit = this.ids.lowerBound(beforeId);
    const chosen = this.rarest(terms);
    if (chosen.length === 0 || limit === 0) return [];
    if (this.scores.length < this.ids.length) this.scores = new Float64Array(this.ids.capacity);
    const scores = this.scores;
    const touched: number[] = [];
    const averageLength = Math.max(this.totalLength / this.documents, 1);
    const floored = chosen.filter((termId) => this.idf(termId) === MIN_IDF);
    for (const termId of chosen) if (!floored.includes(termId)) this.score(termId, limit, averageLength, touched);
    // Ties go to the older interaction, as FTS5's rowid order gives them.
    const better = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b);
    let ranked = best(touched, depth, better);
    // Terms in half the member's rows or more add at most MIN_IDF each: scanning their long postings
    // matters only for documents that such a sum can still lift into the top `depth`.
    if (floored.length > 0) {
      const reach = floored.length * MIN_IDF * (K1 + 1);
      const cut = ranked.length < depth ? -Infinity : scores[ranked[depth - 1]!]! - reach;
      const contenders = cut <= reach ? null : touched.filter((position) => scores[position]! >= cut);
      for (const termId of floored) this.score(termId, limit, averageLength, touched, contenders);
      ranked = best(contenders ?? touched, depth, better);
    }
    for (const position of touched) scores[position] = 0;
    return ranked.map((position) => this.ids.get(position));
  }

  /** Approximate bytes held, for the cache's budget: counted, not walked, so it costs nothing per write. */
  bytes(): number {
    const perDocument = this.ids.bytes() + this.lengths.bytes() + this.live.bytes() + this.termPool.bytes() + this.termStart.bytes() + this.termCount.bytes();
    // A posting is two array slots with room to grow; a term costs its string, map entry and array.
    return perDocument + this.scores.byteLength + this.postingCount * POSTING_BYTES + this.termIds.size * TERM_BYTES;
  }

  /** Query terms the member has used, rarest in their history first, at most MAX_QUERY_TERMS. */
  private rarest(terms: string[]): number[] {
    return terms
      .map((term) => this.termIds.get(term))
      .filter((termId): termId is number => termId !== undefined && (this.postings[termId]?.length ?? 0) > 0)
      .sort((a, b) => this.postings[a]!.length - this.postings[b]!.length)
      .slice(0, MAX_QUERY_TERMS);
  }

  /** Adds the term's BM25 to the documents it occurs in below `limit`, or only to `only` (looked up one by one). */
  private score(termId: number, limit: number, averageLength: number, touched: number[], only: number[] | null = null): void {
    const postings = this.postings[termId]!;
    const idf = this.idf(termId);
    if (only) {
      for (const position of only) {
        const frequency = postings.frequencyAt(position);
        if (frequency > 0) this.scores[position] = this.scores[position]! + this.bm25(idf, frequency, position, averageLength);
      }
      return;
    }
    const entries = postings.entries;
    const scores = this.scores;
    for (let i = 0; i < entries.length; i += 2) {
      const position = entries[i]!;
      if (position >= limit) break;
      if (scores[position] === 0) touched.push(position);
      scores[position] = scores[position]! + this.bm25(idf, entries[i + 1]!, position, averageLength);
    }
  }

  /** One term's BM25 in one document, FTS5's formula. */
  private bm25(idf: number, frequency: number, position: number, averageLength: number): number {
    const norm = K1 * (1 - B + (B * this.lengths.values[position]!) / averageLength);
    return (idf * frequency * (K1 + 1)) / (frequency + norm);
  }

  /** FTS5's IDF of a term, from the member's own documents. */
  private idf(termId: number): number {
    const hits = this.postings[termId]!.length;
    return Math.max(Math.log((this.documents - hits + 0.5) / (hits + 0.5)), MIN_IDF);
  }

  /** Tokenizes `text` as the document at `position`: records its length and term ids, returns each term's count. */
  private count(position: number, text: string, stems?: Map<string, string>): Map<number, number> {
    const tokens = tokenize(text, stems);
    const counts = new Map<number, number>();
    for (const token of tokens) {
      const termId = this.termId(token);
      counts.set(termId, (counts.get(termId) ?? 0) + 1);
    }
    this.termStart.set(position, this.termPool.length);
    this.termCount.set(position, counts.size);
    for (const termId of counts.keys()) this.termPool.push(termId);
    this.lengths.set(position, tokens.length);
    this.live.set(position, 1);
    this.totalLength += tokens.length;
    this.documents += 1;
    return counts;
  }

  private append(id: number): number {
    this.ids.push(id);
    this.lengths.push(0);
    this.live.push(0);
    this.termStart.push(0);
    this.termCount.push(0);
    return this.ids.length - 1;
  }

  private clear(position: number): void {
    if (this.live.get(position) !== 1) return;
    const start = this.termStart.get(position);
    for (let i = start; i < start + this.termCount.get(position); i += 1) this.postings[this.termPool.get(i)]!.remove(position);
    this.postingCount -= this.termCount.get(position);
    this.live.set(position, 0);
    this.totalLength -= this.lengths.get(position);
    this.documents -= 1;
  }

  private positionOf(id: number): number {
    const position = this.ids.lowerBound(id);
    return position < this.ids.length && this.ids.get(position) === id ? position : -1;
  }

  private termId(term: string): number {
    let termId = this.termIds.get(term);
    if (termId === undefined) {
      termId = this.termIds.size;
      this.termIds.set(term, termId);
    }
    return termId;
  }
}
