import { describe, expect, it } from 'vitest';
import type { ChatRequest, ChatResult, ToolSpec } from '../core/ports.js';
import { cleanReply } from './reply-cleanup.js';
import { ReplyStream, type ModelHabits } from './reply-stream.js';

/** Streams `pieces` through a ReplyStream and records everything the member could have seen. */
function play(pieces: string[], habits: ModelHabits = { closesThinkingOnly: false, known: true }, request: Pick<ChatRequest, 'tools'> = { tools: [] }): { seen: string[]; final: string; retracts: number; result: ChatResult } {
  let visible = '';
  const seen: string[] = [];
  let retracts = 0;
  const stream = new ReplyStream(
    {
      onText: (delta) => {
        visible += delta;
        seen.push(visible);
      },
      onRetract: () => {
        visible = '';
        retracts += 1;
      },
    },
    habits,
  );
  for (const piece of pieces) stream.push(piece);
  const result = cleanReply({ content: pieces.join(''), toolCalls: [], promptTokens: 0, completionTokens: 0, truncated: false }, request);
  stream.end(result);
  return { seen, final: visible, retracts, result };
}

/** Tools offered by name, as an agent turn offers them. */
const offered = (...names: string[]): Pick<ChatRequest, 'tools'> => ({ tools: names.map((name): ToolSpec => ({ name, description: name, parameters: { type: 'object', properties: {}, required: [] } })) });

/** Splits text into pieces of `size` characters, as a server might send it. */
const chunks = (text: string, size = 3) => text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];

describe('a streamed reply shows answer text only', () => {
  it('passes a plain answer on as it comes', () => {
    const { seen, final, retracts } = play(chunks('Earl Grey, no milk.'));
    expect(final).toBe('Earl Grey, no milk.');
    expect(seen.length).toBeGreaterThan(3);
    expect(retracts).toBe(0);
  });

  it('space before the answer (after thinking, or on its own) takes nothing back', () => {
    for (const text of ['\n\nEarl Grey.', '<think>\nLemon?\n</think>\n\nEarl Grey.']) {
      const { final, retracts, seen } = play(chunks(text, 2));
      expect(retracts, text).toBe(0);
      expect(final).toBe('Earl Grey.');
      expect(seen.at(-1)).toBe('Earl Grey.');
    }
  });

  it('never shows a <think> block, even split across pieces', () => {
    const { seen, final } = play(chunks('<think>\nThe member said lemon.\n</think>\n\nLemon tea.', 2));
    expect(seen.every((text) => !/think|member said/.test(text))).toBe(true);
    expect(final).toBe('Lemon tea.');
  });

  it('takes back thinking whose only tag is the closing one, then learns to wait for it', () => {
    const habits = { closesThinkingOnly: false, known: true };
    const first = play(chunks('Okay, the member wants tea.\n</think>\n\nGreen tea.'), habits);
    expect(first.retracts).toBe(1);
    expect(first.final).toBe('Green tea.');
    expect(habits.closesThinkingOnly).toBe(true);
    const second = play(chunks('Hmm, coffee this time.\n</think>\n\nA flat white.'), habits);
    expect(second.retracts).toBe(0);
    expect(second.seen.every((text) => !text.includes('Hmm'))).toBe(true);
    expect(second.final).toBe('A flat white.');
  });

  it('a model said to think waits for its closing tag, unless the server sends the thinking apart', () => {
    const held = play(chunks('Let me think about tea.\n</think>\n\nOolong.'), { closesThinkingOnly: true, known: true });
    expect(held.retracts).toBe(0);
    expect(held.seen.every((text) => !text.includes('Let me'))).toBe(true);
    expect(held.final).toBe('Oolong.');
    const shown: string[] = [];
    const stream = new ReplyStream({ onText: (delta) => shown.push(delta) }, { closesThinkingOnly: true, known: true });
    stream.reasoning();
    for (const piece of chunks('Oolong, brewed short.')) stream.push(piece);
    expect(shown.join('')).toBe('Oolong, brewed short.');
  });

  it('holds text from where a tool call may begin; a call is never shown and the answer is not finished by the stream', () => {
    for (const text of ['Let me check. <tool_call>{"name":"search_memory","arguments":{"query":"tea"}}</tool_call>', 'Let me check.\n```json\n{"name":"search_memory","arguments":{"query":"tea"}}\n```', 'Sure. <|python_tag|>{"name":"search_memory","parameters":{"query":"tea"}}', '{"name":"search_memory","arguments":{"query":"tea"}}']) {
      const { seen, result } = play(chunks(text, 2));
      expect(seen.every((shown) => !/[{<`]/.test(shown)), text).toBe(true);
      expect(result.toolCalls).toHaveLength(1);
    }
  });

  it('held text that was not a call after all is shown when the turn ends', () => {
    const { final } = play(chunks('Use {"a": 1} as the config, then restart.'));
    expect(final).toBe('Use {"a": 1} as the config, then restart.');
  });

  it('holds a call that ends the reply after prose, reads it, and keeps it out of the answer', () => {
    for (const text of ['Let me check.\n{"name":"search_memory","arguments":{"query":"tea"}}', "Let me check. {'name': 'search_memory', 'arguments': {'query': 'tea'}}", 'Let me check.\n\n```json\n{"name": "search_memory", "parameters": {"query": "tea"}}\n```\n']) {
      for (const size of [1, 2, 5]) {
        const { seen, result } = play(chunks(text, size), undefined, offered('search_memory', 'wikipedia'));
        expect(seen.every((shown) => !/[{'`]/.test(shown)), `${size}: ${seen.at(-1)}`).toBe(true);
        expect(result).toMatchObject({ content: 'Let me check.', toolCalls: [{ name: 'search_memory', arguments: { query: 'tea' } }] });
      }
    }
  });

  it('a <think> block in the middle of the answer is never shown; the answer goes on streaming after it', () => {
    const { seen, final, retracts, result } = play(chunks('Earl Grey. <think>\nOr was it green?\n</think> With lemon, no milk.', 2));
    expect(seen.every((text) => !/[<]|green/.test(text))).toBe(true);
    expect(retracts).toBe(0);
    expect(final).toBe('Earl Grey. With lemon, no milk.');
    expect(result.content).toBe(final);
    // Shown before the turn ended, not held to its end.
    expect(seen.some((text) => text.startsWith('Earl Grey. With') && text !== final)).toBe(true);
    for (const text of ['Earl Grey.\n\n<think>Lemon?</think>\n\nWith lemon.', 'Earl Grey.<think>Lemon?</think> With lemon.', 'Earl <think>a</think>Grey <think>b</think> with lemon.']) {
      const one = play(chunks(text, 1));
      expect(one.retracts, text).toBe(0);
      expect(one.final).toBe(one.result.content);
      expect(one.seen.every((shown) => !/[<]|Lemon\?/.test(shown))).toBe(true);
    }
    // A model that writes a lone </think> first: the later block's closing tag does not move the answer's start.
    const r1 = play(chunks('Tea, then.\n</think>\n\nEarl Grey. <think>Lemon?</think> With lemon.', 2), { closesThinkingOnly: true, known: true });
    expect([r1.final, r1.retracts, r1.result.content]).toEqual(['Earl Grey. With lemon.', 0, 'Earl Grey. With lemon.']);
    expect(r1.seen.every((shown) => !/Tea|[<]|Lemon\?/.test(shown))).toBe(true);
    // A block cut off by the token limit: what came before it is the answer.
    const cut = play(chunks('Earl Grey. <think>Or was it', 2));
    expect([cut.final, cut.retracts]).toEqual(['Earl Grey. ', 0]);
    expect(cut.result.content).toBe('Earl Grey.');
  });
});

describe('a model whose habits are not known yet', () => {
  const unknown = (): ModelHabits => ({ closesThinkingOnly: false, known: false });

  it('shows nothing of its first reply before a lone closing tag, then streams the answer after it', () => {
    const habits = unknown();
    const first = play(chunks('Okay, so the member wants tea.\n</think>\n\nGreen tea, brewed short.'), habits);
    expect(first.seen.every((text) => !/Okay|think/.test(text))).toBe(true);
    expect(first.seen.length).toBeGreaterThan(3);
    expect([first.final, first.retracts]).toEqual(['Green tea, brewed short.', 0]);
    expect(first.result.content).toBe('Green tea, brewed short.');
    expect(habits).toEqual({ closesThinkingOnly: true, known: true });
    const second = play(chunks('Hmm, coffee.\n</think>\n\nA flat white, then.'), habits);
    expect(second.seen.every((text) => !text.includes('Hmm'))).toBe(true);
    expect(second.final).toBe('A flat white, then.');
  });

  it('a first reply without thinking is shown whole at its end, and the next ones stream; a reply without text teaches nothing', () => {
    const habits = unknown();
    new ReplyStream({}, habits).end({ content: '', toolCalls: [{ name: 'search_memory', arguments: { query: 'tea' } }], promptTokens: 0, completionTokens: 0 });
    expect(habits.known).toBe(false);
    expect(play(chunks('Earl Grey, no milk.'), habits).seen).toEqual(['Earl Grey, no milk.']);
    expect(habits).toEqual({ closesThinkingOnly: false, known: true });
    expect(play(chunks('Earl Grey, no milk.'), habits).seen.length).toBeGreaterThan(3);
  });

  it('streams from the first reply when the thinking comes apart or opens with its own tag', () => {
    const apart: string[] = [];
    const stream = new ReplyStream({ onText: (delta) => apart.push(delta) }, unknown());
    stream.reasoning();
    for (const piece of chunks('Oolong, brewed short.')) stream.push(piece);
    expect(apart.length).toBeGreaterThan(3);
    const tagged = play(chunks('<think>Tea.</think>\n\nOolong, brewed short.'), unknown());
    expect(tagged.seen.length).toBeGreaterThan(3);
    expect(tagged.final).toBe('Oolong, brewed short.');
  });
});
