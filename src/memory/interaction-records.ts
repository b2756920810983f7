import type { FeedbackKind, InteractionRecord } from './records.js';
import { interactionColumns, toInteraction, type InteractionRow } from './row-mapping.js';
import type { Statements } from './statements.js';

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

/** A change to an interaction's feedback, written in one transaction. */
export interface FeedbackChange {
  feedback: FeedbackKind;
  groundTruth: string | null;
  correctionMessageId: string | null;
  candidateText: string | null;
  candidateMessageId: string | null;
  at: Date;
}

/** Where an answer was posted. */
export interface AnswerPlace {
  platform: string;
  workspaceId: string;
  channelId: string;
}

/** The text an interaction is found by: its question, answer and ground truth. */
export function searchableText(interaction: Pick<InteractionRecord, 'question' | 'answer' | 'groundTruth'>): string {
  return [interaction.question, interaction.answer, interaction.groundTruth].filter(Boolean).join('\n');
}

/** The `interactions` and `answer_messages` tables: episodic memory D^u. */
export class InteractionRecords {
  constructor(private readonly sql: Statements) {}

  /** Inserts a question unless this message was seen before; returns its id and whether it was new. */
  insertQuestion(question: NewQuestion): { id: number; inserted: boolean } {
    const result = this.sql
      .get(
        `INSERT INTO interactions (member_id, channel_id, thread_id, conversation_id, question, question_message_id, asked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, question_message_id) DO NOTHING`,
      )
      .run(question.memberId, question.channelId, question.threadId ?? null, question.conversationId, question.text, question.messageId, question.at.toISOString());
    if (result.changes > 0) return { id: Number(result.lastInsertRowid), inserted: true };
    const id = this.sql.pluck('SELECT id FROM interactions WHERE member_id = ? AND question_message_id = ?').get(question.memberId, question.messageId) as number;
    return { id, inserted: false };
  }

  /** Writes the answer and the persona version that produced it; a 👍 given while it streamed makes it the ground truth. */
  updateAnswer(interactionId: number, answer: string, personaVersionId: number | null, at: Date): void {
    this.sql
      .get(
        `UPDATE interactions SET answer = @answer, persona_version_id = @persona, answered_at = @at, error_code = NULL,
           ground_truth = CASE WHEN feedback = 'positive' THEN @answer ELSE ground_truth END WHERE id = @id`,
      )
      .run({ answer, persona: personaVersionId, at: at.toISOString(), id: interactionId });
  }

  /** This member's question with this platform message id, if it was recorded. */
  findQuestion(memberId: number, messageId: string): InteractionRecord | undefined {
    const id = this.sql.pluck('SELECT id FROM interactions WHERE member_id = ? AND question_message_id = ?').get(memberId, messageId) as number | undefined;
    return id === undefined ? undefined : this.get(id);
  }

  /** Deletes one interaction (its answer messages and vector go with it); false when there was none. */
  delete(interactionId: number): boolean {
    return this.sql.get('DELETE FROM interactions WHERE id = ?').run(interactionId).changes > 0;
  }

  /** Records why no answer could be produced. */
  updateFailure(interactionId: number, code: string): void {
    this.sql.get('UPDATE interactions SET error_code = ? WHERE id = ?').run(code, interactionId);
  }

  /** Links platform messages that carry an answer to its interaction. */
  insertAnswerMessages(interactionId: number, place: AnswerPlace, messageIds: string[]): void {
    const insert = this.sql.get('INSERT INTO answer_messages (platform, workspace_id, channel_id, message_id, interaction_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    for (const messageId of messageIds) insert.run(place.platform, place.workspaceId, place.channelId, messageId, interactionId);
  }

  /** Writes a feedback change and marks the member's ground truth as changed. */
  updateFeedback(interactionId: number, change: FeedbackChange): void {
    this.sql
      .get(
        `UPDATE interactions SET feedback = ?, ground_truth = ?, correction_message_id = ?, candidate_text = ?,
           candidate_message_id = ?, feedback_at = ? WHERE id = ?`,
      )
      .run(change.feedback, change.groundTruth, change.correctionMessageId, change.candidateText, change.candidateMessageId, change.at.toISOString(), interactionId);
    // The time of writing, not the event's: a late delivery must still look newer than a run that started before it.
    this.sql.get('UPDATE members SET feedback_at = ? WHERE id = (SELECT member_id FROM interactions WHERE id = ?)').run(new Date().toISOString(), interactionId);
  }

  /** One interaction by id. */
  get(id: number): InteractionRecord | undefined {
    const row = this.sql.get(`SELECT ${interactionColumns} FROM interactions i WHERE i.id = ?`).get(id) as InteractionRow | undefined;
    return row && toInteraction(row);
  }

  /** The interaction whose answer is this platform message. */
  byAnswerMessage(place: AnswerPlace, messageId: string): InteractionRecord | undefined {
    const id = this.sql
      .pluck('SELECT interaction_id FROM answer_messages WHERE platform = ? AND workspace_id = ? AND channel_id = ? AND message_id = ?')
      .get(place.platform, place.workspaceId, place.channelId, messageId) as number | undefined;
    return id === undefined ? undefined : this.get(id);
  }

  /** The interaction of this member (or anyone's, for null) whose correction or candidate correction is this message. */
  byCorrectionMessage(memberId: number | null, messageId: string): InteractionRecord | undefined {
    const row = this.sql
      .get(
        `SELECT ${interactionColumns} FROM interactions i
         WHERE (i.correction_message_id = ? OR i.candidate_message_id = ?) AND (? IS NULL OR i.member_id = ?) ORDER BY i.id DESC LIMIT 1`,
      )
      .get(messageId, messageId, memberId, memberId) as InteractionRow | undefined;
    return row && toInteraction(row);
  }

  /** This member's latest answered interaction in a conversation; an answer still being written counts. */
  latestInConversation(memberId: number, conversationId: string): InteractionRecord | undefined {
    const row = this.sql
      .get(
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
    const rows = this.sql
      .get(
        `SELECT ${interactionColumns} FROM interactions i
         WHERE i.member_id = ? AND i.conversation_id = ? AND i.id < ? AND i.answer IS NOT NULL ORDER BY i.id DESC LIMIT ?`,
      )
      .all(memberId, conversationId, beforeId, limit) as InteractionRow[];
    return rows.map(toInteraction).reverse();
  }

  /** A member's interactions, newest first; `labelledOnly` keeps those with ground truth, latest feedback first. */
  /** Many interactions by id, in the order asked (ids not found are left out): one statement. */
  getMany(ids: number[]): InteractionRecord[] {
    if (ids.length === 0) return [];
    const rows = this.sql.get(`SELECT ${interactionColumns} FROM interactions i WHERE i.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as InteractionRow[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [toInteraction(row)] : [];
    });
  }

  /** An interaction's member and searchable text, without the rest of the record. */
  searchable(id: number): { memberId: number; text: string } | undefined {
    const row = this.sql.get('SELECT member_id, question, answer, ground_truth FROM interactions WHERE id = ?').raw().get(id) as [number, string, string | null, string | null] | undefined;
    return row && { memberId: row[0], text: searchableText({ question: row[1], answer: row[2], groundTruth: row[3] }) };
  }

  list(memberId: number, options: { limit?: number; labelledOnly?: boolean }): InteractionRecord[] {
    const sql = options.labelledOnly
      ? `SELECT ${interactionColumns} FROM interactions i WHERE i.member_id = ? AND i.ground_truth IS NOT NULL ORDER BY i.feedback_at DESC, i.id DESC LIMIT ?`
      : `SELECT ${interactionColumns} FROM interactions i WHERE i.member_id = ? ORDER BY i.id DESC LIMIT ?`;
    return (this.sql.get(sql).all(memberId, options.limit ?? -1) as InteractionRow[]).map(toInteraction);
  }

  /** The searchable text of every interaction of a member, in id order (to build their keyword index). */
  texts(memberId: number): Array<{ id: number; text: string }> {
    const rows = this.sql.get('SELECT id, question, answer, ground_truth FROM interactions WHERE member_id = ? ORDER BY id').raw().all(memberId) as Array<
      [number, string, string | null, string | null]
    >;
    return rows.map(([id, question, answer, groundTruth]) => ({ id, text: searchableText({ question, answer, groundTruth }) }));
  }
}
