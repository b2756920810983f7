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
    const written = readTextToolCalls(content);
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

/** Reads a call's arguments sent as a JSON string (OpenAI-compatible servers); a problem when they are not a JSON object. */
export function parseArguments(name: string, text: string | undefined): { arguments: Record<string, unknown> } | { problem: string } {
  if (text === undefined || text.trim() === '') return { arguments: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return { arguments: value as Record<string, unknown> };
  } catch {
    // Reported below, so the model is shown its mistake.
  }
  return { problem: `the arguments of the ${name} call are not a JSON object: ${text.slice(0, 200)}` };
}
