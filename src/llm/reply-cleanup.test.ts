import { describe, expect, it } from 'vitest';
import { findJson } from './json-text.js';
import { cleanReply, readCalls, type RawReply } from './reply-cleanup.js';
import { readTextToolCalls } from './text-tool-calls.js';
import { stripThinking } from './thinking.js';

const raw = (content: string, extra: Partial<RawReply> = {}): RawReply => ({ content, toolCalls: [], promptTokens: 1, completionTokens: 1, truncated: false, ...extra });

describe('thinking removal', () => {
  it('takes out <think> blocks, everything before a lone </think>, and an unclosed block', () => {
    expect(stripThinking('<think>\nThe member likes tea.\n</think>\n\nEarl Grey.')).toBe('Earl Grey.');
    // DeepSeek-R1 distills: the template opened the block, only its end comes back.
    expect(stripThinking('Okay, so the member asks about tea.\n</think>\n\nEarl Grey.')).toBe('Earl Grey.');
    expect(stripThinking('<think>\n\n</think>\n\nEarl Grey.')).toBe('Earl Grey.');
    expect(stripThinking('<think>I ran out of tokens while')).toBe('');
    expect(stripThinking('Plain answer, <b>no</b> thinking.')).toBe('Plain answer, <b>no</b> thinking.');
    // A block in the middle of the answer: the answer reads on, with one of the spaces around it.
    expect(stripThinking('Earl Grey. <think>Or green?</think> With lemon.')).toBe('Earl Grey. With lemon.');
    expect(stripThinking('Okay, tea.\n</think>\n\nEarl Grey.\n\n<think>Lemon?</think>\nWith lemon.')).toBe('Earl Grey.\n\nWith lemon.');
  });
});

describe('tool calls written as text', () => {
  it('reads the forms small models use', () => {
    const call = { name: 'search_memory', arguments: { query: 'tea' } };
    const forms = [
      '{"name": "search_memory", "arguments": {"query": "tea"}}',
      '<tool_call>\n{"name": "search_memory", "arguments": {"query": "tea"}}\n</tool_call>',
      '```json\n{"name": "search_memory", "parameters": {"query": "tea"}}\n```',
      '{"type": "function", "function": {"name": "search_memory", "parameters": {"query": "tea"}}}',
      '<|python_tag|>{"name": "search_memory", "parameters": {"query": "tea"}}<|eom_id|>',
      '<tool_call>\n<function=search_memory>\n<parameter=query>\ntea\n</parameter>\n</function>\n</tool_call>',
      "{'name': 'search_memory', 'arguments': {'query': 'tea'},}",
      '{"name": "search_memory", "arguments": "{\\"query\\": \\"tea\\"}"}',
    ];
    for (const form of forms) expect(readTextToolCalls(form), form).toMatchObject({ calls: [call], rest: '' });
  });

  it('keeps the prose around a call apart, and reads several calls', () => {
    const found = readTextToolCalls('I will check.\n<tool_call>{"name":"a","arguments":{}}</tool_call>\n<tool_call>{"name":"b","arguments":{"x":1}}</tool_call>');
    expect(found).toMatchObject({ rest: 'I will check.', calls: [{ name: 'a', arguments: {} }, { name: 'b', arguments: { x: 1 } }] });
    expect(found!.text).toContain('<tool_call>{"name":"a"');
  });

  it('reads a call of an offered tool that ends the reply after prose, and only then', () => {
    const call = { name: 'search_memory', arguments: { query: 'tea' } };
    const tools = ['search_memory', 'wikipedia'];
    expect(readTextToolCalls('Let me look that up. {"name": "search_memory", "arguments": {"query": "tea"}}', tools)).toMatchObject({ calls: [call], rest: 'Let me look that up.', text: '{"name": "search_memory", "arguments": {"query": "tea"}}' });
    expect(readTextToolCalls('I use {braces} a lot.\n[{"name": "search_memory", "parameters": {"query": "tea"}}]\n', tools)).toMatchObject({ calls: [call], rest: 'I use {braces} a lot.' });
    expect(readTextToolCalls('Checking. {"name": "search_memory", "arguments": 5}', tools)).toMatchObject({ calls: [], problem: 'the arguments of the search_memory call are not a JSON object' });
    for (const answer of ['A call looks like {"name": "send_email", "arguments": {"to": "x"}}', 'Here: {"name": "search_memory", "arguments": {"query": "tea"}} is how it is called.', 'Alice is {"name": "Alice", "age": 30}']) {
      expect(readTextToolCalls(answer, tools), answer).toBeNull();
    }
    // Without the offered tools (or with none offered) prose before JSON is an answer.
    expect(readTextToolCalls('Let me look that up. {"name": "search_memory", "arguments": {"query": "tea"}}')).toBeNull();
  });

  it('says what is wrong with call-shaped text it cannot read', () => {
    expect(readTextToolCalls('<tool_call>{"name": "search_memory", "arguments": {"query": </tool_call>')?.problem).toBeUndefined();
    expect(readTextToolCalls('<tool_call>search_memory(query="tea")</tool_call>')).toMatchObject({ calls: [], problem: 'the tool call in <tool_call> tags is not valid JSON' });
    expect(readTextToolCalls('{"name": "search_memory", "arguments": 5}')).toMatchObject({ calls: [], problem: 'the arguments of the search_memory call are not a JSON object' });
  });

  it('leaves answers that only look a little like JSON alone', () => {
    for (const answer of ['{"name": "Alice", "age": 30}', 'Use a dict like {"a": 1} in Python.', '```python\nprint("hi")\n```', 'Earl Grey.']) {
      expect(readTextToolCalls(answer), answer).toBeNull();
    }
  });
});

describe('JSON in a reply', () => {
  it('finds it alone, in a fence, in prose, or with the slips small models make', () => {
    expect(findJson('{"persona": "x"}')).toMatchObject({ value: { persona: 'x' }, mended: false });
    expect(findJson('Here you go:\n```json\n{"persona": "x"}\n```\nHope that helps!')?.value).toEqual({ persona: 'x' });
    expect(findJson('The scores are {"scores": [7, 3]} as asked.')?.value).toEqual({ scores: [7, 3] });
    expect(findJson("{'scores': [7, 3,], 'final': True}")?.value).toEqual({ scores: [7, 3], final: true });
    expect(findJson('no json here')).toBeNull();
  });
});

describe('a reply cleaned for the core', () => {
  it('a JSON-schema request gets the JSON alone, thinking removed, and says it was mended', () => {
    const result = cleanReply(raw('<think>Scores first.</think>Sure:\n```json\n{"scores": [4]}\n```'), { format: { type: 'object' } });
    expect(result).toMatchObject({ content: '{"scores":[4]}', repaired: ['thinking', 'json'] });
    expect(cleanReply(raw('{"scores": [4]}'), { format: {} })).toMatchObject({ content: '{"scores": [4]}' });
    expect(cleanReply(raw('{"scores": [4]}'), { format: {} }).repaired).toBeUndefined();
  });

  it('an agent turn reads a call from text and takes it out of the answer; a plain call does not look for one', () => {
    const text = '<tool_call>{"name":"search_memory","arguments":{"query":"tea"}}</tool_call>';
    expect(cleanReply(raw(text), { tools: [] })).toMatchObject({ content: '', toolCalls: [{ name: 'search_memory' }], toolCallText: text, repaired: ['tool-call'] });
    expect(cleanReply(raw(text), {})).toMatchObject({ content: text, toolCalls: [] });
    // A call from the tool-call field wins; the text is then the answer's preamble.
    expect(cleanReply(raw('Checking.', { toolCalls: [{ name: 'wikipedia', arguments: { topic: 'Tea' } }] }), { tools: [] })).toMatchObject({ content: 'Checking.', toolCalls: [{ name: 'wikipedia' }] });
  });
});

describe('calls from the tool-call field', () => {
  it('reads arguments sent as an object or as JSON text; anything else is a problem naming the call, not a call to run', () => {
    expect(readCalls([{ name: 'search_memory', arguments: { query: 'tea' } }, { name: 'wikipedia', arguments: '{"topic": "Tea"}' }, { name: 'x', arguments: '' }])).toEqual({
      toolCalls: [{ name: 'search_memory', arguments: { query: 'tea' } }, { name: 'wikipedia', arguments: { topic: 'Tea' } }, { name: 'x', arguments: {} }],
    });
    expect(readCalls([{ name: 'search_memory', arguments: 'query=tea' }])).toEqual({ toolCalls: [{ name: 'search_memory', arguments: {} }], toolCallProblem: 'the arguments of the search_memory call are not valid JSON: query=tea' });
    expect(readCalls([{ name: 'search_memory', arguments: '["tea"]' }]).toolCallProblem).toBe('the arguments of the search_memory call are not a JSON object: ["tea"]');
  });
});
