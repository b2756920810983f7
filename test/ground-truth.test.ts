import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemberKey } from '../src/core/ports.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { mention, member, reaction, reply } from './support/events.js';
import { RecordingChat } from './support/recording-chat.js';

let t: TestBot;
let chat: RecordingChat;
const alice = member('alice');
const bob = member('bob');
const carol = member('carol');

beforeEach(async () => {
  t = await createTestBot();
  chat = new RecordingChat();
});
afterEach(async () => t.close());

/** Alice (or `who`) asks; returns the id of the bot's answer message. */
async function asked(who: MemberKey = alice, question = 'best pizza topping?', answer = 'pineapple', extra = {}): Promise<string> {
  t.ollama.script({ content: answer });
  await t.bot.handle(mention(who, question, extra), chat);
  return chat.last().messageIds[0]!;
}

function only(who: MemberKey) {
  const rows = t.store.listInteractions(who);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('ground truth from reactions and replies', () => {
  it('pairs a 👎 with the correction that follows it', async () => {
    const answerId = await asked();
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    expect(only(alice)).toMatchObject({ feedback: 'negative', groundTruth: null });
    expect(chat.privates.map((message) => message.text)).toEqual([expect.stringContaining('Reply to it with the right answer')]);
    const correction = reply(alice, answerId, 'mushrooms, always');
    await t.bot.handle(correction, chat);
    expect(only(alice)).toMatchObject({ feedback: 'negative_corrected', groundTruth: 'mushrooms, always', correctionMessageId: correction.messageId, answer: 'pineapple' });
    expect(chat.reactions).toEqual([{ channelId: 'c1', messageId: correction.messageId, emoji: '✅' }]);
    expect(chat.sent).toHaveLength(1);
  });

  it('pairs a reply that came before the 👎', async () => {
    const answerId = await asked();
    const early = reply(alice, answerId, 'olives');
    await t.bot.handle(early, chat);
    expect(only(alice)).toMatchObject({ feedback: 'none', groundTruth: null, candidateText: 'olives' });
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    expect(only(alice)).toMatchObject({ feedback: 'negative_corrected', groundTruth: 'olives', correctionMessageId: early.messageId });
    expect(chat.reactions).toEqual([{ channelId: 'c1', messageId: early.messageId, emoji: '✅' }]);
  });

  it('takes 👍 as the answer being right, and a removed reaction takes it back', async () => {
    const answerId = await asked();
    await t.bot.handle(reaction(alice, answerId, '+1'), chat);
    expect(only(alice)).toMatchObject({ feedback: 'positive', groundTruth: 'pineapple' });
    await t.bot.handle(reaction(alice, answerId, '+1', false), chat);
    expect(only(alice)).toMatchObject({ feedback: 'none', groundTruth: null });
  });

  it('removing the 👎 takes the correction back; adding it again restores it', async () => {
    const answerId = await asked();
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    await t.bot.handle(reply(alice, answerId, 'basil'), chat);
    await t.bot.handle(reaction(alice, answerId, '👎', false), chat);
    expect(only(alice)).toMatchObject({ feedback: 'none', groundTruth: null });
    await t.bot.handle(reaction(alice, answerId, 'thumbsdown'), chat);
    expect(only(alice)).toMatchObject({ feedback: 'negative_corrected', groundTruth: 'basil' });
  });

  it('an edited correction replaces the ground truth; a deleted one removes it', async () => {
    const answerId = await asked();
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    const correction = reply(alice, answerId, 'anchovies');
    await t.bot.handle(correction, chat);
    await t.bot.handle({ kind: 'edit', member: alice, channelId: 'c1', messageId: correction.messageId, text: 'anchovies and capers', at: new Date() }, chat);
    expect(only(alice)).toMatchObject({ groundTruth: 'anchovies and capers' });
    // An edit by someone else of a message with the same id changes nothing.
    await t.bot.handle({ kind: 'edit', member: bob, channelId: 'c1', messageId: correction.messageId, text: 'hacked', at: new Date() }, chat);
    expect(only(alice)).toMatchObject({ groundTruth: 'anchovies and capers' });
    await t.bot.handle({ kind: 'delete', platform: 'discord', workspaceId: 'w1', channelId: 'c1', messageId: correction.messageId, at: new Date() }, chat);
    expect(only(alice)).toMatchObject({ feedback: 'negative', groundTruth: null, correctionMessageId: null });
  });

  it('ignores reactions and replies from anyone but the asker', async () => {
    const answerId = await asked();
    await t.bot.handle(reaction(carol, answerId, '👎'), chat);
    await t.bot.handle(reply(carol, answerId, 'carol thinks: ham'), chat);
    await t.bot.handle(reaction(carol, answerId, '👍'), chat);
    expect(only(alice)).toMatchObject({ feedback: 'none', groundTruth: null, candidateText: null });
    expect(t.store.findMember(carol)).toBeUndefined();
    expect(chat.privates).toHaveLength(0);
    // Alice's own 👎 now asks for her correction; Carol's reply does not pair with it.
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    await t.bot.handle(reply(carol, answerId, 'still ham'), chat);
    expect(only(alice)).toMatchObject({ feedback: 'negative', groundTruth: null });
  });

  it('records a redelivered reaction or correction once and acknowledges once', async () => {
    const answerId = await asked();
    const down = reaction(alice, answerId, '👎');
    await t.bot.handle(down, chat);
    await t.bot.handle(down, chat);
    const correction = reply(alice, answerId, 'pepperoni');
    await t.bot.handle(correction, chat);
    await t.bot.handle(correction, chat);
    expect(only(alice)).toMatchObject({ feedback: 'negative_corrected', groundTruth: 'pepperoni' });
    expect(chat.privates).toHaveLength(1);
    expect(chat.reactions).toHaveLength(1);
  });

  it('ignores reactions on messages it has no record of, and other emoji', async () => {
    await asked();
    await t.bot.handle(reaction(alice, 'some-user-message', '👎'), chat);
    await t.bot.handle(reaction(alice, chat.last().messageIds[0]!, '🎉'), chat);
    expect(only(alice)).toMatchObject({ feedback: 'none' });
    expect(chat.privates).toHaveLength(0);
  });

  it('handles empty, huge and emoji-only corrections within the documented limit', async () => {
    const answerId = await asked();
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    await t.bot.handle(reply(alice, answerId, '   '), chat);
    expect(only(alice)).toMatchObject({ feedback: 'negative', groundTruth: null });
    expect(chat.privates.at(-1)!.text).toContain('no text');
    await t.bot.handle(reply(alice, answerId, 'z'.repeat(20_000)), chat);
    expect(only(alice).groundTruth).toHaveLength(t.config.MAX_MESSAGE_CHARS);
    expect(chat.privates.at(-1)!.text).toContain(`first ${t.config.MAX_MESSAGE_CHARS.toLocaleString('en')} characters`);

    const second = await asked(alice, 'how do you feel?', 'fine');
    await t.bot.handle(reaction(alice, second, '👎'), chat);
    await t.bot.handle(reply(alice, second, '🙂'), chat);
    expect(t.store.listInteractions(alice)[0]).toMatchObject({ groundTruth: '🙂', feedback: 'negative_corrected' });
  });

  it('keeps two members\' corrections apart in one thread at the same time', async () => {
    const aliceAnswer = await asked(alice, 'film tonight?', 'Alien', { threadId: 'thread-1' });
    const bobAnswer = await asked(bob, 'film tonight for me?', 'Heat', { threadId: 'thread-1' });
    await Promise.all([t.bot.handle(reaction(alice, aliceAnswer, '👎'), chat), t.bot.handle(reaction(bob, bobAnswer, '👎'), chat)]);
    // Slack-style thread replies: no reply target, only the thread.
    await Promise.all([
      t.bot.handle(reply(alice, undefined, 'Amélie', { threadId: 'thread-1' }), chat),
      t.bot.handle(reply(bob, undefined, 'Ronin', { threadId: 'thread-1' }), chat),
    ]);
    expect(only(alice)).toMatchObject({ groundTruth: 'Amélie', answer: 'Alien' });
    expect(only(bob)).toMatchObject({ groundTruth: 'Ronin', answer: 'Heat' });
  });

  it('answers an addressed reply as a follow-up and keeps it as a candidate correction', async () => {
    const answerId = await asked();
    t.ollama.script({ content: 'Then try margherita.' });
    await t.bot.handle(reply(alice, answerId, 'I hate pineapple', { addressed: true }), chat);
    expect(chat.last().text).toBe('Then try margherita.');
    const [followUp, original] = t.store.listInteractions(alice);
    expect(followUp!.question).toBe('I hate pineapple');
    expect(followUp!.conversationId).toBe(original!.conversationId);
    expect(original).toMatchObject({ candidateText: 'I hate pineapple', feedback: 'none' });
  });
});

describe('after a correction', () => {
  it('takes later messages in the thread as conversation (follow-ups), not as a new correction', async () => {
    const answerId = await asked(alice, 'what to cook?', 'soup', { threadId: 'th' });
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    await t.bot.handle(reply(alice, undefined, 'risotto', { threadId: 'th' }), chat);
    t.ollama.script({ content: 'Glad to help.' }, { content: 'Risotto again?' });
    await t.bot.handle(reply(alice, undefined, 'thanks!', { threadId: 'th' }), chat);
    await t.bot.handle(mention(alice, 'and tomorrow?', { threadId: 'th' }), chat);
    const [latest, thanks, first] = t.store.listInteractions(alice);
    expect(first).toMatchObject({ groundTruth: 'risotto', feedback: 'negative_corrected' });
    expect(thanks).toMatchObject({ question: 'thanks!', answer: 'Glad to help.', feedback: 'none' });
    expect(latest).toMatchObject({ question: 'and tomorrow?', answer: 'Risotto again?' });
  });

  it('with FOLLOW_UPS=mention, leaves later messages in the thread unanswered', async () => {
    await t.close();
    t = await createTestBot({ env: { FOLLOW_UPS: 'mention' } });
    const answerId = await asked(alice, 'what to cook?', 'soup', { threadId: 'th' });
    await t.bot.handle(reaction(alice, answerId, '👎'), chat);
    await t.bot.handle(reply(alice, undefined, 'risotto', { threadId: 'th' }), chat);
    await t.bot.handle(reply(alice, undefined, 'thanks!', { threadId: 'th' }), chat);
    expect(only(alice)).toMatchObject({ groundTruth: 'risotto', feedback: 'negative_corrected' });
    expect(t.ollama.chats()).toHaveLength(1);
  });
});
