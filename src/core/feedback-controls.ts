import type { InteractionRecord } from '../memory/records.js';
import type { Store } from '../memory/store.js';
import { chatMessages } from './chat-messages.js';
import type { FeedbackRules } from './feedback.js';
import type { Chat, ControlEvent, Form, FormEvent, MemberKey } from './ports.js';

/** How much of the question a correction form shows. */
const QUESTION_SHOWN = 1_000;

/**
 * The controls on an answer: 👍 marks it right as the reaction does; "Correct it" opens a form
 * showing the question, and what the asker submits there is their ground truth, as a 👎 and a
 * reply would make it. Only the asker's controls count; a second submission replaces the first.
 */
export class FeedbackControls {
  constructor(
    private readonly store: Store,
    private readonly rules: FeedbackRules,
    private readonly maxCorrectionChars: number,
  ) {}

  /** A press on 👍 or "Correct it". */
  async onControl(event: ControlEvent, chat: Chat): Promise<void> {
    const to = { channelId: event.channelId, member: event.member };
    const found = this.asked(event.member, event.answerId);
    if (typeof found === 'string') return chat.sendPrivate(to, found);
    if (event.control === 'approve') return chat.sendPrivate(to, this.approve(found, event));
    if (!chat.openForm) return chat.sendPrivate(to, chatMessages.noForms);
    await chat.openForm(this.form(found));
  }

  /** The correction form, submitted. */
  async onSubmit(event: FormEvent, chat: Chat): Promise<void> {
    const to = { channelId: event.channelId, member: event.member };
    const found = this.asked(event.member, event.subject);
    if (typeof found === 'string') return chat.sendPrivate(to, found);
    await chat.sendPrivate(to, this.correct(found, event.text, event.at));
  }

  /** The asker's interaction behind a control, or what to tell anyone else. */
  private asked(member: MemberKey, answerId: string): InteractionRecord | string {
    const interaction = /^\d{1,15}$/.test(answerId) ? this.store.interaction(Number(answerId)) : undefined;
    const memberId = this.store.findMember(member);
    if (interaction && interaction.memberId === memberId) return interaction;
    // Someone else's answer and an answer that is gone read differently, but neither reveals whose it was.
    return interaction ? chatMessages.onlyAsker : chatMessages.answerGone;
  }

  private approve(interaction: InteractionRecord, event: ControlEvent): string {
    // A correction given in the form has no 👎 reaction to take back: pressing 👍 there says how to change it.
    if (interaction.feedback === 'negative_corrected' && interaction.correctionMessageId === null) {
      return chatMessages.approveRefused('that answer has the right answer you gave; press Correct it to change it');
    }
    const outcome = this.rules.label(interaction, 'positive', { channelId: event.channelId, added: true, at: event.at });
    return outcome.note === 'recorded' ? chatMessages.approved : chatMessages.approveRefused(outcome.why ?? 'nothing changed');
  }

  private form(interaction: InteractionRecord): Form {
    const question = interaction.question.length > QUESTION_SHOWN ? `${interaction.question.slice(0, QUESTION_SHOWN - 1)}…` : interaction.question;
    return {
      kind: 'correction',
      subject: String(interaction.id),
      title: chatMessages.correctionTitle,
      context: chatMessages.correctionContext(question),
      label: chatMessages.correctionLabel,
      current: interaction.feedback === 'negative_corrected' ? (interaction.groundTruth ?? undefined) : undefined,
      maxLength: Math.min(this.maxCorrectionChars, 4_000),
    };
  }

  /**
   * The form's text becomes the ground truth. It stands apart from any reply: a reply given earlier
   * is no longer the correction, so editing or deleting that reply changes nothing from now on.
   */
  private correct(interaction: InteractionRecord, text: string, at: Date): string {
    const trimmed = text.trim();
    if (trimmed === '') return chatMessages.correctionFormEmpty;
    const kept = trimmed.slice(0, this.maxCorrectionChars);
    const replacing = interaction.feedback === 'negative_corrected';
    this.store.applyFeedback(interaction.id, { feedback: 'negative_corrected', groundTruth: kept, correctionMessageId: null, candidateText: kept, candidateMessageId: null, at });
    return replacing ? chatMessages.correctionReplaced : chatMessages.correctedByForm;
  }
}
