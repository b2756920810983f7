import type { Db } from './database.js';

/**
 * Transactions that keep in-process caches in step with SQLite: a cache change registered with
 * `onCommit` is applied when the outermost transaction commits and dropped when the work it
 * belonged to rolls back, so a cache never holds what SQLite does not.
 */
export class Transactions {
  private depth = 0;
  private readonly pending: Array<() => void> = [];

  constructor(private readonly db: Db) {}

  /** Runs `work` in one transaction (a savepoint when nested). */
  run<T>(work: () => T): T {
    const mark = this.pending.length;
    this.depth += 1;
    let result: T;
    try {
      result = this.db.transaction(work)();
    } catch (error) {
      this.pending.splice(mark);
      throw error;
    } finally {
      this.depth -= 1;
    }
    if (this.depth === 0) for (const apply of this.pending.splice(0)) apply();
    return result;
  }

  /** Applies `apply` once the current transaction commits, or at once outside one. */
  onCommit(apply: () => void): void {
    if (this.depth > 0) this.pending.push(apply);
    else apply();
  }

  /** True while any transaction is open on the connection (ours or not). */
  get open(): boolean {
    return this.db.inTransaction;
  }
}
