import type { Logger } from 'pino';
import type { Agent } from '../core/agent.js';
import type { Aligner, AlignmentSettings } from '../core/alignment.js';
import { createLearning } from '../core/learning.js';
import type { Personas } from '../core/personas.js';
import type { ProfileWriter } from '../core/profile.js';
import type { Encyclopedia, LanguageModel, ModelMessage, ToolCall } from '../core/ports.js';
import type { Prompts } from '../core/prompts.js';
import { Store } from '../memory/store.js';
import type { PoolTitle } from './citation-items.js';
import type { EvalPrompts } from './eval-prompts.js';
import type { EvalQuestion, EvalUser } from './lamp-data.js';
import { MemBank } from './membank.js';
import { importMemory, memberKeyFor, memoryItems } from './memory-import.js';
import { profileSource } from './profile-source.js';
import type { MethodSpec } from './methods.js';
import type { SetupRecord } from './predictions-log.js';
import { questionContent, type TaskSpec } from './tasks.js';

/** Settings the bot's code is built with for an evaluation run. */
export interface EvalSettings {
  embedModel: string;
  temperature: number;
  /** K for the agent's memory search (RAG-k methods use their own k). */
  topK: number;
  maxSteps: number;
  alignment: AlignmentSettings;
}

/** What opening a method's run needs. */
export interface MethodContextOptions {
  spec: MethodSpec;
  task: TaskSpec;
  dbPath: string;
  model: LanguageModel;
  encyclopedia?: Encyclopedia;
  prompts: Prompts;
  evalPrompts: EvalPrompts;
  settings: EvalSettings;
  /** Paper titles of every user (LaMP-1 builds its alignment items with them). */
  pool: readonly PoolTitle[];
  logger: Logger;
  signal?: AbortSignal;
}

/** A user's setup, as far as answering needs it. */
export type UserSetup = Omit<SetupRecord, 'type' | 'usage'>;

/** What one answer produced. */
export interface MethodAnswerResult {
  output: string;
  toolCalls: ToolCall[];
  retrievedIds: number[];
}

/**
 * One method's run on its own database, wired from the bot's own classes (Store, Agent, Personas,
 * ProfileWriter, Aligner): the evaluation measures the code the bot runs, not a copy of it.
 */
export class MethodRunner {
  readonly store: Store;
  private readonly agent: Agent;
  private readonly personas: Personas;
  private readonly profiles: ProfileWriter;
  private readonly aligner: Aligner;
  private readonly memBank: MemBank;

  constructor(private readonly options: MethodContextOptions) {
    const { spec, model, prompts, settings, encyclopedia } = options;
    this.store = Store.open(options.dbPath);
    const topK = spec.answer.kind === 'direct' && spec.answer.retrieve > 0 ? spec.answer.retrieve : settings.topK;
    ({ agent: this.agent, personas: this.personas, profiles: this.profiles, aligner: this.aligner } = createLearning({
      store: this.store,
      model,
      prompts,
      encyclopedia,
      embedModel: settings.embedModel,
      topK,
      temperature: settings.temperature,
      maxSteps: settings.maxSteps,
      // Alignment simulates answers with the tools the method answers with.
      tools: spec.answer.kind === 'agent' ? spec.answer.tools : undefined,
      logger: options.logger,
      alignment: settings.alignment,
      profileSource: profileSource(options.task, options.evalPrompts),
    }));
    this.memBank = new MemBank({ store: this.store, model, prompts: options.evalPrompts, agent: this.agent, topK, temperature: settings.temperature, signal: options.signal });
  }

  /** Imports the user's history as the method's memory, writes the profile and persona, aligns. */
  async prepare(user: EvalUser): Promise<UserSetup> {
    const { spec, task, signal, settings } = this.options;
    const items = memoryItems(user, spec.memory, { batchSize: settings.alignment.batchSize, pool: this.options.pool }, { prompts: this.options.evalPrompts, task });
    const imported =
      items.length > 0
        ? await importMemory({ store: this.store, model: this.options.model, prompts: this.options.evalPrompts, task, embedModel: settings.embedModel, signal }, user, items)
        : { memberId: this.store.ensureMember(memberKeyFor(task, user), new Date(0)), imported: 0 };
    const setup: UserSetup = { userId: user.userId, memberId: imported.memberId, imported: imported.imported };
    if (spec.profile) await this.profiles.refresh(setup.memberId, signal);
    if (spec.answer.kind === 'membank') setup.membank = await this.memBank.build(setup.memberId, user.userId, items);
    if (spec.answer.kind !== 'agent' || spec.answer.persona === 'neutral') return setup;
    // The initial persona is written from the profile the method has (none for w/o memory), before alignment.
    this.personas.live(setup.memberId);
    if (spec.answer.persona === 'aligned') setup.alignment = await this.align(setup.memberId);
    setup.personaVersionId = this.personas.live(setup.memberId).id;
    return setup;
  }

  /** Answers one test question for a prepared user. Nothing about the question is stored. */
  async answer(setup: UserSetup, question: EvalQuestion): Promise<MethodAnswerResult> {
    const { spec, evalPrompts, task, signal } = this.options;
    const answer = spec.answer;
    if (answer.kind === 'direct') return this.answerDirect(setup.memberId, question, answer.retrieve, answer.withProfile);
    if (answer.kind === 'icl') return this.answerInContext(setup.memberId, question);
    if (answer.kind === 'membank') {
      if (!setup.membank) throw new Error(`MemBank setup missing for user ${setup.userId}`);
      const result = await this.memBank.answer(setup.memberId, setup.membank, question.input, questionContent(task, question.input));
      return { output: result.output, toolCalls: [], retrievedIds: result.retrievedIds };
    }
    const persona = answer.persona === 'neutral' ? evalPrompts.render('eval-neutral-persona') : this.personas.live(setup.memberId).text;
    const prefetch = answer.prefetch === true;
    const result = await this.agent.answer({ memberId: setup.memberId, persona, question: question.input, tools: answer.tools, prefetch, searchText: prefetch ? questionContent(task, question.input) : undefined, signal });
    return { output: result.answer, toolCalls: result.toolCalls, retrievedIds: result.retrievedIds };
  }

  /** Closes the database. */
  close(): void {
    this.store.close();
  }

  /** Algorithm 1 once per member; a member aligned by an earlier, interrupted run is not aligned again. */
  private async align(memberId: number): Promise<NonNullable<UserSetup['alignment']>> {
    const earlier = this.store.lastAlignmentRun(memberId);
    if (earlier) return { outcome: earlier.outcome, reason: earlier.detail, modelCalls: earlier.modelCalls, personaVersionId: earlier.personaVersionId };
    const report = await this.aligner.alignMember(memberId, { signal: this.options.signal });
    return { outcome: report.outcome, reason: report.reason, modelCalls: report.modelCalls, personaVersionId: report.personaVersionId };
  }

  /** RAG-k and PAG-k retrieve with the question's content (LaMP's query), not with the task's template. */
  private async answerDirect(memberId: number, question: EvalQuestion, retrieve: number, withProfile: boolean): Promise<MethodAnswerResult> {
    const { evalPrompts, model, settings, signal, task } = this.options;
    const records = retrieve > 0 ? await this.agent.recall(memberId, questionContent(task, question.input), undefined, signal) : [];
    const memories = this.agent.formatMemories(records);
    const content =
      retrieve === 0
        ? question.input
        : withProfile
          ? evalPrompts.render('eval-pag', { profile: this.store.profile(memberId)?.summary ?? '(none)', memories, question: question.input })
          : evalPrompts.render('eval-rag', { memories, question: question.input });
    const reply = await model.chat({ system: evalPrompts.render('eval-system'), messages: [{ role: 'user', content }], temperature: settings.temperature, signal });
    return { output: reply.content, toolCalls: [], retrievedIds: records.map((record) => record.id) };
  }

  /** ICL: the K newest labelled items as worked examples (question, then the user's answer) before the question. */
  private async answerInContext(memberId: number, question: EvalQuestion): Promise<MethodAnswerResult> {
    const { evalPrompts, model, settings, signal } = this.options;
    const examples = this.store.listInteractions(memberId, { labelledOnly: true, limit: settings.topK }).reverse();
    const messages: ModelMessage[] = examples.flatMap((example): ModelMessage[] => [
      { role: 'user', content: example.question },
      { role: 'assistant', content: example.groundTruth ?? '' },
    ]);
    messages.push({ role: 'user', content: question.input });
    const reply = await model.chat({ system: evalPrompts.render('eval-system'), messages, temperature: settings.temperature, signal });
    return { output: reply.content, toolCalls: [], retrievedIds: examples.map((example) => example.id) };
  }
}
