import type { Db } from './database.js';
import type { PersonaReason } from './records.js';

/** What members said about the answers one persona version gave. */
export interface VersionApproval {
  versionId: number;
  /** 1-based position in the member's history. */
  number: number;
  reason: PersonaReason;
  createdAt: Date;
  /** Answers this version gave. */
  answers: number;
  /** Answers with a 👍 or a 👎 (with or without a correction) standing now. */
  labelled: number;
  /** 👍 */
  approved: number;
  /** 👎, with or without a correction. */
  corrected: number;
}

interface ApprovalRow {
  version_id: number;
  number: number;
  reason: PersonaReason;
  created_at: string;
  answers: number;
  approved: number;
  corrected: number;
}

/**
 * Approval per persona version of one member, newest first. Counted from the labels standing now, so
 * an undone 👍 or a 👎 turned into a correction moves each count once, and a forgotten member has no rows.
 */
export function approvalByVersion(db: Db, memberId: number, limit = -1): VersionApproval[] {
  const rows = db
    .prepare(
      `SELECT p.id AS version_id, p.reason, p.created_at,
         row_number() OVER (ORDER BY p.id) AS number,
         count(i.id) AS answers,
         count(i.id) FILTER (WHERE i.feedback = 'positive') AS approved,
         count(i.id) FILTER (WHERE i.feedback IN ('negative', 'negative_corrected')) AS corrected
       FROM persona_versions p
       LEFT JOIN interactions i ON i.persona_version_id = p.id AND i.answer IS NOT NULL
       WHERE p.member_id = ?
       GROUP BY p.id
       ORDER BY p.id DESC
       LIMIT ?`,
    )
    .all(memberId, limit) as ApprovalRow[];
  return rows.map((row) => ({
    versionId: row.version_id,
    number: row.number,
    reason: row.reason,
    createdAt: new Date(row.created_at),
    answers: row.answers,
    labelled: row.approved + row.corrected,
    approved: row.approved,
    corrected: row.corrected,
  }));
}
