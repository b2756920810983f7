import { randomUUID } from 'node:crypto';
import type { MemberKey } from '../core/ports.js';
import { openDatabase, type Db } from './database.js';
import { AnswerClaims } from './answer-claims.js';
import { recordAnswerMeasurement, type AnswerMeasurement } from './answer-measurements.js';
import { MemoryIndex } from './memory-index.js';
import type { FeedbackKind, InteractionRecord, MemberSummary, MemoryHit, PersonaReason, PersonaVersion } from './records.js';
import { interactionColumns, toInteraction, toPersona, type InteractionRow, type PersonaRow } from './row-mapping.js';

/** A new question to remember. */
export interface NewQuestion {
  memberId: number;
  channelId: string;
  /** The thread the question sits in, when it does. */
  threadId?: string;
  conversationId: string;
  messageId: string;
  text: string;
  at: Date;
}

/** A new persona version. */
export interface NewPersona {
  memberId: number;
  text: string;
  reason: PersonaReason;
  at: Date;
  batchIds?: number[];
  feedback?: string[];
  model?: string;
  promptVersions?: Record<string, string>;
  scoreBefore?: number | null;
  scoreAfter?: number | null;
}

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

/** A change to an interaction's feedback, written in one transaction. */
export interface FeedbackChange {
  feedback: FeedbackKind;
  groundTruth: string | null;
  correctionMessageId: string | null;
  candidateText: string | null;
  candidateMessageId: string | null;
  at: Date;
}

/** Every SQL statement of the bot: members, episodic memory, personas, profiles. */
export class Store {
  readonly index: MemoryIndex;
  readonly claims: AnswerClaims;

  constructor(readonly db: Db) {
    this.index = new MemoryIndex(db);
    this.claims = new AnswerClaims(db);
  }

  /** Opens the database file (creating it and applying migrations). */
  static open(path: string, options: { busyTimeoutMs?: number } = {}): Store {
    return new Store(openDatabase(path, options));
  }

  /** Closes the database. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** The member's id, creating the member on first contact. */
  ensureMember(key: MemberKey, at = new Date()): number {
    this.db
      .prepare('INSERT INTO members (platform, workspace_id, user_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(key.platform, key.workspaceId, key.userId, at.toISOString());
    return this.findMember(key)!;
  }

  /** The member's id, or undefined if the bot has never met them. */
  findMember(key: MemberKey): number | undefined {
    return this.db
      .prepare('SELECT id FROM members WHERE platform = ? AND workspace_id = ? AND user_id = ?')
      .pluck()
      .get(key.platform, key.workspaceId, key.userId) as number | undefined;
  }

  /** The key of a member id. */
  memberKey(memberId: number): MemberKey | undefined {
    const row = this.db.prepare('SELECT platform, workspace_id, user_id FROM members WHERE id = ?').get(memberId) as
      | { platform: MemberKey['platform']; workspace_id: string; user_id: string }
      | undefined;
    return row && { platform: row.platform, workspaceId: row.workspace_id, userId: row.user_id };
  }

  /** Every member with counts, most recently active first. */
  listMembers(): MemberSummary[] {
    const rows = this.db
      .prepare(
        `SELECT m.id, m.platform, m.workspace_id, m.user_id,
           (SELECT count(*) FROM interactions i WHERE i.member_id = m.id) AS interactions,
           (SELECT count(*) FROM interactions i WHERE i.member_id = m.id AND i.ground_truth IS NOT NULL) AS labelled,
           (SELECT count(*) FROM persona_versions p WHERE p.member_id = m.id) AS persona_versions,
           (SELECT max(asked_at) FROM interactions i WHERE i.member_id = m.id) AS last_seen
         FROM members m ORDER BY last_seen DESC NULLS LAST, m.id`,
      )
      .all() as Array<{ id: number; platform: MemberKey['platform']; workspace_id: string; user_id: string; interactions: number; labelled: number; persona_versions: number; last_seen: string | null }>;
    return rows.map((row) => ({
      id: row.id,
      key: { platform: row.platform, workspaceId: row.workspace_id, userId: row.user_id },
      interactions: row.interactions,
      labelled: row.labelled,
      personaVersions: row.persona_versions,
      lastSeen: row.last_seen ? new Date(row.last_seen) : null,
    }));
  }

  /** Deletes everything kept about a member: interactions, vectors, text index, profile, personas. */
  forgetMember(memberId: number): { interactions: number } {
    return this.transaction(() => {
      const ids = this.db.prepare('SELECT id FROM interactions WHERE member_id = ?').pluck().all(memberId) as number[];
      this.index.remove(ids);
      this.db.prepare('DELETE FROM members WHERE id = ?').run(memberId);
      return { interactions: ids.length };
    });
  }

  /** Deletes one interaction everywhere it is kept: its row, answer messages, vectors and text index. */
  forgetInteraction(interactionId: number): boolean {
    return this.transaction(() => {
      this.index.remove([interactionId]);
      return this.db.prepare('DELETE FROM interactions WHERE id = ?').run(interactionId).changes > 0;
    });
  }

  /** Records a question before the model is called. `duplicate` is true when this message was seen before. */
  recordQuestion(question: NewQuestion): { interaction: InteractionRecord; duplicate: boolean } {
    return this.transaction(() => {
      const result = this.db
        .prepare(
          `INSERT INTO interactions (member_id, channel_id, thread_id, conversation_id, question, question_message_id, asked_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, question_message_id) DO NOTHING`,
        )
        .run(question.memberId, question.channelId, question.threadId ?? null, question.conversationId, question.text, question.messageId, question.at.toISOString());
      const id = result.changes === 0
        ? (this.db.prepare('SELECT id FROM interactions WHERE member_id = ? AND question_message_id = ?').pluck().get(question.memberId, question.messageId) as number)
        : Number(result.lastInsertRowid);
      if (result.changes > 0) this.index.putText(question.memberId, id, question.text);
      return { interaction: this.interaction(id)!, duplicate: result.changes === 0 };
    });
  }

  /** This member's question with this platform message id, if it was recorded. */
  findQuestion(memberId: number, messageId: string): InteractionRecord | undefined {
    const id = this.db.prepare('SELECT id FROM interactions WHERE member_id = ? AND question_message_id = ?').pluck().get(memberId, messageId) as number | undefined;
    return id === undefined ? undefined : this.interaction(id);
  }

  /** Records the answer (before it is sent) and the persona version that produced it. */
  recordAnswer(interactionId: number, answer: string, personaVersionId: number | null, at: Date): void {
    this.transaction(() => {
      this.db
        .prepare(
          `UPDATE interactions SET answer = @answer, persona_version_id = @persona, answered_at = @at, error_code = NULL,
             ground_truth = CASE WHEN feedback = 'positive' THEN @answer ELSE ground_truth END WHERE id = @id`,
        )
        .run({ answer, persona: personaVersionId, at: at.toISOString(), id: interactionId });
      this.reindexText(interactionId);
    });
  }

  /** Stores what an answer cost, as the answer path measured it (see AnswerMeasurement). */
  recordAnswerMeasurement(interactionId: number, measurement: AnswerMeasurement): void {
    recordAnswerMeasurement(this.db, interactionId, measurement);
  }

  /** Records why no answer could be produced. */
  recordFailure(interactionId: number, code: string): void {
    this.db.prepare('UPDATE interactions SET error_code = ? WHERE id = ?').run(code, interactionId);
  }

  /** Links the platform messages that carry an answer to its interaction. */
  recordAnswerMessages(interactionId: number, place: { platform: string; workspaceId: string; channelId: string }, messageIds: string[]): void {
    const insert = this.db.prepare(
      'INSERT INTO answer_messages (platform, workspace_id, channel_id, message_id, interaction_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.transaction(() => {
      for (const messageId of messageIds) insert.run(place.platform, place.workspaceId, place.channelId, messageId, interactionId);
    });
  }

  /** Stores an interaction's question vector. */
  recordVector(interactionId: number, memberId: number, vector: Float32Array, model: string): void {
    this.index.putVector(memberId, interactionId, vector, model);
  }

  /** Writes a feedback change in one transaction and re-indexes the text. */
  applyFeedback(interactionId: number, change: FeedbackChange): void {
    this.transaction(() => {
      this.db
        .prepare(
          `UPDATE interactions SET feedback = ?, ground_truth = ?, correction_message_id = ?, candidate_text = ?,
             candidate_message_id = ?, feedback_at = ? WHERE id = ?`,
        )
        .run(change.feedback, change.groundTruth, change.correctionMessageId, change.candidateText, change.candidateMessageId, change.at.toISOString(), interactionId);
      // The time of writing, not the event's: a late delivery must still look newer than a run that started before it.
      this.db.prepare('UPDATE members SET feedback_at = ? WHERE id = (SELECT member_id FROM interactions WHERE id = ?)').run(new Date().toISOString(), interactionId);
      this.reindexText(interactionId);
    });
  }

  /** One interaction by id. */
  interaction(id: number): InteractionRecord | undefined {
    const row = this.db.prepare(`SELECT ${interactionColumns} FROM interactions i WHERE i.id = ?`).get(id) as InteractionRow | undefined;
    return row && toInteraction(row);
  }

  /** Many interactions by id, in the order asked. */
  interactions(ids: number[]): InteractionRecord[] {
    return ids.map((id) => this.interaction(id)).filter((record): record is InteractionRecord => record !== undefined);
  }

  /** The interaction whose answer is this platform message. */
  interactionByAnswerMessage(place: { platform: string; workspaceId: string; channelId: string }, messageId: string): InteractionRecord | undefined {
    const id = this.db
      .prepare('SELECT interaction_id FROM answer_messages WHERE platform = ? AND workspace_id = ? AND channel_id = ? AND message_id = ?')
      .pluck()
      .get(place.platform, place.workspaceId, place.channelId, messageId) as number | undefined;
    return id === undefined ? undefined : this.interaction(id);
  }

  /** The interaction of this member whose correction or candidate correction is this message. */
  interactionByCorrectionMessage(memberId: number | null, messageId: string): InteractionRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT ${interactionColumns} FROM interactions i
         WHERE (i.correction_message_id = ? OR i.candidate_message_id = ?) AND (? IS NULL OR i.member_id = ?) ORDER BY i.id DESC LIMIT 1`,
      )
      .get(messageId, messageId, memberId, memberId) as InteractionRow | undefined;
    return row && toInteraction(row);
  }

  /** This member's latest answered interaction in a conversation (thread or reply chain); an answer still being written counts. */
  latestInConversation(memberId: number, conversationId: string): InteractionRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT ${interactionColumns} FROM interactions i
         WHERE i.member_id = ? AND i.conversation_id = ?
           AND (i.answer IS NOT NULL OR EXISTS (SELECT 1 FROM answer_messages a WHERE a.interaction_id = i.id))
         ORDER BY i.id DESC LIMIT 1`,
      )
      .get(memberId, conversationId) as InteractionRow | undefined;
    return row && toInteraction(row);
  }

  /** This member's earlier answered turns in a conversation, oldest first, before `beforeId`. */
  conversationTurns(memberId: number, conversationId: string, beforeId: number, limit: number): InteractionRecord[] {
    const rows = this.db
      .prepare(
        `SELECT ${interactionColumns} FROM interactions i
         WHERE i.member_id = ? AND i.conversation_id = ? AND i.id < ? AND i.answer IS NOT NULL ORDER BY i.id DESC LIMIT ?`,
      )
      .all(memberId, conversationId, beforeId, limit) as InteractionRow[];
    return rows.map(toInteraction).reverse();
  }

  /** A member's interactions, newest first. `labelledOnly` keeps those with ground truth. */
  listInteractions(member: MemberKey | number, options: { limit?: number; labelledOnly?: boolean } = {}): InteractionRecord[] {
    const memberId = typeof member === 'number' ? member : this.findMember(member);
    if (memberId === undefined) return [];
    const labelled = options.labelledOnly ? 'AND i.ground_truth IS NOT NULL' : '';
    const order = options.labelledOnly ? 'i.feedback_at DESC, i.id DESC' : 'i.id DESC';
    const rows = this.db
      .prepare(`SELECT ${interactionColumns} FROM interactions i WHERE i.member_id = ? ${labelled} ORDER BY ${order} LIMIT ?`)
      .all(memberId, options.limit ?? -1) as InteractionRow[];
    return rows.map(toInteraction);
  }

  /** Hybrid memory search inside one member's interactions (see MemoryIndex.search). */
  searchMemory(memberId: number, query: { text: string; vector?: Float32Array }, k: number, beforeId?: number): MemoryHit[] {
    const hits = this.index.search(memberId, query, k, beforeId);
    return hits.flatMap((hit) => {
      const interaction = this.interaction(hit.id);
      return interaction && interaction.memberId === memberId ? [{ interaction, score: hit.score }] : [];
    });
  }

  /** The live persona: the member's newest version. */
  livePersona(memberId: number): PersonaVersion | undefined {
    const row = this.db.prepare('SELECT * FROM persona_versions WHERE member_id = ? ORDER BY id DESC LIMIT 1').get(memberId) as PersonaRow | undefined;
    return row && toPersona(row);
  }

  /** The member's persona versions, newest first. */
  personaHistory(memberId: number, limit: number): PersonaVersion[] {
    return (this.db.prepare('SELECT * FROM persona_versions WHERE member_id = ? ORDER BY id DESC LIMIT ?').all(memberId, limit) as PersonaRow[]).map(toPersona);
  }

  /** The 1-based position of a persona version in the member's history. */
  personaVersionNumber(memberId: number, personaId: number): number {
    return this.db.prepare('SELECT count(*) FROM persona_versions WHERE member_id = ? AND id <= ?').pluck().get(memberId, personaId) as number;
  }

  /** Appends a persona version; it becomes the live one. */
  addPersonaVersion(persona: NewPersona): PersonaVersion {
    const learned = this.db.prepare('SELECT count(*) FROM interactions WHERE member_id = ? AND ground_truth IS NOT NULL').pluck().get(persona.memberId) as number;
    const result = this.db
      .prepare(
        `INSERT INTO persona_versions (member_id, text, reason, created_at, batch_ids, feedback, model, prompt_versions, score_before, score_after, corrections_learned)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        persona.memberId,
        persona.text,
        persona.reason,
        persona.at.toISOString(),
        persona.batchIds ? JSON.stringify(persona.batchIds) : null,
        persona.feedback ? JSON.stringify(persona.feedback) : null,
        persona.model ?? null,
        persona.promptVersions ? JSON.stringify(persona.promptVersions) : null,
        persona.scoreBefore ?? null,
        persona.scoreAfter ?? null,
        persona.reason === 'aligned' ? learned : 0,
      );
    // A reset starts over: ground truth given before it is not learned again by the next scheduled run.
    if (persona.reason === 'reset') this.markAligned(persona.memberId, persona.at);
    return this.livePersonaById(Number(result.lastInsertRowid));
  }

  /** Members whose ground truth changed since their persona last took it into account, longest waiting first. */
  membersDueForAlignment(limit: number): number[] {
    return this.db
      .prepare("SELECT id FROM members WHERE feedback_at > coalesce(aligned_at, '') ORDER BY feedback_at, id LIMIT ?")
      .pluck()
      .all(limit) as number[];
  }

  /** Records one finished alignment attempt; ground truth up to its start counts as taken into account. */
  recordAlignmentRun(run: AlignmentRun): void {
    this.transaction(() => {
      this.db
        .prepare('INSERT INTO alignment_runs (member_id, started_at, finished_at, outcome, detail, model_calls, persona_version_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(run.memberId, run.startedAt.toISOString(), run.finishedAt.toISOString(), run.outcome, run.detail, run.modelCalls, run.personaVersionId ?? null);
      this.markAligned(run.memberId, run.startedAt);
    });
  }

  /**
   * Claims the member for one alignment until `until`, unless another run (maybe in another
   * process) holds an unexpired claim. Returns the claim's token, or null.
   */
  claimAlignment(memberId: number, now: Date, until: Date): string | null {
    const token = randomUUID();
    const result = this.db
      .prepare('UPDATE members SET aligning_until = ?, aligning_by = ? WHERE id = ? AND (aligning_until IS NULL OR aligning_until < ?)')
      .run(until.toISOString(), token, memberId, now.toISOString());
    return result.changes === 1 ? token : null;
  }

  /** True while the claim with this token is the member's (the member still exists and nobody took over). */
  holdsAlignment(memberId: number, token: string): boolean {
    return this.db.prepare('SELECT 1 FROM members WHERE id = ? AND aligning_by = ?').pluck().get(memberId, token) !== undefined;
  }

  /** Lets go of a claim; a claim another run has taken over since is left alone. */
  releaseAlignment(memberId: number, token: string): void {
    this.db.prepare('UPDATE members SET aligning_until = NULL, aligning_by = NULL WHERE id = ? AND aligning_by = ?').run(memberId, token);
  }

  /** The member's latest alignment attempt, if any. */
  lastAlignmentRun(memberId: number): AlignmentRun | undefined {
    const row = this.db.prepare('SELECT * FROM alignment_runs WHERE member_id = ? ORDER BY id DESC LIMIT 1').get(memberId) as
      | { member_id: number; started_at: string; finished_at: string; outcome: AlignmentRun['outcome']; detail: string | null; model_calls: number; persona_version_id: number | null }
      | undefined;
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

  /** The member's semantic profile, if one has been written. */
  profile(memberId: number): { summary: string; throughInteractionId: number; updatedAt: Date } | undefined {
    const row = this.db.prepare('SELECT summary, through_interaction_id, updated_at FROM profiles WHERE member_id = ?').get(memberId) as
      | { summary: string; through_interaction_id: number; updated_at: string }
      | undefined;
    return row && { summary: row.summary, throughInteractionId: row.through_interaction_id, updatedAt: new Date(row.updated_at) };
  }

  /** Writes the member's semantic profile, summarised through `throughInteractionId`. */
  saveProfile(memberId: number, summary: string, throughInteractionId: number, at: Date): void {
    this.db
      .prepare(
        `INSERT INTO profiles (member_id, summary, through_interaction_id, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (member_id) DO UPDATE SET summary = excluded.summary, through_interaction_id = excluded.through_interaction_id, updated_at = excluded.updated_at`,
      )
      .run(memberId, summary, throughInteractionId, at.toISOString());
  }

  private markAligned(memberId: number, at: Date): void {
    this.db.prepare("UPDATE members SET aligned_at = max(coalesce(aligned_at, ''), ?) WHERE id = ?").run(at.toISOString(), memberId);
  }

  private livePersonaById(id: number): PersonaVersion {
    return toPersona(this.db.prepare('SELECT * FROM persona_versions WHERE id = ?').get(id) as PersonaRow);
  }

  private reindexText(interactionId: number): void {
    const row = this.interaction(interactionId);
    if (!row) return;
    this.index.putText(row.memberId, row.id, [row.question, row.answer, row.groundTruth].filter(Boolean).join('\n'));
  }
}
