import { afterEach, describe, expect, it } from 'vitest';
import { createTestBot, type TestBot } from './support/harness.js';
import { mention, member } from './support/events.js';
import { StreamingChat } from './support/recording-chat.js';

let t: TestBot;
afterEach(async () => t?.close());
const alice = member('alice');

describe('the semantic profile within the context budget', () => {
  it('summarises a history too long for one prompt in chunks, each fitting num_ctx, folding each summary into the next', async () => {
    t = await createTestBot({ env: { OLLAMA_NUM_CTX: '1536' } });
    const chat = new StreamingChat();
    const topics = ['sourdough', 'espresso', 'cycling', 'chess', 'jazz', 'gardening', 'origami', 'astronomy'];
    for (const topic of topics) {
      t.ollama.script({ content: `${topic} answer `.repeat(60).trim() });
      await t.bot.handle(mention(alice, `tell me everything about ${topic} `.repeat(6).trim()), chat);
    }
    t.ollama.reset();
    let summaries = 0;
    t.ollama.respond((body) => (body.messages[0]!.content.startsWith('You maintain a short profile') ? { content: `summary ${++summaries}` } : undefined));
    const memberId = t.store.findMember(alice)!;
    const result = await t.core.profiles.refresh(memberId);
    const calls = t.ollama.chats();
    expect(result.modelCalls).toBe(calls.length);
    expect(calls.length).toBeGreaterThan(1);
    expect(t.ollama.truncatedChats()).toEqual([]);
    // Every interaction is read once, oldest first, whole; each call starts from the summary before it.
    const prompts = calls.map((body) => body.messages[0]!.content);
    topics.forEach((topic) => expect(prompts.filter((prompt) => prompt.includes(`tell me everything about ${topic}`)).length).toBe(1));
    expect(prompts.join('\n').indexOf('sourdough')).toBeLessThan(prompts.join('\n').indexOf('astronomy'));
    prompts.slice(1).forEach((prompt, index) => expect(prompt).toContain(`summary ${index + 1}`));
    const rows = t.store.listInteractions(alice);
    expect(t.store.profile(memberId)).toMatchObject({ summary: `summary ${calls.length}`, throughInteractionId: Math.max(...rows.map((row) => row.id)) });
    expect((await t.core.profiles.refresh(memberId)).modelCalls).toBe(0);
  });
});
