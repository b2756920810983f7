import { randomUUID } from 'node:crypto';
import type { Statements } from './statements.js';
import type { Transactions } from './transactions.js';

/** One alignment attempt for one member. */
export interface AlignmentRun {
  memberId: number;
  startedAt: Date;
  finishedAt: Date;
  outcome: 'accepted' | 'rejected';
  detail: string;
  modelCalls: number;
  personaVersionId?: number;
}

interface AlignmentRunRow {
  member_id: number;
  started_at: string;
  finished_at: string;
  outcome: AlignmentRun['outcome'];
  detail: string | null;
  model_calls: number;
  persona_version_id: number | null;
}

/** Alignment runs, the due marks on members, and the claim that keeps two runs off one member. */
export class AlignmentRunRecords {
  constructor(
    private readonly sql: Statements,
    private readonly transactions: Transactions,
  ) {}

  /** Members whose ground truth changed since their persona last took it into account, longest waiting first. */
  due(limit: number): number[] {
    return this.sql.pluck("SELECT id FROM members WHERE feedback_at > coalesce(aligned_at, '') ORDER BY feedback_at, id LIMIT ?").all(limit) as number[];
  }

  /** Records one finished alignment attempt; ground truth up to its start counts as taken into account. */
  record(run: AlignmentRun): void {
    this.transactions.run(() => {
      this.sql
        .get('INSERT INTO alignment_runs (member_id, started_at, finished_at, outcome, detail, model_calls, persona_version_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(run.memberId, run.startedAt.toISOString(), run.finishedAt.toISOString(), run.outcome, run.detail, run.modelCalls, run.personaVersionId ?? null);
      this.markAligned(run.memberId, run.startedAt);
    });
  }

  /** Ground truth given up to `at` counts as taken into account for the member. */
  markAligned(memberId: number, at: Date): void {
    this.sql.get("UPDATE members SET aligned_at = max(coalesce(aligned_at, ''), ?) WHERE id = ?").run(at.toISOString(), memberId);
  }

  /** Claims the member until `until` unless another run holds an unexpired claim; the claim's token, or null. */
  claim(memberId: number, now: Date, until: Date): string | null {
    const token = randomUUID();
    const result = this.sql
      .get('UPDATE members SET aligning_until = ?, aligning_by = ? WHERE id = ? AND (aligning_until IS NULL OR aligning_until < ?)')
      .run(until.toISOString(), token, memberId, now.toISOString());
    return result.changes === 1 ? token : null;
  }

  /** True while the claim with this token is the member's. */
  holds(memberId: number, token: string): boolean {
    return this.sql.pluck('SELECT 1 FROM members WHERE id = ? AND aligning_by = ?').get(memberId, token) !== undefined;
  }

  /** Lets go of a claim; a claim another run has taken over since is left alone. */
  release(memberId: number, token: string): void {
    this.sql.get('UPDATE members SET aligning_until = NULL, aligning_by = NULL WHERE id = ? AND aligning_by = ?').run(memberId, token);
  }

  /** The member's latest alignment attempt, if any. */
  last(memberId: number): AlignmentRun | undefined {
    const row = this.sql.get('SELECT * FROM alignment_runs WHERE member_id = ? ORDER BY id DESC LIMIT 1').get(memberId) as AlignmentRunRow | undefined;
    return (
      row && {
        memberId: row.member_id,
        startedAt: new Date(row.started_at),
        finishedAt: new Date(row.finished_at),
        outcome: row.outcome,
        detail: row.detail ?? '',
        modelCalls: row.model_calls,
        personaVersionId: row.persona_version_id ?? undefined,
      }
    );
  }
}
