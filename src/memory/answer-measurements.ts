import type { MemberKey } from '../core/ports.js';
import type { Db } from './database.js';

/** What one answer cost, as the answer path measured it. Unknown figures are left out. */
export interface AnswerMeasurement {
  /** Model calls the answer took (tool rounds included). */
  modelCalls?: number;
  /** From the question's arrival to the answer's last text, in milliseconds. */
  answerMs?: number;
  /** From the question's arrival to the first text the member saw (streaming), in milliseconds. */
  firstTextMs?: number;
  /** Time spent waiting in the model queue before the first call ran, in milliseconds. */
  waitMs?: number;
  promptTokens?: number;
  completionTokens?: number;
}

/** Stores the answer path's measurements on an interaction; figures not given are left as they were. */
export function recordAnswerMeasurement(db: Db, interactionId: number, measurement: AnswerMeasurement): void {
  db.prepare(
    `UPDATE interactions SET
       model_calls = coalesce(?, model_calls), answer_ms = coalesce(?, answer_ms), first_text_ms = coalesce(?, first_text_ms),
       wait_ms = coalesce(?, wait_ms), prompt_tokens = coalesce(?, prompt_tokens), completion_tokens = coalesce(?, completion_tokens)
     WHERE id = ?`,
  ).run(
    whole(measurement.modelCalls),
    whole(measurement.answerMs),
    whole(measurement.firstTextMs),
    whole(measurement.waitMs),
    whole(measurement.promptTokens),
    whole(measurement.completionTokens),
    interactionId,
  );
}

/** Stores a member's display name on their platform (shown on the dashboard instead of their key); null clears it. */
export function recordDisplayName(db: Db, key: MemberKey, name: string | null): void {
  const trimmed = name?.trim() || null;
  db.prepare('UPDATE members SET display_name = ? WHERE platform = ? AND workspace_id = ? AND user_id = ?').run(trimmed, key.platform, key.workspaceId, key.userId);
}

function whole(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : Math.max(0, Math.round(value));
}
