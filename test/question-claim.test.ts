import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestBot, type TestBot } from './support/harness.js';
import { member, mention } from './support/events.js';
import { StreamingChat } from './support/recording-chat.js';

let t: TestBot;
afterEach(async () => {
  vi.restoreAllMocks();
  await t?.close();
});
const alice = member('alice');

describe('a mention is claimed as it is stored', () => {
  it('holds its claim from the moment the question is recorded, and is answered once', async () => {
    t = await createTestBot();
    const chat = new StreamingChat();
    const claimedWhenStored: unknown[] = [];
    const record = t.store.recordQuestion.bind(t.store);
    vi.spyOn(t.store, 'recordQuestion').mockImplementation((question, claim) => {
      const recorded = record(question, claim);
      claimedWhenStored.push(t.store.db.prepare('SELECT claimed_by FROM interactions WHERE id = ?').pluck().get(recorded.interaction.id));
      return recorded;
    });
    t.ollama.script({ content: 'Earl Grey, strong.' });
    const question = mention(alice, 'which tea?');
    await t.bot.handle(question, chat);
    expect(claimedWhenStored).toHaveLength(1);
    expect(claimedWhenStored[0]).toEqual(expect.any(String));
    expect(chat.streamFor(question.messageId)!.visible).toContain('Earl Grey, strong.');
    expect(chat.streams).toHaveLength(1);
    expect(t.store.listInteractions(alice)[0]).toMatchObject({ answer: 'Earl Grey, strong.' });
  });
});
