import { createHash } from 'node:crypto';
import type { Db } from './database.js';

/** A persona version's answer to a labelled question, and its score when it has been scored. */
export interface StoredAnswer {
  interactionId: number;
  answer: string;
  /** Agreement with the question's ground truth, 0–1; null when not scored, or scored on a ground truth that has changed since. */
  score: number | null;
}

/** An answer and score to keep, with the ground truth the score was given against. */
export interface AnswerToKeep extends StoredAnswer {
  truth: string | null;
}

/** How a version was checked before it was adopted. */
export interface VersionValidation {
  versionId: number;
  /** The labelled questions held out of the batch it was written from. */
  heldOutIds: number[];
  /** The replaced persona's and this version's agreement on the held-out questions. */
  heldOutBefore: number | null;
  heldOutAfter: number | null;
  /** Why there is no held-out figure (too few labelled answers), when there is none. */
  note: string | null;
}

/** A failed alignment run; the member stays due. */
export interface FailedAlignment {
  memberId: number;
  startedAt: Date;
  finishedAt: Date;
  detail: string;
  modelCalls: number;
}

interface ValidationRow {
  id: number;
  heldout_ids: string | null;
  heldout_before: number | null;
  heldout_after: number | null;
  validation_note: string | null;
}

/** What alignment keeps beyond the persona versions: answers and scores to reuse, held-out figures, failures. */
export class AlignmentRecords {
  constructor(private readonly db: Db) {}

  /** The stored answers of a version to these questions, by interaction id; a score stands only if the ground truth is unchanged. */
  answers(versionId: number, questions: Array<{ id: number; groundTruth: string | null }>): Map<number, StoredAnswer> {
    if (questions.length === 0) return new Map();
    const truths = new Map(questions.map((question) => [question.id, truthHash(question.groundTruth)]));
    const rows = this.db
      .prepare(
        `SELECT interaction_id AS interactionId, answer, truth_hash AS truthHash, score FROM persona_answers
         WHERE persona_version_id = ? AND interaction_id IN (SELECT value FROM json_each(?))`,
      )
      .all(versionId, JSON.stringify([...truths.keys()])) as Array<StoredAnswer & { truthHash: string | null }>;
    return new Map(rows.map(({ truthHash: hash, ...row }) => [row.interactionId, { ...row, score: hash !== null && hash === truths.get(row.interactionId) ? row.score : null }]));
  }

  /** Keeps a version's answers and scores; a later one for the same question replaces the earlier. */
  saveAnswers(versionId: number, answers: AnswerToKeep[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO persona_answers (persona_version_id, interaction_id, answer, truth_hash, score) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (persona_version_id, interaction_id) DO UPDATE SET answer = excluded.answer, truth_hash = excluded.truth_hash, score = excluded.score`,
    );
    this.db.transaction(() => {
      for (const item of answers) upsert.run(versionId, item.interactionId, item.answer, item.score === null ? null : truthHash(item.truth), item.score);
    })();
  }

  /** Records how a version was checked before adoption. */
  recordValidation(validation: VersionValidation): void {
    this.db
      .prepare('UPDATE persona_versions SET heldout_ids = ?, heldout_before = ?, heldout_after = ?, validation_note = ? WHERE id = ?')
      .run(JSON.stringify(validation.heldOutIds), validation.heldOutBefore, validation.heldOutAfter, validation.note, validation.versionId);
  }

  /** How each of a member's versions was checked, by version id (versions never checked are left out). */
  validations(memberId: number): Map<number, VersionValidation> {
    const rows = this.db
      .prepare(
        `SELECT id, heldout_ids, heldout_before, heldout_after, validation_note FROM persona_versions
         WHERE member_id = ? AND (heldout_ids IS NOT NULL OR validation_note IS NOT NULL)`,
      )
      .all(memberId) as ValidationRow[];
    return new Map(
      rows.map((row) => [
        row.id,
        {
          versionId: row.id,
          heldOutIds: row.heldout_ids ? (JSON.parse(row.heldout_ids) as number[]) : [],
          heldOutBefore: row.heldout_before,
          heldOutAfter: row.heldout_after,
          note: row.validation_note,
        },
      ]),
    );
  }

  /** Records a failed run, unless the member is gone (forgotten mid-run). */
  recordFailure(run: FailedAlignment): void {
    this.db
      .prepare(
        `INSERT INTO alignment_failures (member_id, started_at, finished_at, detail, model_calls)
         SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM members WHERE id = ?)`,
      )
      .run(run.memberId, run.startedAt.toISOString(), run.finishedAt.toISOString(), run.detail, run.modelCalls, run.memberId);
  }
}

function truthHash(truth: string | null): string | null {
  return truth === null ? null : createHash('sha256').update(truth).digest('hex');
}
