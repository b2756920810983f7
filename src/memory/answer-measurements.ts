import type { MemberKey } from '../core/ports.js';
import type { Db } from './database.js';
import type { Statement } from './statements.js';

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

/** The answer path's measurements and members' display names, each statement prepared once. */
export class AnswerMeasurements {
  private readonly measure: Statement;
  private readonly name: Statement;

  constructor(db: Db) {
    this.measure = db.prepare(
      `UPDATE interactions SET
         model_calls = coalesce(?, model_calls), answer_ms = coalesce(?, answer_ms), first_text_ms = coalesce(?, first_text_ms),
         wait_ms = coalesce(?, wait_ms), prompt_tokens = coalesce(?, prompt_tokens), completion_tokens = coalesce(?, completion_tokens)
       WHERE id = ?`,
    );
    // A name is seen on every mention and seldom changes: an unchanged one writes nothing.
    this.name = db.prepare('UPDATE members SET display_name = @name WHERE platform = @platform AND workspace_id = @workspaceId AND user_id = @userId AND display_name IS NOT @name');
  }

  /** Stores the answer path's measurements on an interaction; figures not given are left as they were. */
  record(interactionId: number, measurement: AnswerMeasurement): void {
    const { modelCalls, answerMs, firstTextMs, waitMs, promptTokens, completionTokens } = measurement;
    this.measure.run(whole(modelCalls), whole(answerMs), whole(firstTextMs), whole(waitMs), whole(promptTokens), whole(completionTokens), interactionId);
  }

  /** Stores a member's display name on their platform (shown on the dashboard instead of their key); null clears it. */
  recordDisplayName(key: MemberKey, name: string | null): void {
    this.name.run({ name: name?.trim() || null, platform: key.platform, workspaceId: key.workspaceId, userId: key.userId });
  }
}

function whole(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : Math.max(0, Math.round(value));
}
