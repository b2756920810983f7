import type { MemberKey } from '../shared/member-key.js';
import type { Db } from './database.js';

/** A stored row as plain JSON: binary columns (question vectors) as base64 of their stored bytes. */
export type ExportedRow = Record<string, string | number | null>;

/**
 * Tables that name a member by platform key rather than by id, and the condition that finds the
 * member's rows in them: the standing instructions a member set as an admin.
 */
const keyedByPlatformUser: Record<string, string> = {
  channel_instructions: 'platform = @platform AND workspace_id = @workspace AND set_by = @user',
};

interface ForeignKey {
  table: string;
  from: string;
  to: string | null;
}

/**
 * Every stored row about one member, table by table, read from the schema rather than a fixed
 * list: the member's own row, rows that reference it, rows that reference those (answer messages,
 * vectors and stored persona answers hang on interactions and persona versions), and rows that name
 * the member by platform key. Rows that also reference another member's rows are left out.
 */
export function memberRows(db: Db, memberId: number, key: MemberKey): Record<string, ExportedRow[]> {
  const scopes = memberScopes(db);
  const params = { member: memberId, platform: key.platform, workspace: key.workspaceId, user: key.userId };
  const out: Record<string, ExportedRow[]> = {};
  for (const [table, where] of scopes) {
    const rows = db.prepare(`SELECT * FROM "${table}" WHERE ${where} ORDER BY ${primaryKey(db, table)}`).all(params) as Array<Record<string, unknown>>;
    if (rows.length > 0) out[table] = rows.map(plainRow);
  }
  return out;
}

/** The condition selecting one member's rows, for each table that holds any (`@member`, `@platform`, …). */
function memberScopes(db: Db): Map<string, string> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'").pluck().all() as string[];
  const scopes = new Map<string, string>([['members', 'id = @member']]);
  // Each pass scopes the tables whose references lead to tables already scoped (members → interactions → answer messages …).
  for (let grew = true; grew; ) {
    grew = false;
    for (const table of tables) {
      if (scopes.has(table)) continue;
      const where = keyedByPlatformUser[table] ?? scopeThroughReferences(db, table, scopes);
      if (where) {
        scopes.set(table, where);
        grew = true;
      }
    }
  }
  return scopes;
}

/** Rows whose every reference to scoped tables points at the member's rows (and at least one does). */
function scopeThroughReferences(db: Db, table: string, scopes: Map<string, string>): string | null {
  const keys = (db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as ForeignKey[]).filter((fk) => scopes.has(fk.table));
  if (keys.length === 0) return null;
  const refs = keys.map((fk) => `("${fk.from}" IS NULL OR "${fk.from}" IN (SELECT ${fk.to ? `"${fk.to}"` : primaryKey(db, fk.table)} FROM "${fk.table}" WHERE ${scopes.get(fk.table)}))`);
  return `${refs.join(' AND ')} AND coalesce(${keys.map((fk) => `"${fk.from}"`).join(', ')}, NULL) IS NOT NULL`;
}

/** The table's primary key columns, in key order (`rowid` when it declares none). */
function primaryKey(db: Db, table: string): string {
  const columns = (db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string; pk: number }>).filter((column) => column.pk > 0);
  return columns.length === 0 ? 'rowid' : columns.sort((a, b) => a.pk - b.pk).map((column) => `"${column.name}"`).join(', ');
}

function plainRow(row: Record<string, unknown>): ExportedRow {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [column, Buffer.isBuffer(value) ? value.toString('base64') : typeof value === 'bigint' ? Number(value) : (value as string | number | null)]),
  );
}
