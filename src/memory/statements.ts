import type Database from 'better-sqlite3';
import type { Db } from './database.js';

/** A prepared statement of this connection. */
export type Statement = Database.Statement;

/**
 * Prepared statements compiled once per connection and reused: preparing costs more than running
 * most of our queries. `pluck` statements are kept apart because plucking is a mode of the statement.
 */
export class Statements {
  private readonly cache = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  /** The statement for `sql`, returning rows as objects. */
  get(sql: string): Statement {
    return this.cached(sql, false);
  }

  /** The statement for `sql`, returning each row's first column. */
  pluck(sql: string): Statement {
    return this.cached(sql, true);
  }

  /** Forgets every statement (after a table they read was dropped or replaced). */
  clear(): void {
    this.cache.clear();
  }

  private cached(sql: string, pluck: boolean): Statement {
    const key = pluck ? `pluck:${sql}` : sql;
    let statement = this.cache.get(key);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (pluck) statement.pluck();
      this.cache.set(key, statement);
    }
    return statement;
  }
}
