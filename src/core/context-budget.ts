import type { ModelMessage, ToolSpec } from './ports.js';

/** Tokens each message costs beyond its text (role markers and separators in chat templates). */
const MESSAGE_OVERHEAD = 4;
/** The estimate may fall to this fraction of the raw count as the server's counts come in, never lower. */
const MIN_RATIO = 0.6;

/**
 * A conservative token count: ASCII text at three characters a token (real tokenizers average about
 * four on English), every other character a token of its own (CJK, emoji, accents split finely).
 */
export function rawTokenEstimate(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const char of text) {
    if (char.codePointAt(0)! < 128) ascii += 1;
    else other += 1;
  }
  return Math.ceil(ascii / 3) + other;
}

/**
 * Estimates prompt sizes before a call and learns from the server's own count after it
 * (`prompt_eval_count`): an undercount is corrected at once, an overcount slowly.
 */
export class TokenCounter {
  private ratio = 1;

  /** Estimated tokens of a text. */
  text(text: string): number {
    return Math.ceil(rawTokenEstimate(text) * this.ratio);
  }

  /** Estimated tokens of a whole request: system prompt, messages and tool descriptions. */
  request(system: string, messages: ModelMessage[], tools: ToolSpec[] = []): number {
    return this.raw(system, messages, tools, (text) => this.text(text));
  }

  /** Learns from what the server counted for a request this counter estimated. */
  observe(system: string, messages: ModelMessage[], tools: ToolSpec[], serverCount: number): void {
    const raw = this.raw(system, messages, tools, rawTokenEstimate);
    if (serverCount <= 0 || raw <= 0) return;
    const observed = serverCount / raw;
    this.ratio = observed > this.ratio ? observed : Math.max(MIN_RATIO, this.ratio * 0.9 + observed * 0.1);
  }

  private raw(system: string, messages: ModelMessage[], tools: ToolSpec[], count: (text: string) => number): number {
    let total = system ? count(system) + MESSAGE_OVERHEAD : 0;
    for (const message of messages) {
      total += count(message.content) + MESSAGE_OVERHEAD;
      for (const call of message.toolCalls ?? []) total += count(JSON.stringify(call.arguments)) + count(call.name) + MESSAGE_OVERHEAD;
    }
    for (const tool of tools) total += count(JSON.stringify(tool)) + MESSAGE_OVERHEAD;
    return total;
  }
}

/** Tokens kept free for the model's answer out of a context of `contextTokens`. */
export function answerReserve(contextTokens: number): number {
  return Math.min(1024, Math.floor(contextTokens / 4));
}

/** The prompt is larger than the model's context even with everything optional dropped. */
export class ContextTooSmallError extends Error {
  readonly code = 'CONTEXT_TOO_SMALL';
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(`The prompt needs about ${needed} tokens but the context holds ${available} (raise OLLAMA_NUM_CTX or shorten the persona).`);
    this.name = 'ContextTooSmallError';
  }
}

/**
 * Shrinks the named fields of a prompt until it fits `budget` tokens: the longest field is cut
 * first, keeping its beginning, so every field keeps as much as the others allow.
 */
export function fitFields(counter: TokenCounter, render: (fields: Record<string, string>) => string, fields: Record<string, string>, shrinkable: string[], budget: number): { text: string; clipped: string[] } {
  const current = { ...fields };
  const clipped = new Set<string>();
  for (let round = 0; round < 20; round += 1) {
    const text = render(current);
    const over = counter.text(text) - budget;
    if (over <= 0) return { text, clipped: [...clipped] };
    const longest = shrinkable.filter((name) => (current[name] ?? '').length > 0).sort((a, b) => current[b]!.length - current[a]!.length)[0];
    if (longest === undefined) break;
    const value = current[longest]!;
    // Three characters a token is the estimate's own rate, so this cut removes at least the overflow.
    const keep = Math.max(0, value.length - over * 3 - 16);
    current[longest] = keep > 0 ? `${value.slice(0, keep)}…` : '';
    clipped.add(longest);
  }
  const text = render(current);
  const needed = counter.text(text);
  if (needed > budget) throw new ContextTooSmallError(needed, budget);
  return { text, clipped: [...clipped] };
}

/** Renders a prompt so it fits the model's context with room for its answer, shrinking the named fields as needed. */
export function renderWithin(model: { contextTokens: number }, render: (fields: Record<string, string>) => string, fields: Record<string, string>, shrinkable: string[], share = 1): string {
  const budget = Math.floor((model.contextTokens - answerReserve(model.contextTokens)) * share);
  return fitFields(new TokenCounter(), render, fields, shrinkable, budget).text;
}
