import type { FeedbackKind, InteractionRecord, PersonaReason, PersonaVersion } from './records.js';

/** The `interactions` columns every read selects, with the answer message ids folded in. */
export const interactionColumns = `
  i.id, i.member_id, i.channel_id, i.conversation_id, i.question, i.question_message_id, i.answer,
  i.ground_truth, i.feedback, i.correction_message_id, i.candidate_text, i.candidate_message_id,
  i.persona_version_id, i.error_code, i.asked_at, i.answered_at, i.feedback_at,
  (SELECT json_group_array(message_id) FROM answer_messages a WHERE a.interaction_id = i.id) AS answer_message_ids`;

/** A raw `interactions` row as selected with `interactionColumns`. */
export interface InteractionRow {
  id: number;
  member_id: number;
  channel_id: string;
  conversation_id: string;
  question: string;
  question_message_id: string;
  answer: string | null;
  ground_truth: string | null;
  feedback: FeedbackKind;
  correction_message_id: string | null;
  candidate_text: string | null;
  candidate_message_id: string | null;
  persona_version_id: number | null;
  error_code: string | null;
  asked_at: string;
  answered_at: string | null;
  feedback_at: string | null;
  answer_message_ids: string;
}

/** Maps a row to the record the rest of the code uses. */
export function toInteraction(row: InteractionRow): InteractionRecord {
  return {
    id: row.id,
    memberId: row.member_id,
    channelId: row.channel_id,
    conversationId: row.conversation_id,
    question: row.question,
    questionMessageId: row.question_message_id,
    answer: row.answer,
    groundTruth: row.ground_truth,
    feedback: row.feedback,
    correctionMessageId: row.correction_message_id,
    candidateText: row.candidate_text,
    candidateMessageId: row.candidate_message_id,
    personaVersionId: row.persona_version_id,
    errorCode: row.error_code,
    answerMessageIds: JSON.parse(row.answer_message_ids) as string[],
    askedAt: new Date(row.asked_at),
    answeredAt: row.answered_at ? new Date(row.answered_at) : null,
    feedbackAt: row.feedback_at ? new Date(row.feedback_at) : null,
  };
}

/** A raw `persona_versions` row. */
export interface PersonaRow {
  id: number;
  member_id: number;
  text: string;
  reason: PersonaReason;
  created_at: string;
  batch_ids: string | null;
  feedback: string | null;
  model: string | null;
  prompt_versions: string | null;
  score_before: number | null;
  score_after: number | null;
  corrections_learned: number;
}

/** Maps a persona row to its record. */
export function toPersona(row: PersonaRow): PersonaVersion {
  return {
    id: row.id,
    memberId: row.member_id,
    text: row.text,
    reason: row.reason,
    createdAt: new Date(row.created_at),
    batchIds: row.batch_ids ? (JSON.parse(row.batch_ids) as number[]) : [],
    feedback: row.feedback ? (JSON.parse(row.feedback) as string[]) : [],
    model: row.model,
    promptVersions: row.prompt_versions ? (JSON.parse(row.prompt_versions) as Record<string, string>) : {},
    scoreBefore: row.score_before,
    scoreAfter: row.score_after,
    correctionsLearned: row.corrections_learned,
  };
}
