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
import { describeTrim, PromptFitter } from './prompt-fit.js';
import type { SetupRecord } from './predictions-log.js';
import { questionContent, type TaskSpec } from './tasks.js';
import { toolRulesFor } from './tool-rules.js';

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
  /** What had to be left out of the prompt to fit the context (empty when nothing was). */
  trimmed: string[];
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
  private readonly fitter: PromptFitter;

  constructor(private readonly options: MethodContextOptions) {
    const { spec, model, prompts, settings, encyclopedia } = options;
    this.store = Store.open(options.dbPath);
    this.fitter = new PromptFitter(model);
    const topK = spec.answer.kind === 'direct' && spec.answer.retrieve > 0 ? spec.answer.retrieve : settings.topK;
    // The tools the agent really has: Wikipedia only when the run has it.
    const tools = spec.answer.kind === 'agent' ? { memory: spec.answer.tools.memory, wikipedia: spec.answer.tools.wikipedia && encyclopedia !== undefined } : undefined;
    ({ agent: this.agent, personas: this.personas, profiles: this.profiles, aligner: this.aligner } = createLearning({
      store: this.store,
      model,
      prompts,
      encyclopedia,
      embedModel: settings.embedModel,
      topK,
      temperature: settings.temperature,
      maxSteps: settings.maxSteps,
      // Alignment simulates answers with the tools the method answers with; its persona and rewrites are told of those tools only.
      tools,
      toolRules: tools ? toolRulesFor(tools, options.evalPrompts) : undefined,
      tokens: this.fitter.counter,
      logger: options.logger,
      alignment: settings.alignment,
      profileSource: profileSource(options.task, options.evalPrompts),
    }));
    this.memBank = new MemBank({ store: this.store, model, prompts: options.evalPrompts, agent: this.agent, fitter: this.fitter, topK, temperature: settings.temperature, signal: options.signal });
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
      return { ...result, toolCalls: [] };
    }
    const persona = answer.persona === 'neutral' ? evalPrompts.render('eval-neutral-persona') : this.personas.live(setup.memberId).text;
    const prefetch = answer.prefetch === true;
    const result = await this.agent.answer({ memberId: setup.memberId, persona, question: question.input, tools: answer.tools, prefetch, searchText: prefetch ? questionContent(task, question.input) : undefined, signal });
    return { output: result.answer, toolCalls: result.toolCalls, retrievedIds: result.retrievedIds, trimmed: describeTrim(result.trimmed) };
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
    const system = evalPrompts.render('eval-system');
    const profile = this.store.profile(memberId)?.summary ?? '(none)';
    const prompt = this.fitter.message(system, {
      fields: { question: question.input, ...(withProfile ? { profile } : {}) },
      ranked: { count: records.length, name: 'memories' },
      shrinkable: ['profile'],
      render: (fields, kept) => {
        if (retrieve === 0) return fields.question!;
        const memories = this.agent.formatMemories(records.slice(0, kept));
        return withProfile ? evalPrompts.render('eval-pag', { profile: fields.profile!, memories, question: fields.question! }) : evalPrompts.render('eval-rag', { memories, question: fields.question! });
      },
    });
    const reply = await model.chat({ system, messages: [{ role: 'user', content: prompt.content }], temperature: settings.temperature, signal });
    return { output: reply.content, toolCalls: [], retrievedIds: records.slice(0, prompt.kept).map((record) => record.id), trimmed: prompt.trimmed };
  }

  /** ICL: the K newest labelled items as worked examples (question, then the user's answer) before the question; the oldest go first to fit. */
  private async answerInContext(memberId: number, question: EvalQuestion): Promise<MethodAnswerResult> {
    const { evalPrompts, model, settings, signal } = this.options;
    const examples = this.store.listInteractions(memberId, { labelledOnly: true, limit: settings.topK }).reverse();
    const turns = examples.flatMap((example): ModelMessage[] => [
      { role: 'user', content: example.question },
      { role: 'assistant', content: example.groundTruth ?? '' },
    ]);
    const system = evalPrompts.render('eval-system');
    const prompt = this.fitter.examples(system, turns, question.input);
    const reply = await model.chat({ system, messages: prompt.messages, temperature: settings.temperature, signal });
    return { output: reply.content, toolCalls: [], retrievedIds: examples.slice(examples.length - prompt.kept).map((example) => example.id), trimmed: prompt.trimmed };
  }
}
