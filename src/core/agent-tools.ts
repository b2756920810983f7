import { z } from 'zod';
import type { ChatResult, ModelMessage, ToolCall, ToolSpec } from './ports.js';
import type { Prompts } from './prompts.js';

/** Which of the agent's tools a question may use. */
export interface ToolChoice {
  memory: boolean;
  wikipedia: boolean;
}

/** The arguments each tool takes; a call is run only when its arguments fit. */
const argumentSchemas: Record<string, z.ZodType<Record<string, unknown>>> = {
  search_memory: z.object({ query: z.string().trim().min(1) }),
  wikipedia: z.object({ topic: z.string().trim().min(1) }),
};

/** The text argument of each tool. */
const inputOf: Record<string, string> = { search_memory: 'query', wikipedia: 'topic' };

/**
 * The agent's tools as the model sees them, and the check of every call it makes: only an offered
 * tool with arguments that fit is run; anything else becomes the text of one corrective turn.
 */
export class AgentTools {
  constructor(
    private readonly prompts: Prompts,
    private readonly hasEncyclopedia: boolean,
  ) {}

  /** The tool descriptions for the allowed tools. */
  specs(allowed: ToolChoice): ToolSpec[] {
    const { prompts } = this;
    const specs: ToolSpec[] = [];
    if (allowed.memory) {
      specs.push({
        name: 'search_memory',
        description: prompts.render('tool-search-memory'),
        parameters: { type: 'object', properties: { query: { type: 'string', description: prompts.render('tool-search-memory-query') } }, required: ['query'] },
      });
    }
    if (allowed.wikipedia && this.hasEncyclopedia) {
      specs.push({
        name: 'wikipedia',
        description: prompts.render('tool-wikipedia'),
        parameters: { type: 'object', properties: { topic: { type: 'string', description: prompts.render('tool-wikipedia-topic') } }, required: ['topic'] },
      });
    }
    return specs;
  }

  /** Why the calls of a reply cannot be run (said back to the model), or null when every one can. */
  problem(reply: ChatResult, offered: ToolSpec[]): string | null {
    if (reply.toolCallProblem) return reply.toolCallProblem;
    const names = offered.map((tool) => tool.name);
    for (const call of reply.toolCalls) {
      if (!names.includes(call.name)) return names.length === 0 ? this.prompts.render('tool-none') : this.prompts.render('tool-unknown', { tool: call.name, tools: names.join(', ') });
      const parsed = argumentSchemas[call.name]!.safeParse(call.arguments);
      if (parsed.success) continue;
      const input = inputOf[call.name]!;
      if (parsed.error.issues.some((issue) => issue.path[0] === input)) return this.prompts.render('tool-empty-input', { tool: call.name, input });
      return parsed.error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ');
    }
    return null;
  }

  /** The text argument of a call that passed `problem`. */
  input(call: ToolCall): string {
    return String(call.arguments[inputOf[call.name] ?? ''] ?? '').trim();
  }

  /**
   * The corrective turn: what the model wrote, then its error. A call from the tool-call field is
   * answered as a tool result; a call written as text, by a user message.
   */
  correction(reply: ChatResult, problem: string, offered: ToolSpec[]): ModelMessage[] {
    const tools = offered.length > 0 ? offered.map((tool) => tool.name).join(', ') : this.prompts.render('tool-none');
    const text = this.prompts.render('tool-call-retry', { error: problem, tools });
    if (reply.toolCallText === undefined && reply.toolCalls.length > 0) {
      return [{ role: 'assistant', content: reply.content, toolCalls: reply.toolCalls }, ...reply.toolCalls.map((call): ModelMessage => ({ role: 'tool', toolName: call.name, content: text }))];
    }
    return [
      { role: 'assistant', content: reply.toolCallText ?? reply.content },
      { role: 'user', content: text },
    ];
  }
}
