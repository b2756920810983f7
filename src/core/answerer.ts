import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { InteractionRecord } from '../memory/records.js';
import type { Store } from '../memory/store.js';
import type { Agent, AgentEvent } from './agent.js';
import { AnswerProgress, defaultProgressDelays, sendWhenDone, type ProgressDelays } from './answer-progress.js';
import { wasTrimmed } from './answer-prompt.js';
import { AnswerClock, CancelledAnswer, modelCode, Written } from './answer-state.js';
import { ContextTooSmallError } from './context-budget.js';
import { EmbeddingMismatchError, ModelError } from './errors.js';
import { messages } from './messages.js';
import type { Personas } from './personas.js';
import type { ChannelInstructions } from './channel-instructions.js';
import type { AnswerStream, Chat, LanguageModel, MemberKey, ModelImage, ModelMessage, ModelQueue, SendTarget } from './ports.js';
import { questionWithoutFiles, splitQuestion } from './quoted-files.js';

/** What the answer path needs, injected by the composition root. */
export interface AnswererDeps {
  store: Store;
  agent: Agent;
  personas: Personas;
  /** Used for the question's embedding; model calls made inside an answer do not queue again. */
  model: LanguageModel;
  queue: ModelQueue;
  embedModel: string;
  logger: Logger;
  /** One deadline for the whole answer, shared by every call it makes. */
  answerTimeoutMs: number;
  /** How many earlier turns of an exchange go into the model call. */
  historyTurns?: number;
  progress?: ProgressDelays;
  /** How long a claim on a question lasts unless renewed (a crashed process's claims run out after it). */
  claimTtlMs?: number;
  now?: () => Date;
  /** Adds a place's standing instructions to the member's persona (the system prompt). */
  instructions?: ChannelInstructions;
}

const DEFAULT_CLAIM_MS = 30_000;

/** One question to answer, already recorded. */
export interface AnswerJob {
  interaction: InteractionRecord;
  member: MemberKey;
  where: SendTarget;
  /** Said before the answer (e.g. that the bot restarted while the question waited). */
  leadIn?: string;
  /** Images sent with the question, for a model that reads them; never stored. */
  images?: ModelImage[];
}

/** Questions that were not reached before shutdown are marked so the next start answers them. */
export const INTERRUPTED = 'INTERRUPTED';

/**
 * The path from a recorded question to a written answer: wait for the model in the fair queue,
 * then embed, retrieve, and stream the agent's answer into the platform under one deadline. The
 * answer is stored before the stream is finished; message ids are stored as soon as they exist.
 */
export class Answerer {
  private readonly shutdown = new AbortController();
  /** This process's name on the claims it holds. */
  private readonly token = `${process.pid}-${randomUUID()}`;
  /** Answers waiting or running, by interaction id, so they can be cancelled one by one. */
  private readonly active = new Map<number, AbortController>();

  constructor(private readonly deps: AnswererDeps) {}

  /** The queue lane of a member: their questions are served in turn with other members'. */
  static lane(memberId: number): string {
    return `member:${memberId}`;
  }

  /** Whether this interaction is being answered (or waits for the model) in this process. */
  isActive(interactionId: number): boolean {
    return this.active.has(interactionId);
  }

  /** Stops one answer: it is not sent, and nothing more is stored for it. */
  cancel(interactionId: number): boolean {
    const controller = this.active.get(interactionId);
    controller?.abort(new CancelledAnswer());
    return controller !== undefined;
  }

  /** Cancels every answer still running (after the shutdown grace period). */
  abortAll(): void {
    this.shutdown.abort();
  }

  /** The claim this process takes on a question it is about to answer, to be taken as the question is recorded. */
  questionClaim(): { token: string; until: Date } {
    return { token: this.token, until: new Date(Date.now() + (this.deps.claimTtlMs ?? DEFAULT_CLAIM_MS)) };
  }

  /** Whether a redelivered question should be answered again: it waits for its answer and nobody here works on it. */
  isRetry(interactionId: number): boolean {
    return !this.isActive(interactionId) && this.deps.store.claims.isPending(interactionId);
  }

  /**
   * Answers one recorded question, start to finish, unless another worker holds it. The question is
   * claimed in the database first and the claim renewed while the answer waits and runs, so a
   * redelivery or a restart never answers it twice. Never throws for model failures.
   */
  async answer(job: AnswerJob, chat: Chat): Promise<void> {
    const { interaction } = job;
    const claim = this.claim(interaction.id);
    if (!claim) return void this.deps.logger.info({ interactionId: interaction.id }, 'question is being answered by another worker');
    const cancel = new AbortController();
    this.active.set(interaction.id, cancel);
    const onPosted = (messageId: string) => this.recordMessage(job, messageId);
    const stream = chat.stream ? chat.stream({ ...job.where, member: job.member, controls: { answerId: String(interaction.id) } }, onPosted) : sendWhenDone(chat, job.where, onPosted);
    const progress = new AnswerProgress(stream, this.deps.progress ?? defaultProgressDelays);
    const typing = Promise.resolve(chat.typing?.({ ...job.where, messageId: interaction.questionMessageId })).catch(() => undefined);
    const stopTyping = () => typing.then((stop) => stop?.()).catch(() => undefined);
    const written = new Written(job.leadIn);
    const clock = new AnswerClock();
    // Queued before anything is awaited, so questions keep the order they were given in.
    const ticket = { lane: Answerer.lane(interaction.memberId), priority: 'live' as const, signal: AbortSignal.any([cancel.signal, this.shutdown.signal]), onPosition: (ahead: number) => progress.queued(ahead) };
    try {
      await this.deps.queue.run(ticket, async () => {
        clock.started();
        progress.started();
        const deadline = AbortSignal.any([cancel.signal, this.shutdown.signal, AbortSignal.timeout(this.deps.answerTimeoutMs)]);
        const onEvent = (event: AgentEvent) => {
          if (event.type === 'text') clock.text();
          this.relay(event, stream, progress, written, stopTyping);
        };
        if (written.leadIn) onEvent({ type: 'text', delta: '' });
        const answer = await this.compose(job, onEvent, deadline, clock);
        progress.close();
        await stream.finish(written.final(answer));
      });
    } catch (error) {
      progress.close();
      // A withdrawn answer is cancelled whatever the model call made of the abort.
      await this.fail(job, stream, written, cancel.signal.aborted ? new CancelledAnswer() : error, clock.vector);
    } finally {
      this.active.delete(interaction.id);
      progress.close();
      // An answered question is no longer anyone's to claim; any other is handed back at once.
      if (!clock.answered) claim.release();
      await stopTyping();
    }
  }

  /** Claims a question for this process, renewing the claim until released; null when someone else holds it. */
  private claim(interactionId: number): { release(): void } | null {
    const { store } = this.deps;
    const ttl = this.deps.claimTtlMs ?? DEFAULT_CLAIM_MS;
    // Renews the claim a new question got as it was recorded (same token); takes it for a retry or a recovery.
    const take = () => store.claims.claim(interactionId, this.token, this.questionClaim().until);
    if (!take()) return null;
    const renew = setInterval(() => {
      try {
        take();
      } catch (error) {
        this.deps.logger.warn({ interactionId, err: error }, 'answer claim not renewed');
      }
    }, Math.max(100, Math.floor(ttl / 3)));
    renew.unref();
    return {
      release: () => {
        clearInterval(renew);
        try {
          store.claims.release(interactionId, this.token);
        } catch (error) {
          // The claim runs out by itself.
          this.deps.logger.warn({ interactionId, err: error }, 'answer claim not released');
        }
      },
    };
  }

  /** Runs the agent and stores the answer. */
  private async compose(job: AnswerJob, onEvent: (event: AgentEvent) => void, signal: AbortSignal, clock: AnswerClock): Promise<string> {
    const { store, agent, personas, logger } = this.deps;
    const { interaction } = job;
    const started = Date.now();
    const persona = personas.live(interaction.memberId);
    const system = this.deps.instructions?.systemPrompt(persona.text, job.member, job.where) ?? persona.text;
    const { text: question, files } = splitQuestion(interaction.question);
    const vector = (clock.vector = await this.embedQuestion(interaction, signal));
    const turns = this.deps.store.conversationTurns(interaction.memberId, interaction.conversationId, interaction.id, this.deps.historyTurns ?? 6);
    const history = turns.flatMap((turn): ModelMessage[] => [
      { role: 'user', content: turn.question },
      { role: 'assistant', content: turn.answer ?? '' },
    ]);
    const result = await agent.answer({ memberId: interaction.memberId, persona: system, question, files, images: job.images, history, excludeIds: turns.map((turn) => turn.id), beforeId: interaction.id, questionVector: vector, onEvent, signal });
    if (signal.aborted) throw signal.reason;
    clock.cost = { modelCalls: result.modelCalls, promptTokens: result.promptTokens, completionTokens: result.completionTokens };
    // The answer, the question's vector and what the answer cost: one transaction, before the member sees the end.
    const save = (withVector: boolean) =>
      store.transaction(() => {
        store.recordAnswer(interaction.id, result.answer, persona.id, this.now(), withVector && vector ? { vector, model: this.deps.embedModel } : undefined);
        store.recordAnswerMeasurement(interaction.id, clock.measurement());
      });
    try {
      save(true);
    } catch (error) {
      // Keyword search still finds this memory; `reembed` backfills the vector once the embedding space is settled.
      if (!(error instanceof EmbeddingMismatchError)) throw error;
      logger.warn({ interactionId: interaction.id, code: error.code }, 'question vector not stored');
      save(false);
    }
    clock.answered = true;
    if (wasTrimmed(result.trimmed)) logger.info({ interactionId: interaction.id, dropped: result.trimmed }, 'prompt trimmed to fit the context');
    logger.info({ interactionId: interaction.id, memberId: interaction.memberId, modelCalls: result.modelCalls, promptTokens: result.promptTokens, tools: result.toolCalls.map((call) => call.name), ms: Date.now() - started }, 'answered');
    return result.answer;
  }

  /** Passes the agent's progress to the member: text into the stream, tool steps into the status. */
  private relay(event: AgentEvent, stream: AnswerStream, progress: AnswerProgress, written: Written, stopTyping: () => Promise<unknown>): void {
    if (event.type === 'tool') return progress.toolStep(event.name);
    if (event.type === 'retract') {
      written.retract();
      stream.retract();
      if (written.leadIn) stream.append(written.add(''));
      return progress.retracted();
    }
    const first = written.shown === '';
    const text = written.add(event.delta);
    if (text === '') return;
    if (first) void stopTyping();
    progress.text();
    stream.append(text);
  }

  /** Tells the member what went wrong, at the end of whatever was written, and records it. */
  private async fail(job: AnswerJob, stream: AnswerStream, written: Written, error: unknown, vector: Float32Array | undefined): Promise<void> {
    const { store, logger } = this.deps;
    const id = job.interaction.id;
    // The question stays in memory without an answer; its vector keeps it findable.
    if (vector && !(error instanceof CancelledAnswer)) this.storeVector(job.interaction, vector);
    if (error instanceof CancelledAnswer) return void (await stream.finish('').catch(() => undefined));
    if ((error as { code?: string }).code === 'QUEUE_CLOSED') {
      store.recordFailure(id, INTERRUPTED);
      return void (await stream.fail('', messages.restarting).catch((sendError: unknown) => logger.warn({ interactionId: id, err: sendError }, 'restart note not sent')));
    }
    const code = error instanceof ContextTooSmallError ? 'CONTEXT_TOO_SMALL' : modelCode(error);
    if (code === null) {
      // Not the model's doing (a locked database, a platform error): logged in full, the member told once.
      logger.error({ interactionId: id, err: error }, 'answer failed unexpectedly');
      return void (await stream.fail(written.shown, messages.unexpected).catch(() => undefined));
    }
    store.recordFailure(id, code);
    logger.warn({ interactionId: id, code }, 'answer failed');
    const note = code === 'CONTEXT_TOO_SMALL' ? messages.contextTooSmall : written.shown.trim() === '' ? messages.modelFailure(code) : messages.cutOff(code);
    await stream.fail(written.shown, note);
  }

  private async embedQuestion(interaction: InteractionRecord, signal: AbortSignal): Promise<Float32Array | undefined> {
    try {
      const [vector] = await this.deps.model.embed([questionWithoutFiles(interaction.question)], signal);
      return vector;
    } catch (error) {
      // Keyword search still finds this memory; `reembed` backfills the vector later. A deadline still stops the answer.
      if (signal.aborted) throw signal.reason instanceof CancelledAnswer ? signal.reason : error;
      if (!(error instanceof ModelError) && !(error instanceof EmbeddingMismatchError)) throw error;
      this.deps.logger.warn({ interactionId: interaction.id, code: error.code }, 'question not embedded');
      return undefined;
    }
  }

  private storeVector(interaction: InteractionRecord, vector: Float32Array): void {
    try {
      this.deps.store.recordVector(interaction.id, interaction.memberId, vector, this.deps.embedModel);
    } catch (error) {
      // A forgotten member or a changed embedding space: the question is simply not found by meaning.
      this.deps.logger.warn({ interactionId: interaction.id, err: error }, 'question vector not stored');
    }
  }

  private recordMessage(job: AnswerJob, messageId: string): void {
    const place = { platform: job.member.platform, workspaceId: job.member.workspaceId, channelId: job.where.channelId };
    try {
      this.deps.store.recordAnswerMessages(job.interaction.id, place, [messageId]);
    } catch (error) {
      // The member was forgotten mid-answer: nothing is kept for them.
      this.deps.logger.warn({ interactionId: job.interaction.id, err: error }, 'answer message not recorded');
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
