import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MemberKey } from '../src/core/ports.js';
import { FakeOpenAi, firstUser, judgeTurnFor, loadQuirk, textOf, type CompletionBody } from './fakes/fake-openai.js';
import { member, mention, reaction, reply } from './support/events.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { StreamingChat, type RecordedStream } from './support/recording-chat.js';

/** What every quirk's conversation ends with (the fixtures' last turn). */
const ANSWER = 'You like Earl Grey with a slice of lemon, no milk.';
/** Anything of a tool call or of thinking showing through. */
const LEAK = /tool_call|python_tag|<function|search_memory|"name"|```|<\/?think|member (asked|corrected|wants)|Memory says|Okay, so/i;

const alice = member('alice');
let fake: FakeOpenAi;
let t: TestBot | undefined;

beforeAll(async () => {
  fake = await FakeOpenAi.start({ flavour: 'vllm' });
});
afterEach(async () => {
  await t?.close();
  t = undefined;
  fake.reset();
});
afterAll(() => fake.close());

/** A bot whose chat model is the OpenAI-compatible fake; embeddings stay on the scripted Ollama. */
async function openAiBot(env: Record<string, string> = {}): Promise<TestBot> {
  t = await createTestBot({ env: { LLM_PROVIDER: 'openai', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'test-chat', EMBED_PROVIDER: 'ollama', ...env } });
  return t;
}

/** Everything the member could read while the answer was written, and at the end. */
function seen(stream: RecordedStream): string[] {
  const shown: string[] = [];
  let visible = '';
  for (const event of stream.events) {
    if (event.kind === 'append') visible += event.text;
    if (event.kind === 'retract') visible = '';
    if (event.kind === 'finish' || event.kind === 'fail') visible = event.text;
    shown.push(visible);
  }
  return shown;
}

/** Alice asks; returns her stream, the stored answer and the requests the model got. */
async function ask(question = 'what tea do I like?'): Promise<{ stream: RecordedStream; stored: string | null; requests: CompletionBody[] }> {
  const chat = new StreamingChat();
  const event = mention(alice, question);
  await t!.bot.handle(event, chat);
  const stored = t!.store.listInteractions(alice).find((row) => row.questionMessageId === event.messageId)!;
  return { stream: chat.streamFor(event.messageId)!, stored: stored.answer, requests: fake.chats() };
}

function expectOnlyTheAnswer(stream: RecordedStream, stored: string | null): void {
  for (const text of seen(stream)) expect(text).not.toMatch(LEAK);
  expect(stream.events.at(-1)).toMatchObject({ kind: 'finish', text: ANSWER });
  expect(stored).toBe(ANSWER);
}

describe('tool calls written as text, as recorded from real servers', () => {
  const quirks = ['tool-call-bare-json', 'tool-call-in-tags', 'tool-call-fenced', 'tool-call-function-object', 'tool-call-python-tag', 'tool-call-qwen3-coder', 'tool-call-after-prose', 'tool-call-fenced-after-prose'];

  it.each(quirks)('%s: the call is run, and the member sees and keeps only the answer', async (name) => {
    await openAiBot();
    fake.replay(name);
    const { stream, stored, requests } = await ask();
    expectOnlyTheAnswer(stream, stored);
    expect(requests).toHaveLength(2);
    // The second request carries the call as a real tool call and its result, after the prefetched search.
    const messages = requests[1]!.messages;
    const call = messages.filter((message) => message.role === 'assistant' && message.tool_calls).at(-1)!.tool_calls![0]!;
    expect(call.function).toEqual({ name: 'search_memory', arguments: '{"query":"favourite tea"}' });
    expect(messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: call.id });
  });

  it('a call that cannot be read gets one corrective turn showing the model its mistake; nothing is run', async () => {
    await openAiBot();
    fake.replay('tool-call-malformed');
    const { stream, stored, requests } = await ask();
    expectOnlyTheAnswer(stream, stored);
    const retry = requests[1]!.messages;
    expect(retry.at(-2)).toMatchObject({ role: 'assistant', content: '<tool_call>\nsearch_memory(query="favourite tea")\n</tool_call>' });
    expect(retry.at(-1)!.role).toBe('user');
    expect(retry.at(-1)!.content).toContain('Your tool call could not be used: the tool call in <tool_call> tags is not valid JSON');
    // Only the prefetched search result is in the conversation: the unreadable call was never run.
    expect(retry.filter((message) => message.role === 'tool')).toHaveLength(1);
  });

  it('a call to a tool that is not offered, twice: one correction, then an answer without tools', async () => {
    await openAiBot();
    fake.script({ content: '{"name": "send_email", "arguments": {"to": "boss"}}' }, { content: '{"name": "send_email", "arguments": {"to": "boss"}}' }, { content: ANSWER });
    const { stream, stored, requests } = await ask();
    expectOnlyTheAnswer(stream, stored);
    expect(requests.map((body) => body.tools?.map((tool) => tool.function.name) ?? [])).toEqual([['search_memory', 'wikipedia'], ['search_memory', 'wikipedia'], []]);
    expect(requests[1]!.messages.at(-1)!.content).toContain('There is no tool named send_email. Use one of: search_memory, wikipedia.');
  });
});

describe('thinking, in each form servers send it', () => {
  it.each(['thinking-tags', 'thinking-close-only', 'thinking-reasoning-content', 'thinking-reasoning-field'])('%s: never shown, never stored', async (name) => {
    // A model that thinks without the server saying so (an R1 distill writes only `</think>`) is declared in the settings.
    await openAiBot({ OPENAI_CAPABILITIES: 'tools,thinking' });
    fake.replay(name);
    const { stream, stored } = await ask();
    expectOnlyTheAnswer(stream, stored);
    // Held until the thinking ended, so nothing had to be taken back and the answer was written once.
    expect(stream.events.filter((event) => event.kind === 'retract')).toEqual([]);
    expect(stream.events.filter((event) => event.kind === 'append').map((event) => event.text).join('')).toBe(ANSWER);
  });
});

describe('a model nobody said thinks', () => {
  it('writes only the closing </think> (an R1 distill): nothing before it is shown, even in the first answer', async () => {
    await openAiBot();
    fake.replay('thinking-close-only');
    const { stream, stored } = await ask();
    expectOnlyTheAnswer(stream, stored);
    expect(stream.events.filter((event) => event.kind === 'retract')).toEqual([]);
    expect(stream.events.filter((event) => event.kind === 'append').map((event) => event.text).join('')).toBe(ANSWER);
  });
});

describe('a model without tools', () => {
  it('refused by the server: asked again without tools, then answered from memory searched beforehand', async () => {
    await openAiBot({ MEMORY_PREFETCH: 'false' });
    fake.replay('no-tools-vllm');
    const first = await ask();
    expectOnlyTheAnswer(first.stream, first.stored);
    expect(first.requests.map((body) => body.tools !== undefined)).toEqual([true, false]);
    expect(t!.core.model.capabilities).toMatchObject({ tools: false });
    fake.reset();
    fake.script({ content: ANSWER });
    const next = await ask('and with cake?');
    const body = next.requests[0]!;
    expect(body.tools).toBeUndefined();
    // Prefetch is off in the settings, but a model without tools gets the member's memories in the question's
    // own message (no tool turn, which a template without tool support may drop).
    expect(body.messages.some((message) => message.role === 'tool' || message.tool_calls)).toBe(false);
    const question = body.messages.at(-1)!;
    expect(question.role).toBe('user');
    expect(question.content).toMatch(/^Earlier exchanges with this member[\s\S]*what tea do I like\?[\s\S]*The member's question:\n\nand with cake\?$/);
    expect(next.stored).toBe(ANSWER);
  });
});

describe('structured answers wrapped in prose, thinking or a fence', () => {
  it('alignment takes the JSON out, adopts the rewrite and counts the repairs', async () => {
    await openAiBot();
    const [rewrite, judge] = loadQuirk('json-in-prose').turns;
    fake.respond((body) => (body.response_format ? (firstUser(body).startsWith('Rate how well') ? judgeTurnFor(judge!, body) : rewrite) : undefined));
    // Answers longer than a label, so the judge scores them (the live persona's and the rewrite's in one call).
    const id = await teach(alice, 'how do I take my tea?', 'two sugars in a small cup', 'seven sugars, stirred twice, in a big mug');
    const report = await t!.core.aligner.alignMember(id);
    expect(report).toMatchObject({ outcome: 'accepted', structured: { repaired: 2, retried: 0, failed: 0 } });
    expect(t!.store.livePersona(id)!.text).toBe('Sam counts in sevens and wants the number first. Call search_memory first.');
    expect(report.scoreAfter).toBeCloseTo(0.8);
  });
});

describe('structured answers that cannot be mended', () => {
  it('are asked for again with the validation error, and counted as retried and failed', async () => {
    await openAiBot();
    const [rewrite] = loadQuirk('json-in-prose').turns;
    fake.respond((body) => {
      if (!body.response_format) return undefined;
      return firstUser(body).startsWith('Rate how well') ? { content: 'Both answers look fine to me.' } : rewrite;
    });
    const id = await teach(alice, 'how do I take my tea?', 'two sugars in a small cup', 'seven sugars, stirred twice, in a big mug');
    const report = await t!.core.aligner.alignMember(id);
    expect(report).toMatchObject({ outcome: 'rejected', reason: 'rewrite rejected: the answers could not be scored', structured: { repaired: 1, retried: 1, failed: 1 } });
    const retries = fake.chats().filter((body) => textOf(body.messages.at(-1)!.content).startsWith('Your previous reply could not be used: it was not valid JSON'));
    expect(retries).toHaveLength(1);
  });
});

/** The member asks, the bot answers wrongly, the member 👎s it and replies with the right answer. */
async function teach(who: MemberKey, question: string, answer: string, truth: string): Promise<number> {
  const chat = new StreamingChat();
  fake.script({ content: answer });
  const event = mention(who, question);
  await t!.bot.handle(event, chat);
  const answerId = chat.streamFor(event.messageId)!.messageIds[0]!;
  await t!.bot.handle(reaction(who, answerId, '👎'), chat);
  await t!.bot.handle(reply(who, answerId, truth), chat);
  return t!.store.findMember(who)!;
}
