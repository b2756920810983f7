import type { Statements } from './statements.js';

/** A member's semantic profile P^u, summarised through one interaction. */
export interface ProfileRecord {
  summary: string;
  throughInteractionId: number;
  updatedAt: Date;
}

/** The `profiles` table: one semantic profile per member. */
export class ProfileRecords {
  constructor(private readonly sql: Statements) {}

  /** The member's semantic profile, if one has been written. */
  get(memberId: number): ProfileRecord | undefined {
    const row = this.sql.get('SELECT summary, through_interaction_id, updated_at FROM profiles WHERE member_id = ?').get(memberId) as
      | { summary: string; through_interaction_id: number; updated_at: string }
      | undefined;
    return row && { summary: row.summary, throughInteractionId: row.through_interaction_id, updatedAt: new Date(row.updated_at) };
  }

  /** Writes the member's semantic profile, summarised through `throughInteractionId`. */
  save(memberId: number, summary: string, throughInteractionId: number, at: Date): void {
    this.sql
      .get(
        `INSERT INTO profiles (member_id, summary, through_interaction_id, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (member_id) DO UPDATE SET summary = excluded.summary, through_interaction_id = excluded.through_interaction_id, updated_at = excluded.updated_at`,
      )
      .run(memberId, summary, throughInteractionId, at.toISOString());
  }
}
