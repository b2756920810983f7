import type { ToolCall } from '../core/ports.js';
import { balancedEnd, fencedBlocks, parseLenient } from './json-text.js';

/** Tool calls a model wrote as text instead of using the tool-call field. */
export interface TextToolCalls {
  calls: ToolCall[];
  /** The text the calls were read from (shown back to the model when a call needs correcting). */
  text: string;
  /** The reply with the calls taken out. */
  rest: string;
  /** Call-shaped text that could not be read, and why. */
  problem?: string;
}

interface Span {
  start: number;
  end: number;
  calls: ToolCall[];
  problem?: string;
}

/**
 * Reads tool calls written as text, in the forms small models use: a `<tool_call>…</tool_call>`
 * block (JSON, or Qwen3-Coder's `<function=…><parameter=…>` form), Llama 3's `<|python_tag|>`, a
 * fenced JSON block, a bare JSON object (or array of them) that is the whole reply, or one that ends
 * the reply after prose and calls only `offered` tools. The JSON is `{"name", "arguments"|"parameters"}`
 * or `{"type":"function","function":{…}}`. Null when there is none.
 */
export function readTextToolCalls(content: string, offered: readonly string[] = []): TextToolCalls | null {
  const spans = [...taggedCalls(content), ...pythonTagCalls(content)];
  if (spans.length === 0) spans.push(...fencedCalls(content));
  if (spans.length === 0) {
    const bare = wholeReplyCall(content) ?? trailingCall(content, offered);
    if (bare) spans.push(bare);
  }
  if (spans.length === 0) return null;
  spans.sort((a, b) => a.start - b.start);
  let rest = '';
  let cursor = 0;
  for (const span of spans) {
    rest += content.slice(cursor, span.start);
    cursor = Math.max(cursor, span.end);
  }
  rest += content.slice(cursor);
  const problem = spans.find((span) => span.problem)?.problem;
  return {
    calls: spans.flatMap((span) => span.calls),
    text: spans.map((span) => content.slice(span.start, span.end)).join('\n').trim(),
    rest: rest.trim(),
    ...(problem ? { problem } : {}),
  };
}

/** `<tool_call>…</tool_call>` blocks; the closing tag may be missing at the end of the reply. */
function taggedCalls(content: string): Span[] {
  const spans: Span[] = [];
  const pattern = /<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g;
  for (let match = pattern.exec(content); match; match = pattern.exec(content)) {
    const body = match[1]!.trim();
    const span = { start: match.index, end: match.index + match[0].length };
    spans.push({ ...span, ...(body.startsWith('<function=') ? xmlCalls(body) : jsonCalls(body, 'in <tool_call> tags')) });
    if (match[0].length === 0) pattern.lastIndex += 1;
  }
  // Qwen3-Coder's form also comes without the wrapping tags.
  if (spans.length === 0) {
    const bare = /<function=[\s\S]*?(?:<\/function>|$)/g;
    for (let match = bare.exec(content); match; match = bare.exec(content)) {
      spans.push({ start: match.index, end: match.index + match[0].length, ...xmlCalls(match[0]) });
    }
  }
  return spans;
}

/** Llama 3.x: `<|python_tag|>{…}` up to the end of the reply, several calls separated by `;`. */
function pythonTagCalls(content: string): Span[] {
  const index = content.indexOf('<|python_tag|>');
  if (index < 0) return [];
  const body = content.slice(index + '<|python_tag|>'.length).replace(/<\|(eom_id|eot_id)\|>\s*$/, '').trim();
  const parts = body.split(/;\s*(?=\{)/);
  const read = parts.map((part) => jsonCalls(part, 'after <|python_tag|>'));
  const problem = read.find((entry) => entry.problem)?.problem;
  return [{ start: index, end: content.length, calls: read.flatMap((entry) => entry.calls), ...(problem ? { problem } : {}) }];
}

/** Fenced blocks whose JSON has the shape of a call; other code stays part of the answer. */
function fencedCalls(content: string): Span[] {
  return fencedBlocks(content).flatMap((block) => {
    const parsed = parseLenient(block.body.trim());
    const calls = parsed ? callsOf(parsed.value) : null;
    return calls ? [{ start: block.start, end: block.end, ...calls }] : [];
  });
}

/** The whole reply is one call-shaped JSON value. */
function wholeReplyCall(content: string): Span | null {
  const trimmed = content.trim();
  if (!/^[{[]/.test(trimmed)) return null;
  const parsed = parseLenient(trimmed);
  const calls = parsed ? callsOf(parsed.value) : null;
  return calls ? { start: 0, end: content.length, ...calls } : null;
}

/**
 * A call-shaped JSON value that ends the reply after prose ("Let me look that up. {…}"). Only calls
 * of offered tools count: prose that ends with JSON of another shape or name is an answer.
 */
function trailingCall(content: string, offered: readonly string[]): Span | null {
  const end = content.trimEnd().length;
  if (offered.length === 0 || !/[}\]]/.test(content[end - 1] ?? '')) return null;
  for (let start = content.search(/[{[]/); start >= 0 && start < end; ) {
    const close = balancedEnd(content, start);
    if (close >= end) {
      const parsed = parseLenient(content.slice(start, end));
      const calls = parsed && namesOf(parsed.value).every((name) => offered.includes(name)) ? callsOf(parsed.value) : null;
      if (calls) return { start, end: content.length, ...calls };
    }
    // A value that closes before the end holds no candidate that reaches it: the search goes on after it.
    const next = close < end ? close : start + 1;
    const found = content.slice(next, end).search(/[{[]/);
    start = found < 0 ? -1 : next + found;
  }
  return null;
}

/** The tool names in a call-shaped value (an empty string where an item has none). */
function namesOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map((item) => {
    const inner = isRecord(item) && isRecord(item.function) ? item.function : item;
    return isRecord(inner) && typeof inner.name === 'string' ? inner.name : '';
  });
}

/** JSON that must be a call (it sits where only calls go): a problem when it cannot be read. */
function jsonCalls(body: string, where: string): { calls: ToolCall[]; problem?: string } {
  const parsed = parseLenient(body);
  if (!parsed) return { calls: [], problem: `the tool call ${where} is not valid JSON` };
  return callsOf(parsed.value) ?? { calls: [], problem: `the tool call ${where} has no tool name and arguments` };
}

/** The calls in a parsed value, or null when it does not have the shape of one. */
function callsOf(value: unknown): { calls: ToolCall[]; problem?: string } | null {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return null;
  const calls: ToolCall[] = [];
  for (const item of items) {
    const call = callOf(item);
    if (!call) return null;
    if ('problem' in call) return { calls: [], problem: call.problem };
    calls.push(call);
  }
  return { calls };
}

function callOf(item: unknown): ToolCall | { problem: string } | null {
  if (!isRecord(item)) return null;
  const inner = isRecord(item.function) ? item.function : item;
  if (item !== inner && item.type !== undefined && item.type !== 'function') return null;
  const name = inner.name;
  if (typeof name !== 'string' || name.trim() === '') return null;
  const keys = Object.keys(inner).filter((key) => key !== 'name' && key !== 'id' && key !== 'type');
  const args = inner.arguments ?? inner.parameters;
  // A plain object with a "name" and other fields (a person, a product) is not a call.
  if (item === inner && args === undefined) return null;
  if (keys.some((key) => key !== 'arguments' && key !== 'parameters')) return null;
  if (args === undefined) return { name, arguments: {} };
  const parsed = typeof args === 'string' ? parseLenient(args)?.value : args;
  if (!isRecord(parsed)) return { problem: `the arguments of the ${name} call are not a JSON object` };
  return { name, arguments: parsed };
}

/** Qwen3-Coder: `<function=name><parameter=key>value</parameter>…</function>`. */
function xmlCalls(body: string): { calls: ToolCall[]; problem?: string } {
  const calls: ToolCall[] = [];
  const functions = /<function=([^>\s]+)>([\s\S]*?)(?:<\/function>|$)/g;
  for (let match = functions.exec(body); match; match = functions.exec(body)) {
    const args: Record<string, unknown> = {};
    const parameters = /<parameter=([^>\s]+)>([\s\S]*?)(?:<\/parameter>|(?=<parameter=)|$)/g;
    for (let parameter = parameters.exec(match[2]!); parameter; parameter = parameters.exec(match[2]!)) args[parameter[1]!] = parameter[2]!.trim();
    calls.push({ name: match[1]!, arguments: args });
  }
  return calls.length > 0 ? { calls } : { calls: [], problem: 'the tool call has no <function=…> in it' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
