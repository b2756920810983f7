import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemberKey } from '../src/core/ports.js';
import { hashedEmbedding } from './fakes/hashed-embedding.js';
import { mention, member, reaction, reply } from './support/events.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { RecordingChat } from './support/recording-chat.js';

const alice = member('alice');
const bob = member('bob');
/** What only the forgotten memory holds: its question, the bot's answer and the member's correction. */
const FORGOTTEN = ['which zebra crossing rules apply?', 'quokka rules', 'wombat rules apply'];

let t: TestBot | undefined;
let chat: RecordingChat;
beforeEach(() => {
  chat = new RecordingChat();
});
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function ask(who: MemberKey, question: string, answer: string): Promise<void> {
  t!.ollama.script({ content: answer });
  await t!.bot.handle(mention(who, question), chat);
}

async function persona(who: MemberKey, ...args: string[]): Promise<string> {
  await t!.bot.handle({ kind: 'command', name: 'persona', member: who, channelId: 'c1', args, at: new Date() }, chat);
  return chat.privates.at(-1)!.text;
}

/**
 * `who` asks `question` once more: the model first calls search_memory for `question`, then answers.
 * Returns everything the model was shown (the prefetched memories and the tool's result).
 */
async function recalled(who: MemberKey, question: string): Promise<string> {
  const before = t!.ollama.chats().length;
  t!.ollama.script({ toolCalls: [{ name: 'search_memory', arguments: { query: question } }] }, { content: 'noted' });
  await t!.bot.handle(mention(who, question), chat);
  const calls = t!.ollama.chats().slice(before);
  expect(calls).toHaveLength(2);
  const toolResult = calls[1]!.messages.find((message) => message.role === 'tool');
  expect(toolResult, 'the search_memory result').toBeDefined();
  return calls.flatMap((call) => call.messages.map((message) => message.content)).join('\n');
}

function searchFor(memberId: number, text: string): string {
  const vector = Float32Array.from(hashedEmbedding(text, t!.ollama.dimension));
  return t!.store
    .searchMemory(memberId, { text, vector }, 10)
    .map((hit) => `${hit.interaction.question} ${hit.interaction.answer} ${hit.interaction.groundTruth}`)
    .join('\n');
}

/** What the member's indexes themselves return (keywords alone, then the vector alone), before the store reads rows. */
function indexed(memberId: number, text: string): { keywords: number[]; vectors: number[] } {
  const vector = Float32Array.from(hashedEmbedding(text, t!.ollama.dimension));
  return {
    keywords: t!.store.index.search(memberId, { text }, 10).map((hit) => hit.id),
    vectors: t!.store.index.search(memberId, { text: '', vector }, 10).map((hit) => hit.id),
  };
}

describe.each<{ cache: string; env: Record<string, string> }>([
  { cache: 'in-process indexes held', env: {} },
  { cache: 'no in-process cache (vectors searched in SQLite)', env: { MEMORY_CACHE_MB: '0' } },
])('forgetting reaches search ($cache)', ({ env }) => {
  it('a forgotten memory is found neither by search_memory nor by the prefetch; the member\'s other memories and other members are untouched', async () => {
    t = await createTestBot({ env });
    await ask(alice, 'which zebra crossing rules apply?', 'quokka rules');
    const wrong = chat.sent.at(-1)!.messageIds[0]!;
    await t.bot.handle(reaction(alice, wrong, '👎'), chat);
    await t.bot.handle(reply(alice, wrong, 'wombat rules apply'), chat);
    await ask(alice, 'where do okapi live?', 'okapi forest');
    await ask(bob, 'why does a zebra crossing have stripes?', 'quokka stripes, says bob');
    const aliceId = t.store.findMember(alice)!;
    const bobId = t.store.findMember(bob)!;
    const zebra = t.store.listInteractions(aliceId).find((row) => row.question.includes('zebra'))!;
    // Searched once before forgetting, so a held cache has the memory in it.
    for (const text of FORGOTTEN) expect(searchFor(aliceId, 'rules zebra quokka wombat')).toContain(text);
    if (!env.MEMORY_CACHE_MB) expect(t.store.index.cacheStats().members).toBe(2);
    const zebraQuestion = 'which zebra crossing rules apply?';
    expect(indexed(aliceId, zebraQuestion)).toEqual({ keywords: expect.arrayContaining([zebra.id]), vectors: expect.arrayContaining([zebra.id]) });

    expect(await persona(alice, 'forget', zebra.id.toString(36))).toContain('Forgotten');
    const left = indexed(aliceId, zebraQuestion);
    expect(left.keywords).not.toContain(zebra.id);
    expect(left.vectors).not.toContain(zebra.id);
    expect(left.vectors.length).toBeGreaterThan(0);
    const seen = await recalled(alice, 'rules zebra quokka wombat');
    for (const text of FORGOTTEN) expect(seen).not.toContain(text);
    expect(seen).toContain('where do okapi live?');
    const found = searchFor(aliceId, 'which zebra crossing rules apply? quokka rules wombat rules apply');
    expect(found).toContain('okapi forest');
    for (const text of FORGOTTEN) expect(found).not.toContain(text);
    expect(await recalled(bob, 'zebra crossing quokka')).toContain('why does a zebra crossing have stripes?');

    expect(await persona(alice, 'forget', 'confirm')).toContain('Done.');
    expect(searchFor(aliceId, 'okapi forest zebra')).toBe('');
    expect(indexed(aliceId, 'where do okapi live?')).toEqual({ keywords: [], vectors: [] });
    const afterAll = await recalled(alice, 'okapi zebra rules quokka wombat');
    for (const text of [...FORGOTTEN, 'where do okapi live?', 'okapi forest']) expect(afterAll).not.toContain(text);
    expect(searchFor(bobId, 'zebra crossing stripes')).toContain('quokka stripes, says bob');
    expect(await recalled(bob, 'zebra stripes')).toContain('why does a zebra crossing have stripes?');
  });
});
