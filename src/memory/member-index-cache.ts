import { KeywordIndex } from './keyword-index.js';
import type { VectorIndex } from './vector-index.js';

/** One member's in-process indexes: keywords always, vectors once the member has any. */
export interface MemberIndex {
  keywords: KeywordIndex;
  vectors: VectorIndex | null;
  /** The member's memory generation (members.memory_generation) these indexes hold. */
  generation: number;
}

/** Bytes a member's indexes hold. */
export function memberIndexBytes(index: MemberIndex): number {
  return index.keywords.bytes() + (index.vectors?.bytes() ?? 0) + 256;
}

/**
 * Members' in-process indexes, least recently used dropped first once they hold more than
 * `budgetBytes`. Everything here is rebuilt from SQLite by `load`; a budget of 0 keeps nothing.
 */
export class MemberIndexCache {
  private readonly entries = new Map<number, { index: MemberIndex; bytes: number }>();
  private used = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly load: (memberId: number) => MemberIndex,
  ) {}

  /** The member's indexes, built from SQLite when not held; `keep: false` builds without keeping. */
  get(memberId: number, keep = true): MemberIndex {
    const entry = this.entries.get(memberId);
    if (entry) {
      this.entries.delete(memberId);
      this.entries.set(memberId, entry);
      return entry.index;
    }
    const index = this.load(memberId);
    if (keep && this.budgetBytes > 0) {
      const bytes = memberIndexBytes(index);
      this.entries.set(memberId, { index, bytes });
      this.used += bytes;
      this.evict(memberId);
    }
    return index;
  }

  /** The member's indexes if held, without building them (a write to a member not held needs nothing). */
  peek(memberId: number): MemberIndex | undefined {
    return this.entries.get(memberId)?.index;
  }

  /** Applies a change to a held member's indexes and re-counts their bytes. */
  update(memberId: number, change: (index: MemberIndex) => boolean): void {
    const entry = this.entries.get(memberId);
    if (!entry) return;
    if (!change(entry.index)) return this.drop(memberId);
    const bytes = memberIndexBytes(entry.index);
    this.used += bytes - entry.bytes;
    entry.bytes = bytes;
    this.evict(memberId);
  }

  /** Drops one member's indexes. */
  drop(memberId: number): void {
    const entry = this.entries.get(memberId);
    if (!entry) return;
    this.entries.delete(memberId);
    this.used -= entry.bytes;
  }

  /** Each held member with the generation of their indexes. */
  held(): Array<{ memberId: number; generation: number }> {
    return [...this.entries].map(([memberId, entry]) => ({ memberId, generation: entry.index.generation }));
  }

  /** Drops every member's indexes. */
  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  /** Bytes held and members held. */
  stats(): { bytes: number; members: number; budgetBytes: number } {
    return { bytes: this.used, members: this.entries.size, budgetBytes: this.budgetBytes };
  }

  private evict(keep: number): void {
    for (const [memberId] of this.entries) {
      if (this.used <= this.budgetBytes) return;
      if (memberId !== keep) this.drop(memberId);
    }
  }
}
