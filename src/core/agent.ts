import type { Store } from '../memory/store.js';
import type { InteractionRecord } from '../memory/records.js';
import { AgentTools, type ToolChoice } from './agent-tools.js';
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
  tools?: ToolChoice;
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
  tools?: ToolChoice;
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

  private readonly tools: AgentTools;

  constructor(private readonly deps: AgentDeps) {
    this.tokens = deps.tokens ?? new TokenCounter();
    this.tools = new AgentTools(deps.prompts, deps.encyclopedia !== undefined);
  }

  /**
   * Answers a question with the member's persona as the system prompt. A model without tool support
   * gets the member's memories in the prompt and no tools. A call that cannot be run (a tool not
   * offered, arguments that do not fit, a call written as unreadable text) gets one corrective turn;
   * after that the model answers without tools.
   */
  async answer(request: AgentRequest): Promise<AgentAnswer> {
    const allowed = request.tools ?? this.deps.tools ?? { memory: true, wikipedia: true };
    const takesTools = this.deps.model.capabilities?.tools !== false;
    const tools = takesTools ? this.tools.specs(allowed) : [];
    const result: AgentAnswer = { answer: '', toolCalls: [], retrievedIds: [], modelCalls: 0, promptTokens: 0, completionTokens: 0, trimmed: { memories: 0, historyTurns: 0, stepsClipped: 0 } };
    const prefetch = allowed.memory && (!takesTools || (request.prefetch ?? this.deps.prefetch ?? false));
    const memories = prefetch ? await this.prefetch(request, result, !takesTools) : undefined;
    const steps: ModelMessage[] = [];
    const loop = { rounds: 0, corrected: false, final: tools.length === 0, finalAsked: false };
    for (;;) {
      if (loop.final && tools.length > 0 && !loop.finalAsked) {
        steps.push({ role: 'user', content: this.deps.prompts.render('agent-final') });
        loop.finalAsked = true;
      }
      const offered = loop.final ? [] : tools;
      const prompt = assembleAnswerPrompt({ system: request.persona, tools: offered, question: request.question, files: request.files, images: request.images, memories, history: request.history ?? [], steps }, this.tokens, this.deps.model.contextTokens);
      addTrim(result.trimmed, prompt.trimmed);
      const reply = await this.call(request, prompt.messages, offered);
      result.modelCalls += 1;
      result.promptTokens += reply.promptTokens;
      result.completionTokens += reply.completionTokens;
      if (reply.toolCalls.length === 0 && !reply.toolCallProblem) return this.finish(result, reply);
      const problem = this.tools.problem(reply, offered);
      if (problem === null) {
        await this.runTools(reply, steps, request, result);
        loop.rounds += 1;
        loop.final = loop.rounds >= this.deps.maxSteps;
      } else if (!loop.corrected) {
        loop.corrected = true;
        steps.push(...this.tools.correction(reply, problem, offered));
      } else if (!loop.final) {
        loop.final = true;
      } else {
        throw new ModelError('MODEL_NO_ANSWER', 'The model kept writing tool calls instead of an answer.', this.deps.model.modelName, true);
      }
    }
  }

  private finish(result: AgentAnswer, reply: ChatResult): AgentAnswer {
    result.answer = reply.content.trim();
    if (result.answer === '') throw new ModelError('MODEL_NO_ANSWER', 'The model returned an empty answer.', this.deps.model.modelName, true);
    return result;
  }

  private async runTools(reply: ChatResult, steps: ModelMessage[], request: AgentRequest, result: AgentAnswer): Promise<void> {
    steps.push({ role: 'assistant', content: reply.content, toolCalls: reply.toolCalls });
    for (const call of reply.toolCalls) {
      result.toolCalls.push(call);
      request.onEvent?.({ type: 'tool', name: call.name });
      steps.push({ role: 'tool', toolName: call.name, content: await this.runTool(call, request, result) });
    }
  }

  /**
   * One model call; when the caller listens, the answer text is streamed to it as it comes. The
   * request's `tools` is a list even when empty: this is an agent turn, where a call written as text is
   * reported rather than taken as the answer.
   */
  private async call(request: AgentRequest, messages: ModelMessage[], tools: ToolSpec[]): Promise<ChatResult> {
    const base = { system: request.persona, messages, tools, temperature: this.deps.temperature, signal: request.signal };
    const listener = request.onEvent;
    const stream = listener ? new TextRelay((delta) => listener({ type: 'text', delta })) : undefined;
    const retract = () => {
      if (stream?.shown) listener!({ type: 'retract' });
      stream?.reset();
    };
    const reply = await this.deps.model.chat({ ...base, ...(stream ? { onText: (delta: string) => stream.push(delta), onRetract: retract } : {}) });
    if (reply.promptTokens > 0) this.tokens.observe(request.persona, messages, tools, reply.promptTokens);
    if (reply.toolCalls.length > 0 || reply.toolCallProblem) retract();
    else stream?.end();
    return reply;
  }

  /**
   * The member's top-K memories for the question, searched before the first model call. For a model
   * without tools they go in the question's message: a chat template without tool support may drop a tool turn.
   */
  private async prefetch(request: AgentRequest, result: AgentAnswer, inline: boolean): Promise<AnswerParts['memories']> {
    const exclude = new Set(request.excludeIds ?? []);
    const query = request.searchText ?? request.question;
    const found = await this.recall(request.memberId, query, request.beforeId, request.signal, request.searchText ? undefined : request.questionVector, exclude.size);
    const records = found.filter((record) => !exclude.has(record.id)).slice(0, this.deps.topK);
    result.retrievedIds.push(...records.map((record) => record.id));
    return {
      query,
      rendered: records.map((record) => this.formatMemory(record)),
      render: (kept) => {
        const memories = kept.length > 0 ? kept.join('\n\n') : this.deps.prompts.render('memory-none');
        return this.deps.prompts.render(inline ? 'memory-inline' : 'memory-prefetched', { memories });
      },
      inline,
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

  /** Runs a call that passed the tools' check. */
  private async runTool(call: ToolCall, request: AgentRequest, result: AgentAnswer): Promise<string> {
    const input = this.tools.input(call);
    if (call.name === 'search_memory') {
      const records = await this.recall(request.memberId, input, request.beforeId, request.signal);
      result.retrievedIds.push(...records.map((record) => record.id));
      return this.formatMemories(records);
    }
    const summary = await this.deps.encyclopedia?.summary(input, request.signal).catch(() => null);
    return summary ?? this.deps.prompts.render('wikipedia-missing', { topic: input });
  }
}

function addTrim(total: Trim, more: Trim): void {
  total.memories = Math.max(total.memories, more.memories);
  total.historyTurns = Math.max(total.historyTurns, more.historyTurns);
  total.stepsClipped = Math.max(total.stepsClipped, more.stepsClipped);
  if (more.fileChars) total.fileChars = Math.max(total.fileChars ?? 0, more.fileChars);
}
