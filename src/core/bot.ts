import type { Logger } from 'pino';
import type { Store } from '../memory/store.js';
import type { InteractionRecord } from '../memory/records.js';
import { Answerer, type AnswererDeps } from './answerer.js';
import { FeedbackControls } from './feedback-controls.js';
import { FeedbackRules, type FeedbackOutcome, type FeedbackSettings } from './feedback.js';
import { FollowUps, type FollowUpMode } from './follow-ups.js';
import { QuestionFiles, type FileSettings, type ReadQuestion } from './question-files.js';
import { messages } from './messages.js';
import { InFlight } from './in-flight.js';
import { MemberNames } from './member-names.js';
import { PersonaCommand } from './persona-command.js';
import type { Chat, ChatEvent, EventOutcome, EventSink, MemberKey, MentionEvent, ModelQueue, Platform, ReactionEvent, ReplyEvent } from './ports.js';

/** Everything the bot needs, injected by the composition root. */
export interface BotDeps extends AnswererDeps {
  queue: ModelQueue & { close?(): void };
  feedback: FeedbackSettings;
  maxMessageChars: number;
  /** A member with this many questions waiting or being answered gets a note instead of another place in the queue. */
  maxPendingPerMember: number;
  /** `thread`: a member's next messages in a thread where the bot answered them are questions (FOLLOW_UPS). */
  followUps?: FollowUpMode;
  /** Limits and the model's abilities for attached files; without it files are not read. */
  files?: FileSettings;
}

/** After the grace period, how long the notes to members whose answers were stopped may take. */
const NOTE_GRACE_MS = 5_000;

/** The product: answers mentions with the member's persona and turns feedback into ground truth. */
export class Bot implements EventSink {
  private readonly rules: FeedbackRules;
  private readonly command: PersonaCommand;
  private readonly inFlight = new InFlight();
  private readonly answerer: Answerer;
  private readonly followUps: FollowUps;
  private readonly controls: FeedbackControls;
  private readonly files: QuestionFiles | null;
  private readonly names: MemberNames;

  constructor(private readonly deps: BotDeps) {
    this.rules = new FeedbackRules(deps.store, deps.feedback);
    this.names = new MemberNames(deps.store, deps.logger);
    this.command = new PersonaCommand(deps.store, deps.personas, deps.instructions, this.names);
    this.answerer = new Answerer(deps);
    this.followUps = new FollowUps(deps.store, deps.followUps ?? 'thread');
    this.controls = new FeedbackControls(deps.store, this.rules, deps.feedback.maxCorrectionChars);
    this.files = deps.files ? new QuestionFiles(deps.files) : null;
  }

  /** Handles one platform event; errors are logged with ids and never thrown to the adapter. */
  async handle(event: ChatEvent, chat: Chat): Promise<EventOutcome | void> {
    const work = this.dispatch(event, chat).catch(async (error: unknown): Promise<EventOutcome> => {
      this.deps.logger.error({ err: error, kind: event.kind, ...eventIds(event) }, 'event failed');
      await this.apologise(event, chat).catch(() => undefined);
      return { counted: false, note: messages.eventFailedNote };
    });
    return this.inFlight.track(work);
  }

  /**
   * Waits for in-flight events up to `graceMs`; then questions still waiting for the model are told
   * the bot is restarting (they stay stored), and answers still running are stopped with a note.
   */
  async drain(graceMs: number): Promise<void> {
    await this.inFlight.settled(graceMs);
    this.deps.queue.close?.();
    this.answerer.abortAll();
    await this.inFlight.settled(NOTE_GRACE_MS);
  }

  /** Tells the member briefly that their message could not be handled (the database may be locked). */
  private async apologise(event: ChatEvent, chat: Chat): Promise<void> {
    if (event.kind === 'mention' || (event.kind === 'reply' && event.addressed)) {
      await chat.send({ channelId: event.channelId, threadId: event.threadId, replyToId: event.messageId }, messages.unexpected);
    } else if (event.kind === 'command' || event.kind === 'control' || event.kind === 'form') {
      await chat.sendPrivate({ channelId: event.channelId, member: event.member }, messages.unexpected);
    }
  }

  private async dispatch(event: ChatEvent, chat: Chat): Promise<EventOutcome | void> {
    switch (event.kind) {
      case 'mention':
        return this.onMessage(event, chat, true);
      case 'reply':
        return this.onMessage(event, chat, event.addressed || this.followUps.applies(event));
      case 'reaction':
        return this.onReaction(event, chat);
      case 'edit':
        this.log(this.rules.onEdit(event.member, event), event);
        return;
      case 'delete':
        this.log(this.rules.onDelete(event, event), event);
        return;
      case 'command':
        return this.command.handle(event, chat);
      case 'control':
        return this.controls.onControl(event, chat);
      case 'form':
        return event.form === 'correction' ? this.controls.onSubmit(event, chat) : this.command.onForm(event, chat);
    }
  }

  /** A mention or reply: a correction of the member's own answer, or a question to answer. */
  private async onMessage(event: MentionEvent | ReplyEvent, chat: Chat, answerIt: boolean): Promise<void> {
    const target = this.rules.target(event.member, event);
    const asker = this.deps.store.findMember(event.member);
    if (target && asker !== undefined && target.memberId === asker && isFeedbackFor(target, event, answerIt)) {
      const outcome = this.rules.onReply(target, event);
      await this.acknowledge(outcome, chat, event.member, event.channelId, event);
      if (outcome.corrected || !answerIt || (event.text.trim() === '' && !event.attachments?.length)) return;
    } else if (!answerIt) {
      return;
    }
    await this.answer(event, chat, target && target.memberId === asker ? target : undefined);
  }

  private async answer(event: MentionEvent | ReplyEvent, chat: Chat, earlier: InteractionRecord | undefined): Promise<void> {
    const { store, logger } = this.deps;
    const text = event.text.trim();
    const where = { channelId: event.channelId, threadId: event.threadId, parentChannelId: event.parentChannelId, replyToId: event.messageId };
    if (text === '' && !event.attachments?.length) return void (await chat.send(where, messages.emptyQuestion));
    if (text.length > this.deps.maxMessageChars) return void (await chat.send(where, messages.tooLong(text.length, this.deps.maxMessageChars)));
    const memberId = store.ensureMember(event.member, event.at);
    const pending = this.deps.queue.pending(Answerer.lane(memberId));
    if (pending >= this.deps.maxPendingPerMember && !store.findQuestion(memberId, event.messageId)) {
      return void (await chat.send(where, messages.tooManyPending(pending)));
    }
    const conversationId = event.threadId ?? earlier?.conversationId ?? event.messageId;
    const asked = await this.withFiles(memberId, event, text, chat);
    const question = { memberId, channelId: event.channelId, threadId: event.threadId, conversationId, messageId: event.messageId, text: asked.text, at: event.at };
    // Claimed in the transaction that stores it: no other process can take it up between the two.
    const { interaction, duplicate } = store.recordQuestion(question, this.answerer.questionClaim());
    if (duplicate) {
      // A redelivery of a question that never got its answer (the first delivery was cut short) is a retry.
      if (!this.answerer.isRetry(interaction.id)) return void logger.debug({ messageId: event.messageId }, 'duplicate delivery ignored');
      logger.info({ interactionId: interaction.id }, 'redelivered question without an answer: answering it');
    }
    // The member's name is looked up while the answer is written, never before it.
    await Promise.all([
      this.answerer.answer({ interaction, member: event.member, where, leadIn: asked.notes.join('\n') || undefined, images: asked.images }, chat),
      this.names.note(event.member, event.displayName, chat),
    ]);
  }

  /** The question with its attached files read; a question seen before is not fetched again. */
  private async withFiles(memberId: number, event: MentionEvent | ReplyEvent, text: string, chat: Chat): Promise<ReadQuestion> {
    const attachments = event.attachments ?? [];
    const seen = attachments.length > 0 ? this.deps.store.findQuestion(memberId, event.messageId) : undefined;
    if (attachments.length === 0 || !this.files || seen) return { text: seen?.question ?? text, images: [], notes: [] };
    return this.files.read(text, attachments, chat);
  }

  /**
   * Answers the questions a stop or a crash left without an answer in the last `windowMs`, in
   * order, through the queue, with a word that the bot restarted. Claims make sure none is answered
   * twice; a question a dead process still holds is looked at again once its claim has run out.
   */
  recover(chats: Partial<Record<Platform, Chat>>, windowMs: number, retryAfterMs?: number): number {
    const { store, logger } = this.deps;
    let started = 0;
    for (const question of store.claims.pendingSince(new Date(Date.now() - windowMs))) {
      const chat = chats[question.member.platform];
      const interaction = store.interaction(question.interactionId);
      if (!chat || !interaction || this.answerer.isActive(interaction.id)) continue;
      const where = { channelId: question.channelId, threadId: question.threadId ?? undefined, replyToId: question.questionMessageId };
      void this.inFlight.track(this.answerer.answer({ interaction, member: question.member, where, leadIn: messages.restartedLeadIn }, chat).catch((error: unknown) => logger.error({ err: error, interactionId: interaction.id }, 'recovered question failed')));
      started += 1;
    }
    if (started > 0) logger.info({ questions: started }, 'answering questions left from before the restart');
    if (retryAfterMs !== undefined) setTimeout(() => this.recover(chats, windowMs), retryAfterMs).unref();
    return started;
  }

  /** A reaction: written when it counts; the outcome says whether it did, and why not. */
  private async onReaction(event: ReactionEvent, chat: Chat): Promise<EventOutcome> {
    const outcome = this.rules.onReaction(event.member, event);
    if (outcome.promotedMessageId) this.withdrawQuestion(event.member, outcome.promotedMessageId);
    await this.acknowledge(outcome, chat, event.member, event.channelId, event);
    return { counted: outcome.note === 'recorded', note: outcome.why };
  }

  /** A reply that became a correction is not a question: its answer is stopped, and it leaves the member's memory. */
  private withdrawQuestion(member: MemberKey, messageId: string): void {
    const { store, logger } = this.deps;
    const memberId = store.findMember(member);
    const question = memberId === undefined ? undefined : store.findQuestion(memberId, messageId);
    if (!question) return;
    this.answerer.cancel(question.id);
    store.forgetInteraction(question.id);
    logger.info({ interactionId: question.id, messageId }, 'a reply became a correction: withdrawn as a question');
  }

  private async acknowledge(outcome: FeedbackOutcome, chat: Chat, member: MentionEvent['member'], channelId: string, event: ChatEvent): Promise<void> {
    this.log(outcome, event);
    if (outcome.reactTo) await chat.react(outcome.reactTo, outcome.reactTo.emoji);
    if (outcome.privateText) await chat.sendPrivate({ channelId, member, about: 'messageId' in event ? event.messageId : undefined }, outcome.privateText);
  }

  private log(outcome: FeedbackOutcome, event: ChatEvent): void {
    this.deps.logger.info({ kind: event.kind, outcome: outcome.note, ...eventIds(event) }, 'feedback');
  }

}

/**
 * Whether the member's message may be ground truth for their earlier answer: always after a 👎 (it is
 * the correction); before one only when it is not a question of its own, or replies to that very
 * answer (a Discord reply the 👎 may then pair with). A follow-up answered as a question in a thread
 * is not a correction waiting to happen: a later 👎 on the earlier answer must not turn it into one.
 */
function isFeedbackFor(target: InteractionRecord, event: MentionEvent | ReplyEvent, answered: boolean): boolean {
  if (target.feedback === 'negative' || !answered) return true;
  return event.replyToId !== undefined && target.answerMessageIds.includes(event.replyToId);
}

function eventIds(event: ChatEvent): Record<string, string> {
  const ids: Record<string, string> = { channelId: event.channelId };
  if ('messageId' in event) ids.messageId = event.messageId;
  if ('member' in event) ids.userId = event.member.userId;
  return ids;
}
