import type { Store } from '../memory/store.js';
import type { InteractionRecord } from '../memory/records.js';
import { ModelError } from './errors.js';
import type { Encyclopedia, LanguageModel, ModelMessage, ToolCall, ToolSpec } from './ports.js';
import type { Prompts } from './prompts.js';

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
}

/** One question to answer for one member. */
export interface AgentRequest {
  memberId: number;
  persona: string;
  question: string;
  /** Earlier turns of the same exchange, oldest first. */
  history?: ModelMessage[];
  /** Memory search sees only interactions older than this one (the question's own row and later are hidden). */
  beforeId?: number;
  /** Which tools the agent may use; both by default. */
  tools?: { memory: boolean; wikipedia: boolean };
  signal?: AbortSignal;
}

/** The agent's answer and what it cost. */
export interface AgentAnswer {
  answer: string;
  toolCalls: ToolCall[];
  retrievedIds: number[];
  modelCalls: number;
  promptTokens: number;
  completionTokens: number;
}

/** A ReAct loop over Ollama tool calling with two tools: the member's memory and Wikipedia. */
export class Agent {
  constructor(private readonly deps: AgentDeps) {}

  /** Answers a question with the member's persona as the system prompt. */
  async answer(request: AgentRequest): Promise<AgentAnswer> {
    const tools = this.toolSpecs(request.tools ?? { memory: true, wikipedia: true });
    const messages: ModelMessage[] = [...(request.history ?? []), { role: 'user', content: request.question }];
    const result: AgentAnswer = { answer: '', toolCalls: [], retrievedIds: [], modelCalls: 0, promptTokens: 0, completionTokens: 0 };
    for (let step = 0; step <= this.deps.maxSteps; step += 1) {
      const lastStep = step === this.deps.maxSteps || tools.length === 0;
      if (lastStep && tools.length > 0) messages.push({ role: 'user', content: this.deps.prompts.render('agent-final') });
      const reply = await this.deps.model.chat({
        system: request.persona,
        messages,
        tools: lastStep ? undefined : tools,
        temperature: this.deps.temperature,
        signal: request.signal,
      });
      result.modelCalls += 1;
      result.promptTokens += reply.promptTokens;
      result.completionTokens += reply.completionTokens;
      if (reply.toolCalls.length === 0 || lastStep) {
        result.answer = reply.content.trim();
        if (result.answer === '') throw new ModelError('MODEL_NO_ANSWER', 'The model returned an empty answer.', this.deps.model.modelName, true);
        return result;
      }
      messages.push({ role: 'assistant', content: reply.content, toolCalls: reply.toolCalls });
      for (const call of reply.toolCalls) {
        result.toolCalls.push(call);
        messages.push({ role: 'tool', toolName: call.name, content: await this.runTool(call, request, result) });
      }
    }
    throw new ModelError('MODEL_NO_ANSWER', 'The agent loop ended without an answer.', this.deps.model.modelName, true);
  }

  /** Formats memories the way the search tool shows them to the model. */
  formatMemories(records: InteractionRecord[]): string {
    if (records.length === 0) return this.deps.prompts.render('memory-none');
    return records
      .map((record) => {
        const when = record.askedAt.toISOString().slice(0, 10);
        return record.groundTruth !== null
          ? this.deps.prompts.render('memory-labelled', { when, question: record.question, truth: record.groundTruth })
          : this.deps.prompts.render('memory-unlabelled', { when, question: record.question, answer: record.answer ?? '' });
      })
      .join('\n\n');
  }

  /** Top-K memories for a query, embedding it when the embedding model answers. */
  async recall(memberId: number, query: string, beforeId?: number, signal?: AbortSignal): Promise<InteractionRecord[]> {
    let vector: Float32Array | undefined;
    try {
      [vector] = await this.deps.model.embed([query], signal);
    } catch (error) {
      // Keyword search still works without the embedding model; a cancelled call must still stop.
      if (error instanceof ModelError && error.code === 'MODEL_ABORTED') throw error;
    }
    return this.deps.store.searchMemory(memberId, { text: query, vector }, this.deps.topK, beforeId).map((hit) => hit.interaction);
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
    const available = this.toolSpecs(request.tools ?? { memory: true, wikipedia: true }).map((tool) => tool.name);
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
