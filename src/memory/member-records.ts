import type { MemberKey } from '../shared/member-key.js';
import type { MemberSummary } from './records.js';
import type { Statements } from './statements.js';

interface MemberRow {
  id: number;
  platform: MemberKey['platform'];
  workspace_id: string;
  user_id: string;
  interactions: number;
  labelled: number;
  persona_versions: number;
  last_seen: string | null;
}

/** The `members` table: who the bot has met. */
export class MemberRecords {
  constructor(private readonly sql: Statements) {}

  /** The member's id, creating the member on first contact (a known member costs one read, no write). */
  ensure(key: MemberKey, at: Date): number {
    const known = this.find(key);
    if (known !== undefined) return known;
    this.sql
      .get('INSERT INTO members (platform, workspace_id, user_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(key.platform, key.workspaceId, key.userId, at.toISOString());
    return this.find(key)!;
  }

  /** The member's id, or undefined if the bot has never met them. */
  find(key: MemberKey): number | undefined {
    return this.sql.pluck('SELECT id FROM members WHERE platform = ? AND workspace_id = ? AND user_id = ?').get(key.platform, key.workspaceId, key.userId) as
      | number
      | undefined;
  }

  /** The key of a member id. */
  key(memberId: number): MemberKey | undefined {
    const row = this.sql.get('SELECT platform, workspace_id, user_id FROM members WHERE id = ?').get(memberId) as Pick<MemberRow, 'platform' | 'workspace_id' | 'user_id'> | undefined;
    return row && memberKeyOf(row);
  }

  /** Every member with counts, most recently active first. */
  list(): MemberSummary[] {
    const rows = this.sql
      .get(
        `SELECT m.id, m.platform, m.workspace_id, m.user_id,
           (SELECT count(*) FROM interactions i WHERE i.member_id = m.id) AS interactions,
           (SELECT count(*) FROM interactions i WHERE i.member_id = m.id AND i.ground_truth IS NOT NULL) AS labelled,
           (SELECT count(*) FROM persona_versions p WHERE p.member_id = m.id) AS persona_versions,
           (SELECT max(asked_at) FROM interactions i WHERE i.member_id = m.id) AS last_seen
         FROM members m ORDER BY last_seen DESC NULLS LAST, m.id`,
      )
      .all() as MemberRow[];
    return rows.map((row) => ({
      id: row.id,
      key: memberKeyOf(row),
      interactions: row.interactions,
      labelled: row.labelled,
      personaVersions: row.persona_versions,
      lastSeen: row.last_seen ? new Date(row.last_seen) : null,
    }));
  }

  /** Deletes the member; every row that references them goes with it (foreign keys cascade). Returns their interaction ids. */
  delete(memberId: number): number[] {
    const ids = this.sql.pluck('SELECT id FROM interactions WHERE member_id = ?').all(memberId) as number[];
    this.sql.get('DELETE FROM members WHERE id = ?').run(memberId);
    return ids;
  }
}

/** A member's key from the columns that store it. */
export function memberKeyOf(row: Pick<MemberRow, 'platform' | 'workspace_id' | 'user_id'>): MemberKey {
  return { platform: row.platform, workspaceId: row.workspace_id, userId: row.user_id };
}
