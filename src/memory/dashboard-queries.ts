import type { Db } from './database.js';

/** A member as the dashboard lists them. */
export interface MemberRow {
  id: number;
  /** `platform:workspace:user` */
  key: string;
  displayName: string | null;
  interactions: number;
  labelled: number;
  approved: number;
  versions: number;
  lastSeen: string | null;
}

/** One UTC day of use. */
export interface DayRow {
  day: string;
  questions: number;
  /** Labels standing now that were given that day, and how many of them were 👍. */
  labels: number;
  approved: number;
}

/** One UTC day of the answer path's own measurements (answers that were measured). */
export interface CostRow {
  day: string;
  measured: number;
  modelCalls: number | null;
  answerMs: number | null;
  firstTextMs: number | null;
  waitMs: number | null;
  promptTokens: number | null;
}

/** One alignment attempt that ended (accepted, rejected or failed). */
export interface RunRow {
  memberId: number;
  member: string;
  outcome: 'accepted' | 'rejected' | 'failed';
  startedAt: string;
  ms: number;
  modelCalls: number;
  detail: string;
}

/** An interaction with what it cost, for a member's page. */
export interface InteractionRow {
  id: number;
  askedAt: string;
  question: string;
  answer: string | null;
  groundTruth: string | null;
  feedback: string;
  versionId: number | null;
  modelCalls: number | null;
  answerMs: number | null;
}

/** A member's live persona, for the persona map. */
export interface CurrentPersona {
  memberId: number;
  /** The display name, else the key. */
  member: string;
  /** `platform:workspace:user` */
  key: string;
  versionId: number;
  text: string;
}

const memberName = `coalesce(m.display_name, m.platform || ':' || m.workspace_id || ':' || m.user_id)`;

const memberRowsSql = `SELECT m.id, m.platform || ':' || m.workspace_id || ':' || m.user_id AS key, m.display_name AS displayName,
    count(i.id) AS interactions,
    count(i.id) FILTER (WHERE i.feedback <> 'none') AS labelled,
    count(i.id) FILTER (WHERE i.feedback = 'positive') AS approved,
    (SELECT count(*) FROM persona_versions p WHERE p.member_id = m.id) AS versions,
    max(i.asked_at) AS lastSeen
  FROM members m LEFT JOIN interactions i ON i.member_id = m.id`;

/** Every member with their counts, most recently active first. */
export function listMemberRows(db: Db): MemberRow[] {
  return db.prepare(`${memberRowsSql} GROUP BY m.id ORDER BY lastSeen DESC NULLS LAST, m.id`).all() as MemberRow[];
}

/** One member's row, or undefined. */
export function memberRow(db: Db, memberId: number): MemberRow | undefined {
  return db.prepare(`${memberRowsSql} WHERE m.id = ? GROUP BY m.id`).get(memberId) as MemberRow | undefined;
}

/** Questions, labels and approvals per UTC day since `since` (an ISO date). */
export function dailyActivity(db: Db, since: string): DayRow[] {
  return db
    .prepare(
      `WITH asked AS (SELECT substr(asked_at, 1, 10) AS day, count(*) AS n FROM interactions WHERE asked_at >= ? GROUP BY day),
            labelled AS (SELECT substr(feedback_at, 1, 10) AS day, count(*) AS n, count(*) FILTER (WHERE feedback = 'positive') AS approved
                         FROM interactions WHERE feedback <> 'none' AND feedback_at >= ? GROUP BY day),
            days AS (SELECT day FROM asked UNION SELECT day FROM labelled)
       SELECT days.day, coalesce(asked.n, 0) AS questions, coalesce(labelled.n, 0) AS labels, coalesce(labelled.approved, 0) AS approved
       FROM days LEFT JOIN asked USING (day) LEFT JOIN labelled USING (day) ORDER BY days.day`,
    )
    .all(since, since) as DayRow[];
}

/** The answer path's measurements per UTC day since `since`: means over the answers that were measured. */
export function dailyAnswerCosts(db: Db, since: string): CostRow[] {
  return db
    .prepare(
      `SELECT substr(asked_at, 1, 10) AS day, count(*) AS measured, avg(model_calls) AS modelCalls, avg(answer_ms) AS answerMs,
         avg(first_text_ms) AS firstTextMs, avg(wait_ms) AS waitMs, avg(prompt_tokens) AS promptTokens
       FROM interactions WHERE asked_at >= ? AND (model_calls IS NOT NULL OR answer_ms IS NOT NULL) GROUP BY day ORDER BY day`,
    )
    .all(since) as CostRow[];
}

/** The latest alignment attempts of everyone (or one member), newest first. */
export function alignmentRuns(db: Db, limit: number, memberId?: number): RunRow[] {
  const filter = memberId === undefined ? '' : 'WHERE r.member_id = ?';
  const sql = `SELECT runs.*, ${memberName} AS member FROM (
      SELECT r.member_id AS memberId, r.outcome, r.started_at AS startedAt, r.finished_at AS finishedAt, r.model_calls AS modelCalls, coalesce(r.detail, '') AS detail FROM alignment_runs r ${filter}
      UNION ALL
      SELECT r.member_id, 'failed', r.started_at, r.finished_at, r.model_calls, coalesce(r.detail, '') FROM alignment_failures r ${filter}
    ) runs JOIN members m ON m.id = runs.memberId
    ORDER BY runs.startedAt DESC LIMIT ?`;
  const params = memberId === undefined ? [limit] : [memberId, memberId, limit];
  const rows = db.prepare(sql).all(...params) as Array<RunRow & { finishedAt: string }>;
  return rows.map(({ finishedAt, ...row }) => ({ ...row, ms: Date.parse(finishedAt) - Date.parse(row.startedAt) }));
}

/** A member's latest interactions with their cost, newest first. */
export function recentInteractions(db: Db, memberId: number, limit: number): InteractionRow[] {
  return db
    .prepare(
      `SELECT id, asked_at AS askedAt, question, answer, ground_truth AS groundTruth, feedback, persona_version_id AS versionId,
         model_calls AS modelCalls, answer_ms AS answerMs
       FROM interactions WHERE member_id = ? ORDER BY id DESC LIMIT ?`,
    )
    .all(memberId, limit) as InteractionRow[];
}

/** Every member's live persona (their newest version). */
export function currentPersonas(db: Db): CurrentPersona[] {
  return db
    .prepare(
      `SELECT m.id AS memberId, ${memberName} AS member, m.platform || ':' || m.workspace_id || ':' || m.user_id AS key, p.id AS versionId, p.text
       FROM members m JOIN persona_versions p ON p.id = (SELECT max(id) FROM persona_versions WHERE member_id = m.id)
       ORDER BY m.id`,
    )
    .all() as CurrentPersona[];
}

/** How many alignment attempts ended each way, with their model calls and time, since `since`. */
export function alignmentTotals(db: Db, since: string): Record<RunRow['outcome'], { runs: number; modelCalls: number; ms: number }> {
  const rows = db
    .prepare(
      `SELECT outcome, count(*) AS runs, sum(model_calls) AS modelCalls, sum((julianday(finished_at) - julianday(started_at)) * 86400000) AS ms
       FROM (SELECT outcome, model_calls, started_at, finished_at FROM alignment_runs WHERE started_at >= ?
             UNION ALL SELECT 'failed', model_calls, started_at, finished_at FROM alignment_failures WHERE started_at >= ?)
       GROUP BY outcome`,
    )
    .all(since, since) as Array<{ outcome: RunRow['outcome']; runs: number; modelCalls: number; ms: number }>;
  const totals = { accepted: { runs: 0, modelCalls: 0, ms: 0 }, rejected: { runs: 0, modelCalls: 0, ms: 0 }, failed: { runs: 0, modelCalls: 0, ms: 0 } };
  for (const row of rows) totals[row.outcome] = { runs: row.runs, modelCalls: row.modelCalls, ms: Math.round(row.ms) };
  return totals;
}
