import type { FeedbackChange, Store } from '../memory/store.js';
import type { InteractionRecord } from '../memory/records.js';
import { messages } from './messages.js';
import type { MemberKey, Place } from './ports.js';

/** Which emoji count as 👎 / 👍, and how long a stored correction may be. */
export interface FeedbackSettings {
  negative: string[];
  positive: string[];
  maxCorrectionChars: number;
}

/** What to tell the member after a feedback event was written. */
export interface FeedbackOutcome {
  note: 'recorded' | 'ignored' | 'unchanged';
  /** A short private message to the member. */
  privateText?: string;
  /** Add this reaction to this message (✅ on a correction). */
  reactTo?: { channelId: string; messageId: string; emoji: string };
  /** Why an ignored or unchanged reaction did not count, for adapters that echo it. */
  why?: string;
  /** A reply written before the 👎 became the correction: the message id of that reply. */
  promotedMessageId?: string;
}

const CONFIRM = '✅';

/** The ground-truth rules: who may label which answer, and how reactions and replies pair up. */
export class FeedbackRules {
  constructor(
    private readonly store: Store,
    private readonly settings: FeedbackSettings,
  ) {}

  /** Classifies a reaction as negative, positive or neither. */
  polarity(emoji: string): 'negative' | 'positive' | null {
    if (this.settings.negative.includes(emoji)) return 'negative';
    if (this.settings.positive.includes(emoji)) return 'positive';
    return null;
  }

  /** The interaction this reply or mention is about: the answer replied to, or the member's latest in the thread. */
  target(member: MemberKey, event: Place & { replyToId?: string }): InteractionRecord | undefined {
    const place = { platform: member.platform, workspaceId: member.workspaceId, channelId: event.channelId };
    if (event.replyToId) {
      const replied = this.store.interactionByAnswerMessage(place, event.replyToId);
      if (replied) return replied;
    }
    const memberId = this.store.findMember(member);
    if (!event.threadId || memberId === undefined) return undefined;
    return this.store.latestInConversation(memberId, event.threadId);
  }

  /** A reaction by `member` on a message; only the asker's reactions on the bot's answers count. */
  onReaction(member: MemberKey, event: { channelId: string; messageId: string; emoji: string; added: boolean; at: Date }): FeedbackOutcome {
    const polarity = this.polarity(event.emoji);
    if (!polarity) return { note: 'ignored' };
    const place = { platform: member.platform, workspaceId: member.workspaceId, channelId: event.channelId };
    const interaction = this.store.interactionByAnswerMessage(place, event.messageId);
    if (!interaction || interaction.memberId !== this.store.findMember(member)) return { note: 'ignored', why: messages.reactionNotOnAnswer };
    return this.label(interaction, polarity, event);
  }

  /** A 👍 or 👎 given or taken back by the asker (a reaction, or a control on the answer). */
  label(interaction: InteractionRecord, polarity: 'negative' | 'positive', event: { channelId: string; added: boolean; at: Date }): FeedbackOutcome {
    // A 👍 on a failure note has nothing to confirm; one on an answer still being written confirms its final text.
    if (event.added && polarity === 'positive' && interaction.answer === null && interaction.errorCode !== null) return { note: 'ignored', why: messages.reactionNoAnswer };
    const change = event.added ? this.reactionAdded(interaction, polarity) : this.reactionRemoved(interaction, polarity);
    if (!change) return { note: 'unchanged', why: messages.reactionUnchanged(interaction.feedback, event.added) };
    this.store.applyFeedback(interaction.id, { ...change, at: event.at });
    if (change.feedback === 'negative') return { note: 'recorded', privateText: messages.askForCorrection };
    if (change.feedback === 'negative_corrected' && interaction.candidateMessageId) {
      return { note: 'recorded', reactTo: { channelId: event.channelId, messageId: interaction.candidateMessageId, emoji: CONFIRM }, promotedMessageId: interaction.candidateMessageId };
    }
    return { note: 'recorded' };
  }

  /**
   * A reply by the asker to their answer. After a 👎 it is the correction; before one it is kept
   * as a candidate that a later 👎 turns into the correction. Returns whether it was a correction.
   */
  onReply(interaction: InteractionRecord, event: { channelId: string; messageId: string; text: string; at: Date }): FeedbackOutcome & { corrected: boolean } {
    const text = event.text.trim();
    // Only the first reply after a 👎 is the correction; later ones are conversation (edits change a correction).
    const awaitingCorrection = interaction.feedback === 'negative';
    if (text === '') return { note: 'ignored', corrected: false, privateText: awaitingCorrection ? messages.correctionEmpty : undefined };
    if ([interaction.correctionMessageId, interaction.candidateMessageId].includes(event.messageId)) {
      return { note: 'unchanged', corrected: interaction.correctionMessageId === event.messageId };
    }
    if (interaction.feedback === 'negative_corrected') return { note: 'ignored', corrected: false };
    const kept = text.slice(0, this.settings.maxCorrectionChars);
    const truncated = kept.length < text.length ? messages.correctionTruncated(this.settings.maxCorrectionChars) : undefined;
    const base = current(interaction);
    if (!awaitingCorrection) {
      this.store.applyFeedback(interaction.id, { ...base, candidateText: kept, candidateMessageId: event.messageId, at: event.at });
      return { note: 'recorded', corrected: false };
    }
    this.store.applyFeedback(interaction.id, {
      ...base,
      feedback: 'negative_corrected',
      groundTruth: kept,
      correctionMessageId: event.messageId,
      candidateText: kept,
      candidateMessageId: event.messageId,
      at: event.at,
    });
    return { note: 'recorded', corrected: true, privateText: truncated, reactTo: { channelId: event.channelId, messageId: event.messageId, emoji: CONFIRM } };
  }

  /** An edit by `member`: an edited correction replaces the ground truth. */
  onEdit(member: MemberKey, event: { messageId: string; text: string; at: Date }): FeedbackOutcome {
    const memberId = this.store.findMember(member);
    if (memberId === undefined) return { note: 'ignored' };
    const interaction = this.store.interactionByCorrectionMessage(memberId, event.messageId);
    const text = event.text.trim().slice(0, this.settings.maxCorrectionChars);
    if (!interaction || text === '') return { note: 'ignored' };
    const isCorrection = interaction.correctionMessageId === event.messageId;
    const change: FeedbackChange = { ...current(interaction), candidateText: text, at: event.at };
    if (isCorrection) change.groundTruth = text;
    this.store.applyFeedback(interaction.id, change);
    return { note: 'recorded' };
  }

  /** A deleted message: a deleted correction removes the ground truth; the 👎 stays. */
  onDelete(place: { platform: MemberKey['platform']; workspaceId: string }, event: { messageId: string; at: Date }): FeedbackOutcome {
    const interaction = this.store.interactionByCorrectionMessage(null, event.messageId);
    const key = interaction && this.store.memberKey(interaction.memberId);
    if (!interaction || !key || key.platform !== place.platform || key.workspaceId !== place.workspaceId) return { note: 'ignored' };
    const change: FeedbackChange = { ...current(interaction), candidateText: null, candidateMessageId: null, at: event.at };
    if (interaction.correctionMessageId === event.messageId) {
      Object.assign(change, { feedback: 'negative', groundTruth: null, correctionMessageId: null });
    }
    this.store.applyFeedback(interaction.id, change);
    return { note: 'recorded' };
  }

  private reactionAdded(interaction: InteractionRecord, polarity: 'negative' | 'positive'): Omit<FeedbackChange, 'at'> | null {
    const base = current(interaction);
    if (polarity === 'positive') {
      if (interaction.feedback !== 'none' && interaction.feedback !== 'negative') return null;
      return { ...base, feedback: 'positive', groundTruth: interaction.answer, correctionMessageId: null };
    }
    if (interaction.feedback === 'negative' || interaction.feedback === 'negative_corrected') return null;
    if (interaction.candidateText !== null) {
      return { ...base, feedback: 'negative_corrected', groundTruth: interaction.candidateText, correctionMessageId: interaction.candidateMessageId };
    }
    return { ...base, feedback: 'negative', groundTruth: null, correctionMessageId: null };
  }

  private reactionRemoved(interaction: InteractionRecord, polarity: 'negative' | 'positive'): Omit<FeedbackChange, 'at'> | null {
    const takesBack = polarity === 'positive' ? interaction.feedback === 'positive' : interaction.feedback === 'negative' || interaction.feedback === 'negative_corrected';
    if (!takesBack) return null;
    // The correction text stays as a candidate, so a renewed 👎 pairs with it again.
    return { ...current(interaction), feedback: 'none', groundTruth: null, correctionMessageId: null };
  }
}

function current(interaction: InteractionRecord): Omit<FeedbackChange, 'at'> {
  return {
    feedback: interaction.feedback,
    groundTruth: interaction.groundTruth,
    correctionMessageId: interaction.correctionMessageId,
    candidateText: interaction.candidateText,
    candidateMessageId: interaction.candidateMessageId,
  };
}
