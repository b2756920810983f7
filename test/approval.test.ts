import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareRates, wilsonInterval } from '../src/core/approval.js';
import type { MemberKey } from '../src/core/ports.js';
import { AlignmentRecords } from '../src/memory/alignment-records.js';
import { approvalByVersion } from '../src/memory/approval.js';
import { mention, member, reaction, reply } from './support/events.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { RecordingChat } from './support/recording-chat.js';

const alice = member('alice');
const bob = member('bob');

let t: TestBot;
let chat: RecordingChat;

beforeEach(async () => {
  t = await createTestBot();
  chat = new RecordingChat();
});
afterEach(async () => t.close());

/** `who` asks a question; returns the id of the bot's answer message. */
async function ask(who: MemberKey, question: string): Promise<string> {
  t.ollama.script({ content: `an answer to ${question}` });
  await t.bot.handle(mention(who, question), chat);
  return chat.last().messageIds[0]!;
}

/** The counts of the member's versions, oldest first, without the dates. */
function counts(who: MemberKey): Array<{ number: number; answers: number; labelled: number; approved: number; corrected: number }> {
  const memberId = t.store.findMember(who);
  if (memberId === undefined) return [];
  return approvalByVersion(t.store.db, memberId)
    .reverse()
    .map(({ number, answers, labelled, approved, corrected }) => ({ number, answers, labelled, approved, corrected }));
}

/** `who` asks `approved + corrected` questions and labels them: 👍 on the first `approved`, 👎 with a correction on the rest. */
async function label(who: MemberKey, approved: number, corrected: number): Promise<void> {
  for (let index = 0; index < approved + corrected; index += 1) {
    const answer = await ask(who, `question ${index}`);
    await t.bot.handle(reaction(who, answer, index < approved ? '👍' : '👎'), chat);
    if (index >= approved) await t.bot.handle(reply(who, answer, `the right answer ${index}`), chat);
  }
}

function rewrite(who: MemberKey): void {
  t.store.addPersonaVersion({ memberId: t.store.findMember(who)!, text: 'A rewrite. Use search_memory.', reason: 'aligned', at: new Date() });
}

/** Runs `/persona view` as `who`. */
async function view(who: MemberKey): Promise<string> {
  await t.bot.handle({ kind: 'command', name: 'persona', member: who, channelId: 'c1', args: ['view'], at: new Date() }, chat);
  return chat.privates.at(-1)!.text;
}

describe('Wilson interval', () => {
  it('matches reference values', () => {
    const cases: Array<[number, number, number, number]> = [
      [7, 9, 0.4526, 0.9368],
      [3, 8, 0.1368, 0.6943],
      [0, 10, 0, 0.2775],
      [10, 10, 0.7225, 1],
      [50, 100, 0.4038, 0.5962],
    ];
    for (const [successes, trials, low, high] of cases) {
      const rate = wilsonInterval(successes, trials)!;
      expect(rate.rate).toBe(successes / trials);
      expect(rate.low).toBeCloseTo(low, 3);
      expect(rate.high).toBeCloseTo(high, 3);
    }
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('calls a difference only when the intervals do not overlap', () => {
    expect(compareRates(wilsonInterval(7, 9), wilsonInterval(3, 8))).toBeNull();
    expect(compareRates(wilsonInterval(9, 9), wilsonInterval(1, 9))).toBe('better');
    expect(compareRates(wilsonInterval(1, 9), wilsonInterval(9, 9))).toBe('worse');
    expect(compareRates(wilsonInterval(1, 1), null)).toBeNull();
  });
});

describe('approval per persona version', () => {
  it('moves each count exactly once for 👍, 👎, correction, undo and edit, and only for the asker', async () => {
    const answer = await ask(alice, 'which wine with fish?');
    const state = (labelled: number, approved: number, corrected: number) => [{ number: 1, answers: 1, labelled, approved, corrected }];
    expect(counts(alice)).toEqual(state(0, 0, 0));
    await t.bot.handle(reaction(alice, answer, '👍'), chat);
    expect(counts(alice)).toEqual(state(1, 1, 0));
    await t.bot.handle(reaction(alice, answer, '👍'), chat);
    expect(counts(alice)).toEqual(state(1, 1, 0));
    await t.bot.handle(reaction(bob, answer, '👎'), chat);
    expect(counts(alice)).toEqual(state(1, 1, 0));
    await t.bot.handle(reaction(alice, answer, '👍', false), chat);
    expect(counts(alice)).toEqual(state(0, 0, 0));
    await t.bot.handle(reaction(alice, answer, '👎'), chat);
    expect(counts(alice)).toEqual(state(1, 0, 1));
    const correction = reply(alice, answer, 'white');
    await t.bot.handle(correction, chat);
    expect(counts(alice)).toEqual(state(1, 0, 1));
    await t.bot.handle({ kind: 'edit', member: alice, channelId: 'c1', messageId: correction.messageId, text: 'white, always', at: new Date() }, chat);
    expect(counts(alice)).toEqual(state(1, 0, 1));
    expect(t.store.listInteractions(t.store.findMember(alice)!)[0]!.groundTruth).toBe('white, always');
    await t.bot.handle(reaction(alice, answer, '👎', false), chat);
    expect(counts(alice)).toEqual(state(0, 0, 0));
    expect(counts(bob)).toEqual([]);
  });

  it('counts each answer under the version that gave it', async () => {
    await label(alice, 1, 2);
    rewrite(alice);
    await label(alice, 2, 0);
    await ask(alice, 'unlabelled');
    expect(counts(alice)).toEqual([
      { number: 1, answers: 3, labelled: 3, approved: 1, corrected: 2 },
      { number: 2, answers: 3, labelled: 2, approved: 2, corrected: 0 },
    ]);
  });

  it('forget removes the member from every figure', async () => {
    await label(alice, 2, 1);
    await label(bob, 1, 1);
    const aliceId = t.store.findMember(alice)!;
    const version = t.store.livePersona(aliceId)!;
    const records = new AlignmentRecords(t.store.db);
    const ids = t.store.listInteractions(aliceId).map((item) => item.id);
    records.saveAnswers(version.id, [{ interactionId: ids[0]!, answer: 'a', truth: 'b', score: 0 }]);
    records.recordValidation({ versionId: version.id, heldOutIds: ids, heldOutBefore: 0, heldOutAfter: 1, note: null });
    records.recordFailure({ memberId: aliceId, startedAt: new Date(), finishedAt: new Date(), detail: 'model down', modelCalls: 2 });
    const bobBefore = counts(bob);

    await t.bot.handle({ kind: 'command', name: 'persona', member: alice, channelId: 'c1', args: ['forget', 'confirm'], at: new Date() }, chat);

    expect(approvalByVersion(t.store.db, aliceId)).toEqual([]);
    expect(records.validations(aliceId).size).toBe(0);
    expect(records.answers(version.id, ids).size).toBe(0);
    const left = (table: string) => t.store.db.prepare(`SELECT count(*) FROM ${table} WHERE member_id = ?`).pluck().get(aliceId);
    expect(left('alignment_failures')).toBe(0);
    expect(t.store.db.prepare('SELECT count(*) FROM persona_answers').pluck().get()).toBe(0);
    expect(counts(bob)).toEqual(bobBefore);
  });
});

describe('/persona view', () => {
  it('shows approval for the current and previous versions, without a verdict while the intervals overlap', async () => {
    await label(alice, 3, 5);
    rewrite(alice);
    await label(alice, 7, 2);
    const text = await view(alice);
    expect(text).toContain(
      'How your answers were received: version 2: 7 of 9 approved, 78% (95% interval 45–94%); version 1: 3 of 8 approved, 38% (95% interval 14–69%).',
    );
    expect(text).not.toContain('doing');
  });

  it('gives a one-line verdict when the intervals do not overlap', async () => {
    await label(alice, 1, 8);
    rewrite(alice);
    await label(alice, 9, 0);
    const text = await view(alice);
    expect(text).toContain('version 2: 9 of 9 approved, 100% (95% interval 70–100%); version 1: 1 of 9 approved, 11% (95% interval 2–43%).');
    expect(text).toContain('Version 2 is doing better than version 1 (their 95% intervals do not overlap).');
  });

  it('says when the current version has no labels yet', async () => {
    await label(alice, 1, 0);
    rewrite(alice);
    await ask(alice, 'new question');
    expect(await view(alice)).toContain('How your answers were received: version 2: 1 answer, none labelled yet; version 1: 1 of 1 approved, 100% (95% interval 21–100%).');
  });
});
