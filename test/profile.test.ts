import { afterEach, describe, expect, it } from 'vitest';
import { createTestBot, type TestBot } from './support/harness.js';
import { mention, member, reaction, reply } from './support/events.js';
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

describe('alignment prompts within the context budget', () => {
  it('cuts long answers and corrections to fit num_ctx, so no profile, feedback, rewrite or judge prompt is truncated by the server', async () => {
    t = await createTestBot({ env: { OLLAMA_NUM_CTX: '1536', ALIGN_BATCH_SIZE: '2', ALIGN_HELDOUT_SIZE: '1' } });
    const chat = new StreamingChat();
    const long = (word: string) => `${word} `.repeat(900).trim();
    // Four: the oldest is outside the three a check may use, so the profile folds it.
    for (const [index, topic] of ['juice', 'tea', 'coffee', 'cocoa'].entries()) {
      t.ollama.script({ content: long(`${topic}-answer`) });
      const question = mention(alice, `what ${topic} should I drink, number ${index}?`);
      await t.bot.handle(question, chat);
      const answerId = chat.streamFor(question.messageId)!.messageIds[0]!;
      await t.bot.handle(reaction(alice, answerId, '👎'), chat);
      await t.bot.handle(reply(alice, answerId, long(`${topic}-truth`)), chat);
    }
    t.ollama.reset();
    t.ollama.respond((body) => {
      if (!body.format) return { content: 'short feedback' };
      const schema = JSON.stringify(body.format);
      if (schema.includes('"feedback"')) return { content: JSON.stringify({ feedback: ['short feedback', 'short feedback'] }) };
      return { content: schema.includes('scores') ? JSON.stringify({ scores: [5] }) : JSON.stringify({ persona: 'Answer briefly. Call search_memory when needed.' }) };
    });
    const [report] = await t.core.aligner.run({ memberIds: [t.store.findMember(alice)!] });
    expect(report!.outcome).not.toBe('failed');
    expect(report!.calls.profile).toBeGreaterThan(0);
    expect(t.ollama.chats().length).toBeGreaterThan(3);
    expect(t.ollama.truncatedChats()).toEqual([]);
    const feedbackPrompts = t.ollama.chats().map((body) => body.messages[0]!.content).filter((content) => content.startsWith('You are a critical evaluator'));
    expect(feedbackPrompts.length).toBeGreaterThan(0);
    feedbackPrompts.forEach((prompt) => expect(prompt).toContain('…'));
  });
});
