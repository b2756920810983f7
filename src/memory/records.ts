import type { MemberKey, Platform } from '../shared/member-key.js';

/** What the member said about an answer. */
export type FeedbackKind = 'none' | 'negative' | 'negative_corrected' | 'positive';

/** Why a persona version was written. */
export type PersonaReason = 'init' | 'aligned' | 'reset';

/** One episodic memory: a question, the bot's answer and the member's ground truth. */
export interface InteractionRecord {
  id: number;
  memberId: number;
  channelId: string;
  conversationId: string;
  question: string;
  questionMessageId: string;
  answer: string | null;
  groundTruth: string | null;
  feedback: FeedbackKind;
  correctionMessageId: string | null;
  candidateText: string | null;
  candidateMessageId: string | null;
  personaVersionId: number | null;
  errorCode: string | null;
  answerMessageIds: string[];
  askedAt: Date;
  answeredAt: Date | null;
  feedbackAt: Date | null;
}

/** One persona version; the newest per member is live. */
export interface PersonaVersion {
  id: number;
  memberId: number;
  text: string;
  reason: PersonaReason;
  createdAt: Date;
  batchIds: number[];
  feedback: string[];
  model: string | null;
  promptVersions: Record<string, string>;
  scoreBefore: number | null;
  scoreAfter: number | null;
  correctionsLearned: number;
}

/** A member with counts, for listings. */
export interface MemberSummary {
  id: number;
  key: MemberKey;
  interactions: number;
  labelled: number;
  personaVersions: number;
  lastSeen: Date | null;
}

/** A memory returned by hybrid search, best first. */
export interface MemoryHit {
  interaction: InteractionRecord;
  score: number;
}

/** Writes a member key as `platform:workspace:user`. */
export function formatMemberKey(key: MemberKey): string {
  return `${key.platform}:${key.workspaceId}:${key.userId}`;
}

/** Reads `platform:workspace:user`; returns null when it is not of that shape. */
export function parseMemberKey(text: string): MemberKey | null {
  const [platform, workspaceId, ...rest] = text.split(':');
  const userId = rest.join(':');
  if (!platform || !workspaceId || !userId) return null;
  if (platform !== 'discord' && platform !== 'slack' && platform !== 'console') return null;
  return { platform: platform as Platform, workspaceId, userId };
}
