import type { ChatRequest, ChatResult, ToolCall } from '../core/ports.js';
import { findJson } from './json-text.js';
import { readTextToolCalls } from './text-tool-calls.js';
import { stripThinking } from './thinking.js';

/** A reply as the server sent it, before any of it is mended. */
export interface RawReply {
  content: string;
  /** Calls from the server's tool-call field. */
  toolCalls: ToolCall[];
  /** A call from the tool-call field that could not be read (arguments that are not JSON). */
  toolCallProblem?: string;
  promptTokens: number;
  completionTokens: number;
  truncated: boolean;
}

/**
 * Turns what a server sent into what the core may use, the same way for every provider: thinking
 * removed; for a JSON-schema request, the JSON taken out of any prose or fence; for an agent turn,
 * a tool call written as text read as a call (and taken out of the answer).
 */
export function cleanReply(raw: RawReply, request: Pick<ChatRequest, 'tools' | 'format'>): ChatResult {
  const repaired: NonNullable<ChatResult['repaired']> = [];
  let content = stripThinking(raw.content);
  if (content !== raw.content) repaired.push('thinking');
  const result: ChatResult = { content, toolCalls: raw.toolCalls, promptTokens: raw.promptTokens, completionTokens: raw.completionTokens, truncated: raw.truncated };
  if (raw.toolCallProblem) result.toolCallProblem = raw.toolCallProblem;
  if (request.format) {
    const found = findJson(content);
    if (found && (found.mended || found.start > 0 || found.end < content.length)) {
      content = JSON.stringify(found.value);
      repaired.push('json');
    }
  } else if (request.tools !== undefined && raw.toolCalls.length === 0) {
    const written = readTextToolCalls(content, request.tools.map((tool) => tool.name));
    if (written) {
      content = written.rest;
      result.toolCalls = written.calls;
      result.toolCallText = written.text;
      if (written.problem) result.toolCallProblem = written.problem;
      repaired.push('tool-call');
    }
  }
  result.content = content;
  if (repaired.length > 0) result.repaired = repaired;
  return result;
}

/**
 * Calls from a server's tool-call field, their arguments as sent: a JSON string (OpenAI-compatible
 * servers) or an object (Ollama). Arguments that cannot be read make the call a problem to show the
 * model (the first one is reported), never a call with made-up arguments.
 */
export function readCalls(calls: Array<{ name: string; arguments: unknown }>): { toolCalls: ToolCall[]; toolCallProblem?: string } {
  const toolCalls: ToolCall[] = [];
  let problem: string | undefined;
  for (const call of calls) {
    const read = parseArguments(call.name, call.arguments);
    if ('problem' in read) problem ??= read.problem;
    toolCalls.push({ name: call.name, arguments: 'arguments' in read ? read.arguments : {} });
  }
  return { toolCalls, ...(problem ? { toolCallProblem: problem } : {}) };
}

/** One call's arguments as an object; a problem when they are not valid JSON, or JSON of another kind than an object. */
function parseArguments(name: string, sent: unknown): { arguments: Record<string, unknown> } | { problem: string } {
  if (sent === undefined || sent === null || (typeof sent === 'string' && sent.trim() === '')) return { arguments: {} };
  if (isObject(sent)) return { arguments: sent };
  const text = typeof sent === 'string' ? sent : JSON.stringify(sent);
  let value: unknown;
  try {
    value = typeof sent === 'string' ? JSON.parse(sent) : sent;
  } catch {
    return { problem: `the arguments of the ${name} call are not valid JSON: ${text.slice(0, 200)}` };
  }
  return isObject(value) ? { arguments: value } : { problem: `the arguments of the ${name} call are not a JSON object: ${text.slice(0, 200)}` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
