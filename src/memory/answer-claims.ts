import type { MemberKey } from '../core/ports.js';
import type { Db } from './database.js';
import type { Statement } from './statements.js';
import { memberKeyOf } from './member-records.js';

/** Failure codes after which a question is still waiting to be answered (the bot stopped before it). */
const PENDING_CODES = ['INTERRUPTED'];

/** A question that has no answer yet, with where it was asked. */
export interface UnansweredQuestion {
  interactionId: number;
  member: MemberKey;
  channelId: string;
  threadId: string | null;
  questionMessageId: string;
  askedAt: Date;
}

/**
 * Claims on questions being answered. A process claims a question before it answers it and renews
 * the claim while it works; a redelivery, or the recovery after a restart, answers only questions
 * nobody holds, so no question is answered twice. A dead process's claim runs out by itself.
 */
export class AnswerClaims {
  private readonly take: Statement;
  private readonly give: Statement;
  private readonly state: Statement;
  private readonly pending: Statement;
  private readonly pendingBefore: Statement;

  constructor(db: Db) {
    this.take = db.prepare(
      `UPDATE interactions SET claimed_by = @token, claimed_until = @until
       WHERE id = @id AND answer IS NULL AND (claimed_until IS NULL OR claimed_until < @now OR claimed_by = @token)`,
    );
    this.give = db.prepare('UPDATE interactions SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?');
    this.state = db.prepare('SELECT answer, error_code FROM interactions WHERE id = ?');
    this.pending = db.prepare(
      `SELECT i.id, i.channel_id, i.thread_id, i.question_message_id, i.asked_at, m.platform, m.workspace_id, m.user_id
       FROM interactions i JOIN members m ON m.id = i.member_id
       WHERE i.answer IS NULL AND i.asked_at >= ? AND (i.error_code IS NULL OR i.error_code IN (${PENDING_CODES.map(() => '?').join(', ')}))
       ORDER BY i.id`,
    );
    this.pendingBefore = db
      .prepare(`SELECT count(*) FROM interactions WHERE answer IS NULL AND asked_at < ? AND (error_code IS NULL OR error_code IN (${PENDING_CODES.map(() => '?').join(', ')}))`)
      .pluck();
  }

  /** Takes (or renews) the claim on an unanswered question; false when another live claim holds it or it has its answer. */
  claim(interactionId: number, token: string, until: Date, now = new Date()): boolean {
    return this.take.run({ id: interactionId, token, until: until.toISOString(), now: now.toISOString() }).changes > 0;
  }

  /** Gives the claim up (the answer is done, or failed for good). */
  release(interactionId: number, token: string): void {
    this.give.run(interactionId, token);
  }

  /** Whether the question still waits for its answer: none stored, and no failure the member was told of. */
  isPending(interactionId: number): boolean {
    const row = this.state.get(interactionId) as { answer: string | null; error_code: string | null } | undefined;
    return row !== undefined && row.answer === null && (row.error_code === null || PENDING_CODES.includes(row.error_code));
  }

  /** Questions asked since `since` that still wait for their answer, oldest first. */
  pendingSince(since: Date): UnansweredQuestion[] {
    const rows = this.pending.all(since.toISOString(), ...PENDING_CODES) as Array<{ id: number; channel_id: string; thread_id: string | null; question_message_id: string; asked_at: string; platform: MemberKey['platform']; workspace_id: string; user_id: string }>;
    return rows.map((row) => ({
      interactionId: row.id,
      member: memberKeyOf(row),
      channelId: row.channel_id,
      threadId: row.thread_id,
      questionMessageId: row.question_message_id,
      askedAt: new Date(row.asked_at),
    }));
  }

  /** How many questions asked before `before` were never answered (too old to answer after a restart). */
  countPendingBefore(before: Date): number {
    return this.pendingBefore.get(before.toISOString(), ...PENDING_CODES) as number;
  }
}
