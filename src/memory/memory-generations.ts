import type { Statements } from './statements.js';

/**
 * `members.memory_generation`: a count of the changes to each member's searchable memory, raised
 * in the transaction of every change. A process's in-process index of a member is good while it
 * holds the member's current generation, so another process's commit invalidates only the members
 * it changed.
 */
export class MemoryGenerations {
  constructor(private readonly sql: Statements) {}

  /** Raises the member's generation; the new value, or undefined when the member is gone. */
  bump(memberId: number): number | undefined {
    return this.sql.pluck('UPDATE members SET memory_generation = memory_generation + 1 WHERE id = ? RETURNING memory_generation').get(memberId) as number | undefined;
  }

  /** Raises every member's generation (every vector was dropped). */
  bumpAll(): void {
    this.sql.get('UPDATE members SET memory_generation = memory_generation + 1').run();
  }

  /** The member's generation (0 for a member the bot no longer has). */
  of(memberId: number): number {
    return (this.sql.pluck('SELECT memory_generation FROM members WHERE id = ?').get(memberId) as number | undefined) ?? 0;
  }

  /** The current generation of each of these members that still exists. */
  current(memberIds: number[]): Map<number, number> {
    const rows = this.sql.get('SELECT id, memory_generation FROM members WHERE id IN (SELECT value FROM json_each(?))').raw().all(JSON.stringify(memberIds)) as Array<[number, number]>;
    return new Map(rows);
  }
}
