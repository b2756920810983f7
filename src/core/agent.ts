import type { Store } from '../memory/store.js';
import type { InteractionRecord } from '../memory/records.js';
import { assembleAnswerPrompt, type AnswerParts, type Trim } from './answer-prompt.js';
import { TokenCounter } from './context-budget.js';
import { ModelError } from './errors.js';
import type { ChatResult, Encyclopedia, LanguageModel, ModelImage, ModelMessage, ToolCall, ToolSpec } from './ports.js';
import type { Prompts } from './prompts.js';
import { questionWithoutFiles, type QuotedFile } from './quoted-files.js';
import { TextRelay } from './text-relay.js';

/** What the agent needs; all injected. */
export interface AgentDeps {
  model: LanguageModel;
  store: Store;
  prompts: Prompts;
  encyclopedia?: Encyclopedia;
  embedModel: string;
  topK: number;
  temperature: number;
  maxSteps: number;
  /** Search the member's memory before the first model call, so a typical answer is one call. */
  prefetch?: boolean;
  /** Shared token estimates, corrected by the server's counts. */
  tokens?: TokenCounter;
  /** The tools a request gets when it names none; both by default. */
  tools?: { memory: boolean; wikipedia: boolean };
}

/** One question to answer for one member. */
export interface AgentRequest {
  memberId: number;
  persona: string;
  question: string;
  /** Text files attached to the question (cut to fit the context when they must be). */
  files?: QuotedFile[];
  /** Images sent with the question, for a model that reads them. */
  images?: ModelImage[];
  /** Earlier turns of the same exchange, oldest first. */
  history?: ModelMessage[];
  /** Memory search sees only interactions older than this one (the question's own row and later are hidden). */
  beforeId?: number;
  /** Which tools the agent may use; the agent's default set when not given. */
  tools?: { memory: boolean; wikipedia: boolean };
  /** Overrides the agent's prefetch setting for this question. */
  prefetch?: boolean;
  /** What the prefetch searches for, when not the whole question (e.g. a task's content without its template). */
  searchText?: string;
  /** Interactions already in the prompt (earlier turns of the exchange): not repeated as memories. */
  excludeIds?: number[];
  /** The question's embedding, when the caller already has it (saves an embedding call). */
  questionVector?: Float32Array;
  /** Receives the answer as it is written, and the tool steps taken on the way. */
  onEvent?: (event: AgentEvent) => void;
  signal?: AbortSignal;
}

/** What happens while an answer is written. */
export type AgentEvent = { type: 'text'; delta: string } | { type: 'retract' } | { type: 'tool'; name: string };

/** The agent's answer and what it cost. */
export interface AgentAnswer {
  answer: string;
  toolCalls: ToolCall[];
  retrievedIds: number[];
  modelCalls: number;
  promptTokens: number;
  completionTokens: number;
  /** What the context budget left out, summed over the calls. */
  trimmed: Trim;
}

/**
 * A ReAct loop over tool calling with two tools, the member's memory and Wikipedia. With prefetch,
 * the member's top-K memories are in the prompt before the first call, marked as already searched,
 * and the tools stay offered for a further search or a lookup.
 */
export class Agent {
  private readonly tokens: TokenCounter;

  constructor(private readonly deps: AgentDeps) {
    this.tokens = deps.tokens ?? new TokenCounter();
  }

  /** Answers a question with the member's persona as the system prompt. */
  async answer(request: AgentRequest): Promise<AgentAnswer> {
    const allowed = request.tools ?? this.deps.tools ?? { memory: true, wikipedia: true };
    const tools = this.toolSpecs(allowed);
    const result: AgentAnswer = { answer: '', toolCalls: [], retrievedIds: [], modelCalls: 0, promptTokens: 0, completionTokens: 0, trimmed: { memories: 0, historyTurns: 0, stepsClipped: 0 } };
    const memories = allowed.memory && (request.prefetch ?? this.deps.prefetch ?? false) ? await this.prefetch(request, result) : undefined;
    const steps: ModelMessage[] = [];
    for (let step = 0; step <= this.deps.maxSteps; step += 1) {
      const lastStep = step === this.deps.maxSteps || tools.length === 0;
      if (lastStep && tools.length > 0) steps.push({ role: 'user', content: this.deps.prompts.render('agent-final') });
      const offered = lastStep ? [] : tools;
      const prompt = assembleAnswerPrompt({ system: request.persona, tools: offered, question: request.question, files: request.files, images: request.images, memories, history: request.history ?? [], steps }, this.tokens, this.deps.model.contextTokens);
      addTrim(result.trimmed, prompt.trimmed);
      const reply = await this.call(request, prompt.messages, offered);
      result.modelCalls += 1;
      result.promptTokens += reply.promptTokens;
      result.completionTokens += reply.completionTokens;
      if (reply.toolCalls.length === 0 || lastStep) {
        result.answer = reply.content.trim();
        if (result.answer === '') throw new ModelError('MODEL_NO_ANSWER', 'The model returned an empty answer.', this.deps.model.modelName, true);
        return result;
      }
      steps.push({ role: 'assistant', content: reply.content, toolCalls: reply.toolCalls });
      for (const call of reply.toolCalls) {
        result.toolCalls.push(call);
        request.onEvent?.({ type: 'tool', name: call.name });
        steps.push({ role: 'tool', toolName: call.name, content: await this.runTool(call, request, result) });
      }
    }
    throw new ModelError('MODEL_NO_ANSWER', 'The agent loop ended without an answer.', this.deps.model.modelName, true);
  }

  /** One model call; when the caller listens, the text is streamed to it as it comes. */
  private async call(request: AgentRequest, messages: ModelMessage[], tools: ToolSpec[]): Promise<ChatResult> {
    const base = { system: request.persona, messages, tools: tools.length > 0 ? tools : undefined, temperature: this.deps.temperature, signal: request.signal };
    const listener = request.onEvent;
    const stream = listener ? new TextRelay((delta) => listener({ type: 'text', delta })) : undefined;
    const reply = await this.deps.model.chat({ ...base, ...(stream ? { onText: (delta: string) => stream.push(delta) } : {}) });
    if (reply.promptTokens > 0) this.tokens.observe(request.persona, messages, tools, reply.promptTokens);
    if (stream && reply.toolCalls.length > 0) {
      if (stream.shown) listener!({ type: 'retract' });
    } else {
      stream?.end();
    }
    return reply;
  }

  /** The member's top-K memories for the question, searched before the first model call. */
  private async prefetch(request: AgentRequest, result: AgentAnswer): Promise<AnswerParts['memories']> {
    const exclude = new Set(request.excludeIds ?? []);
    const query = request.searchText ?? request.question;
    const found = await this.recall(request.memberId, query, request.beforeId, request.signal, request.searchText ? undefined : request.questionVector, exclude.size);
    const records = found.filter((record) => !exclude.has(record.id)).slice(0, this.deps.topK);
    result.retrievedIds.push(...records.map((record) => record.id));
    return {
      query,
      rendered: records.map((record) => this.formatMemory(record)),
      render: (kept) => this.deps.prompts.render('memory-prefetched', { memories: kept.length > 0 ? kept.join('\n\n') : this.deps.prompts.render('memory-none') }),
    };
  }

  /** Formats memories the way the search tool shows them to the model. */
  formatMemories(records: InteractionRecord[]): string {
    if (records.length === 0) return this.deps.prompts.render('memory-none');
    return records.map((record) => this.formatMemory(record)).join('\n\n');
  }

  private formatMemory(record: InteractionRecord): string {
    const when = record.askedAt.toISOString().slice(0, 10);
    return record.groundTruth !== null
      ? this.deps.prompts.render('memory-labelled', { when, question: questionWithoutFiles(record.question), truth: record.groundTruth })
      : this.deps.prompts.render('memory-unlabelled', { when, question: questionWithoutFiles(record.question), answer: record.answer ?? '' });
  }

  /** Top-K memories for a query, embedding it (unless `vector` is given) when the embedding model answers. */
  async recall(memberId: number, query: string, beforeId?: number, signal?: AbortSignal, vector?: Float32Array, extra = 0): Promise<InteractionRecord[]> {
    if (!vector) {
      try {
        [vector] = await this.deps.model.embed([query], signal);
      } catch (error) {
        // Keyword search still works without the embedding model; a cancelled or timed-out answer must still stop.
        if (error instanceof ModelError && (error.code === 'MODEL_ABORTED' || signal?.aborted)) throw error;
      }
    }
    return this.deps.store.searchMemory(memberId, { text: query, vector }, this.deps.topK + extra, beforeId).map((hit) => hit.interaction);
  }

  private async runTool(call: ToolCall, request: AgentRequest, result: AgentAnswer): Promise<string> {
    const input = String(call.arguments.query ?? call.arguments.topic ?? call.arguments.input ?? '').trim();
    const { prompts } = this.deps;
    if (input === '') return prompts.render('tool-empty-input', { tool: call.name });
    if (call.name === 'search_memory') {
      const records = await this.recall(request.memberId, input, request.beforeId, request.signal);
      result.retrievedIds.push(...records.map((record) => record.id));
      return this.formatMemories(records);
    }
    if (call.name === 'wikipedia' && this.deps.encyclopedia) {
      const summary = await this.deps.encyclopedia.summary(input, request.signal).catch(() => null);
      return summary ?? prompts.render('wikipedia-missing', { topic: input });
    }
    const available = this.toolSpecs(request.tools ?? this.deps.tools ?? { memory: true, wikipedia: true }).map((tool) => tool.name);
    return prompts.render('tool-unknown', { tool: call.name, tools: available.join(', ') });
  }

  private toolSpecs(allowed: { memory: boolean; wikipedia: boolean }): ToolSpec[] {
    const { prompts } = this.deps;
    const specs: ToolSpec[] = [];
    if (allowed.memory) {
      specs.push({
        name: 'search_memory',
        description: prompts.render('tool-search-memory'),
        parameters: { type: 'object', properties: { query: { type: 'string', description: prompts.render('tool-search-memory-query') } }, required: ['query'] },
      });
    }
    if (allowed.wikipedia && this.deps.encyclopedia) {
      specs.push({
        name: 'wikipedia',
        description: prompts.render('tool-wikipedia'),
        parameters: { type: 'object', properties: { topic: { type: 'string', description: prompts.render('tool-wikipedia-topic') } }, required: ['topic'] },
      });
    }
    return specs;
  }
}

function addTrim(total: Trim, more: Trim): void {
  total.memories = Math.max(total.memories, more.memories);
  total.historyTurns = Math.max(total.historyTurns, more.historyTurns);
  total.stepsClipped = Math.max(total.stepsClipped, more.stepsClipped);
  if (more.fileChars) total.fileChars = Math.max(total.fileChars ?? 0, more.fileChars);
}
