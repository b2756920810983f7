import type { Logger } from 'pino';
import type { Store } from '../memory/store.js';
import type { InteractionRecord } from '../memory/records.js';
import type { Agent } from './agent.js';
import { EmbeddingMismatchError, ModelError } from './errors.js';
import { FeedbackRules, type FeedbackOutcome, type FeedbackSettings } from './feedback.js';
import { messages } from './messages.js';
import { InFlight } from './in-flight.js';
import { PersonaCommand } from './persona-command.js';
import type { Personas } from './personas.js';
import type { Chat, ChatEvent, EventSink, LanguageModel, MentionEvent, ModelMessage, ReplyEvent } from './ports.js';

/** Everything the bot needs, injected by the composition root. */
export interface BotDeps {
  store: Store;
  agent: Agent;
  personas: Personas;
  model: LanguageModel;
  embedModel: string;
  logger: Logger;
  feedback: FeedbackSettings;
  maxMessageChars: number;
  /** How many earlier turns of an exchange go into the model call. */
  historyTurns?: number;
  now?: () => Date;
}

/** The product: answers mentions with the member's persona and turns feedback into ground truth. */
export class Bot implements EventSink {
  private readonly rules: FeedbackRules;
  private readonly command: PersonaCommand;
  private readonly inFlight = new InFlight();
  private readonly shutdown = new AbortController();

  constructor(private readonly deps: BotDeps) {
    this.rules = new FeedbackRules(deps.store, deps.feedback);
    this.command = new PersonaCommand(deps.store, deps.personas);
  }

  /** Handles one platform event; errors are logged with ids and never thrown to the adapter. */
  async handle(event: ChatEvent, chat: Chat): Promise<void> {
    const work = this.dispatch(event, chat).catch(async (error: unknown) => {
      this.deps.logger.error({ err: error, kind: event.kind, ...eventIds(event) }, 'event failed');
      await this.apologise(event, chat).catch(() => undefined);
    });
    await this.inFlight.track(work);
  }

  /** Waits for in-flight events up to `graceMs`, then cancels model calls still running. */
  async drain(graceMs: number): Promise<void> {
    await this.inFlight.settled(graceMs);
    this.shutdown.abort();
    await this.inFlight.settled();
  }

  /** Tells the member briefly that their message could not be handled (the database may be locked). */
  private async apologise(event: ChatEvent, chat: Chat): Promise<void> {
    if (event.kind === 'mention' || (event.kind === 'reply' && event.addressed)) {
      await chat.send({ channelId: event.channelId, threadId: event.threadId, replyToId: event.messageId }, messages.unexpected);
    } else if (event.kind === 'command') {
      await chat.sendPrivate({ channelId: event.channelId, member: event.member }, messages.unexpected);
    }
  }

  private async dispatch(event: ChatEvent, chat: Chat): Promise<void> {
    switch (event.kind) {
      case 'mention':
        return this.onMessage(event, chat, true);
      case 'reply':
        return this.onMessage(event, chat, event.addressed);
      case 'reaction': {
        const outcome = this.rules.onReaction(event.member, event);
        return this.acknowledge(outcome, chat, event.member, event.channelId, event);
      }
      case 'edit':
        this.log(this.rules.onEdit(event.member, event), event);
        return;
      case 'delete':
        this.log(this.rules.onDelete(event, event), event);
        return;
      case 'command':
        return chat.sendPrivate({ channelId: event.channelId, member: event.member }, this.command.run(event));
    }
  }

  /** A mention or reply: a correction of the member's own answer, or a question to answer. */
  private async onMessage(event: MentionEvent | ReplyEvent, chat: Chat, answerIt: boolean): Promise<void> {
    const target = this.rules.target(event.member, event);
    const asker = this.deps.store.findMember(event.member);
    if (target && asker !== undefined && target.memberId === asker) {
      const outcome = this.rules.onReply(target, event);
      await this.acknowledge(outcome, chat, event.member, event.channelId, event);
      if (outcome.corrected || !answerIt || event.text.trim() === '') return;
    } else if (!answerIt) {
      return;
    }
    await this.answer(event, chat, target && target.memberId === asker ? target : undefined);
  }

  private async answer(event: MentionEvent | ReplyEvent, chat: Chat, earlier: InteractionRecord | undefined): Promise<void> {
    const { store, logger } = this.deps;
    const text = event.text.trim();
    const where = { channelId: event.channelId, threadId: event.threadId, replyToId: event.messageId };
    if (text === '') return void (await chat.send(where, messages.emptyQuestion));
    if (text.length > this.deps.maxMessageChars) return void (await chat.send(where, messages.tooLong(text.length, this.deps.maxMessageChars)));
    const memberId = store.ensureMember(event.member, event.at);
    const conversationId = event.threadId ?? earlier?.conversationId ?? event.messageId;
    const { interaction, duplicate } = store.recordQuestion({ memberId, channelId: event.channelId, conversationId, messageId: event.messageId, text, at: event.at });
    if (duplicate) return void logger.debug({ messageId: event.messageId }, 'duplicate delivery ignored');
    const stopTyping = await chat.typing?.({ channelId: event.channelId, threadId: event.threadId, messageId: event.messageId }).catch(() => undefined);
    try {
      const reply = await this.compose(interaction, memberId, text);
      const sent = await chat.send(where, reply);
      store.recordAnswerMessages(interaction.id, { platform: event.member.platform, workspaceId: event.member.workspaceId, channelId: event.channelId }, sent.messageIds);
    } finally {
      await stopTyping?.().catch(() => undefined);
    }
  }

  /** Runs the agent; the answer is stored before it is sent. Model failures become a short message. */
  private async compose(interaction: InteractionRecord, memberId: number, question: string): Promise<string> {
    const { store, agent, personas, logger } = this.deps;
    const persona = personas.live(memberId);
    try {
      await this.embedQuestion(interaction, memberId, question);
      const started = Date.now();
      const result = await agent.answer({ memberId, persona: persona.text, question, history: this.history(interaction, memberId), beforeId: interaction.id, signal: this.shutdown.signal });
      store.recordAnswer(interaction.id, result.answer, persona.id, this.now());
      logger.info({ interactionId: interaction.id, memberId, modelCalls: result.modelCalls, tools: result.toolCalls.map((call) => call.name), ms: Date.now() - started }, 'answered');
      return result.answer;
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      store.recordFailure(interaction.id, error.code);
      logger.warn({ interactionId: interaction.id, code: error.code, model: error.model }, 'model failed');
      return messages.modelFailure(error.code);
    }
  }

  private async embedQuestion(interaction: InteractionRecord, memberId: number, question: string): Promise<void> {
    try {
      const [vector] = await this.deps.model.embed([question], this.shutdown.signal);
      if (vector) this.deps.store.recordVector(interaction.id, memberId, vector, this.deps.embedModel);
    } catch (error) {
      // Keyword search still finds this memory; `reembed` backfills the vector later.
      if (!(error instanceof ModelError) && !(error instanceof EmbeddingMismatchError)) throw error;
      this.deps.logger.warn({ interactionId: interaction.id, code: error.code }, 'question not embedded');
    }
  }

  private history(interaction: InteractionRecord, memberId: number): ModelMessage[] {
    const turns = this.deps.store.conversationTurns(memberId, interaction.conversationId, interaction.id, this.deps.historyTurns ?? 6);
    return turns.flatMap((turn): ModelMessage[] => [
      { role: 'user', content: turn.question },
      { role: 'assistant', content: turn.answer ?? '' },
    ]);
  }

  private async acknowledge(outcome: FeedbackOutcome, chat: Chat, member: MentionEvent['member'], channelId: string, event: ChatEvent): Promise<void> {
    this.log(outcome, event);
    if (outcome.reactTo) await chat.react(outcome.reactTo, outcome.reactTo.emoji);
    if (outcome.privateText) await chat.sendPrivate({ channelId, member }, outcome.privateText);
  }

  private log(outcome: FeedbackOutcome, event: ChatEvent): void {
    this.deps.logger.info({ kind: event.kind, outcome: outcome.note, ...eventIds(event) }, 'feedback');
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function eventIds(event: ChatEvent): Record<string, string> {
  const ids: Record<string, string> = { channelId: event.channelId };
  if ('messageId' in event) ids.messageId = event.messageId;
  if ('member' in event) ids.userId = event.member.userId;
  return ids;
}
