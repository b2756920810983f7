import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandEvent, MemberKey } from '../src/core/ports.js';
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

/** Runs `/persona <args>` as `who` and returns the private reply. */
async function persona(who: MemberKey, args: string, extra: Partial<CommandEvent> = {}): Promise<string> {
  const before = chat.privates.length;
  await t.bot.handle({ kind: 'command', name: 'persona', member: who, channelId: 'c1', args: args.split(' ').filter(Boolean), at: new Date(), ...extra }, chat);
  const replies = chat.privates.slice(before);
  expect(replies).toHaveLength(1);
  expect(replies[0]!.member).toEqual(who);
  return replies[0]!.text;
}

/** `who` asks, gets `answer`, 👎s it and replies with `truth`. */
async function correct(who: MemberKey, question: string, answer: string, truth: string): Promise<void> {
  t.ollama.script({ content: answer });
  await t.bot.handle(mention(who, question), chat);
  const answerId = chat.last().messageIds[0]!;
  await t.bot.handle(reaction(who, answerId, '👎'), chat);
  await t.bot.handle(reply(who, answerId, truth), chat);
}

/** Rows about a member in every table that keeps something about them (`ids`: their interactions, for the text index). */
function kept(memberId: number, ids: number[]): Record<string, number> {
  const count = (sql: string) => t.store.db.prepare(sql).pluck().get(memberId) as number;
  return {
    interactions: count('SELECT count(*) FROM interactions WHERE member_id = ?'),
    vectors: count('SELECT count(*) FROM interaction_vectors WHERE member_id = ?'),
    text: ids.filter((id) => t.store.index.hasText(memberId, id)).length,
    personas: count('SELECT count(*) FROM persona_versions WHERE member_id = ?'),
    profiles: count('SELECT count(*) FROM profiles WHERE member_id = ?'),
  };
}

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


describe('/persona', () => {
  it('view shows the member their own persona, its origin and their labelled answers, privately', async () => {
    await correct(alice, 'which wine with fish?', 'red', 'white, always white');
    const text = await persona(alice, 'view');
    const memberId = t.store.findMember(alice)!;
    expect(text).toContain('Your persona (version 1, created');
    expect(text).toContain(t.store.livePersona(memberId)!.text);
    expect(text).toContain('It has learned from 0 of your 1 labelled answers.');
    expect(text).toContain('Q: which wine with fish? | my answer: red | right answer: white, always white');
    expect(chat.sent.map((message) => message.text)).not.toContain(text);
  });

  it('view after a rewrite says why and when, how much it learned, and the score trend', async () => {
    await correct(alice, 'which wine with fish?', 'red', 'white');
    const memberId = t.store.findMember(alice)!;
    t.store.addPersonaVersion({ memberId, text: 'Alice drinks white wine. Use search_memory.', reason: 'aligned', at: new Date(), scoreBefore: 0, scoreAfter: 1 });
    const text = await persona(alice, '');
    expect(text).toContain('Your persona (version 2, rewritten from your feedback');
    expect(text).toContain('It has learned from 1 of your 1 labelled answers.');
    expect(text).toContain('Before it went live it was checked only on the questions it was written from: 0.00 → 1.00 (out of 1).');
    expect(text).toContain('Alice drinks white wine.');
  });

  it('view tells the member when a newer rewrite was not adopted', async () => {
    await correct(alice, 'which wine with fish?', 'red', 'white');
    const memberId = t.store.findMember(alice)!;
    const now = Date.now();
    t.store.recordAlignmentRun({ memberId, startedAt: new Date(now + 1000), finishedAt: new Date(now + 2000), outcome: 'rejected', detail: 'rewrite rejected: it scored worse on the batch (1.00 → 0.00)', modelCalls: 8 });
    expect(await persona(alice, 'view')).toContain('was not adopted (it scored worse on the batch (1.00 → 0.00)).');
  });

  it("never shows one member another's persona or history", async () => {
    await correct(bob, 'favourite team?', 'Arsenal', 'Celtic');
    const bobPersona = 'Bob supports Celtic and hates Arsenal. Use search_memory.';
    t.store.addPersonaVersion({ memberId: t.store.findMember(bob)!, text: bobPersona, reason: 'aligned', at: new Date() });
    const first = chat.privates.length;
    const view = await persona(alice, 'view bob');
    const history = await persona(alice, 'history bob');
    expect(view).toBe('You can only see your own persona.');
    expect(history).toBe('You can only see your own persona history.');
    const own = await persona(alice, 'view');
    expect(own).not.toContain('Celtic');
    expect(own).not.toContain('Arsenal');
    expect(chat.privates.slice(first).every((message) => message.member.userId === 'alice')).toBe(true);
    expect(chat.privates.slice(first).some((message) => message.text.includes(bobPersona))).toBe(false);
  });

  it('reset goes back to the initial persona as a new version and keeps the history', async () => {
    await correct(alice, 'which wine with fish?', 'red', 'white');
    const memberId = t.store.findMember(alice)!;
    t.store.addPersonaVersion({ memberId, text: 'Rewritten. Use search_memory.', reason: 'aligned', at: new Date() });
    const text = await persona(alice, 'reset');
    expect(text).toContain('Your persona is back to the initial one built from the profile (version 3)');
    expect(t.store.personaHistory(memberId, 10).map((version) => version.reason)).toEqual(['reset', 'aligned', 'init']);
    expect(t.store.livePersona(memberId)!.text).toBe(t.core.personas.initialText(memberId));
    // A reset is not undone by the next scheduled run from the same ground truth.
    expect(t.store.membersDueForAlignment(10)).toEqual([]);
  });

  it("lets only workspace admins reset another member's persona", async () => {
    await correct(bob, 'favourite team?', 'Arsenal', 'Celtic');
    const bobId = t.store.findMember(bob)!;
    t.store.addPersonaVersion({ memberId: bobId, text: 'Bob supports Celtic. Use search_memory.', reason: 'aligned', at: new Date() });
    expect(await persona(alice, 'reset bob')).toBe("Only workspace admins can reset another member's persona.");
    expect(t.store.livePersona(bobId)!.reason).toBe('aligned');

    expect(await persona(alice, 'reset bob', { isAdmin: true })).toContain("<@bob>'s persona is back to the initial one");
    expect(t.store.livePersona(bobId)!.reason).toBe('reset');
    expect(t.store.listInteractions(bobId)).toHaveLength(1);
    expect(await persona(alice, 'reset nobody', { isAdmin: true })).toBe('I have no persona for <@nobody> yet.');
  });

  it('history lists versions newest first with what changed', async () => {
    await correct(alice, 'which wine with fish?', 'red', 'white');
    const memberId = t.store.findMember(alice)!;
    const initial = t.store.livePersona(memberId)!.text;
    t.store.addPersonaVersion({ memberId, text: `${initial}\nAlice prefers white wine.`, reason: 'aligned', at: new Date(), scoreBefore: 0.25, scoreAfter: 0.75 });
    const text = await persona(alice, 'history');
    expect(text).toMatch(/^Your last 2 persona versions, newest first:/);
    expect(text).toMatch(/Version 2: rewritten from your feedback .* · batch 0\.25 → 0\.75 · no answers yet\n {2}\+ .*Alice prefers white wine\./);
    expect(text).toMatch(/Version 1: created .* · 0 of 1 approved, 0% \(95% interval 0–79%\)\n/);
    expect(text).toContain('Version 1: created');
    expect(text.indexOf('Version 2')).toBeLessThan(text.indexOf('Version 1'));
  });

  it('forget asks for confirmation, then deletes everything about the member and nothing about others', async () => {
    await correct(alice, 'which wine with fish?', 'red', 'white');
    await correct(bob, 'favourite team?', 'Arsenal', 'Celtic');
    const aliceId = t.store.findMember(alice)!;
    const bobId = t.store.findMember(bob)!;
    t.store.saveProfile(aliceId, 'Likes white wine.', 1, new Date());
    const aliceIds = t.store.listInteractions(aliceId).map((item) => item.id);
    const bobIds = t.store.listInteractions(bobId).map((item) => item.id);
    const bobBefore = kept(bobId, bobIds);
    expect(bobBefore).toMatchObject({ interactions: 1, vectors: 1, text: 1 });

    const ask = await persona(alice, 'forget');
    expect(ask).toContain('This deletes everything I keep about you: 1 interactions');
    expect(ask).toContain('To go ahead, run: /persona forget confirm:True');
    expect(kept(aliceId, aliceIds)).toMatchObject({ interactions: 1, vectors: 1, text: 1, profiles: 1 });

    expect(await persona(alice, 'forget confirm')).toContain('Done. I deleted 1 interactions');
    expect(kept(aliceId, aliceIds)).toEqual({ interactions: 0, vectors: 0, text: 0, personas: 0, profiles: 0 });
    expect(t.store.findMember(alice)).toBeUndefined();
    expect(kept(bobId, bobIds)).toEqual(bobBefore);
    expect(await persona(alice, 'forget')).toBe('I keep nothing about you.');
  });

  it('explains unknown subcommands', async () => {
    expect(await persona(alice, 'delete-everything')).toBe(
      'I don\'t know "/persona delete-everything".\nUsage: /persona [view | history | memories [page] | forget [<id> | confirm] | export | reset]; admins: /persona admin instructions set|show|clear [channel]',
    );
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
    const items = t.store.listInteractions(aliceId);
    const ids = items.map((item) => item.id);
    records.saveAnswers(version.id, [{ interactionId: ids[0]!, answer: 'a', truth: 'b', score: 0 }]);
    records.recordValidation({ versionId: version.id, heldOutIds: ids, heldOutBefore: 0, heldOutAfter: 1, note: null });
    records.recordFailure({ memberId: aliceId, startedAt: new Date(), finishedAt: new Date(), detail: 'model down', modelCalls: 2 });
    const bobBefore = counts(bob);

    await persona(alice, 'forget confirm');

    expect(approvalByVersion(t.store.db, aliceId)).toEqual([]);
    expect(records.validations(aliceId).size).toBe(0);
    expect(records.answers(version.id, items).size).toBe(0);
    const left = (table: string) => t.store.db.prepare(`SELECT count(*) FROM ${table} WHERE member_id = ?`).pluck().get(aliceId);
    expect(left('alignment_failures')).toBe(0);
    expect(t.store.db.prepare('SELECT count(*) FROM persona_answers').pluck().get()).toBe(0);
    expect(counts(bob)).toEqual(bobBefore);
  });
});

describe('/persona view approval', () => {
  it('shows approval for the current and previous versions, without a verdict while the intervals overlap', async () => {
    await label(alice, 3, 5);
    rewrite(alice);
    await label(alice, 7, 2);
    const text = await persona(alice, 'view');
    expect(text).toContain(
      'How your answers were received: version 2: 7 of 9 approved, 78% (95% interval 45–94%); version 1: 3 of 8 approved, 38% (95% interval 14–69%).',
    );
    expect(text).not.toContain('doing');
  });

  it('gives a one-line verdict when the intervals do not overlap', async () => {
    await label(alice, 1, 8);
    rewrite(alice);
    await label(alice, 9, 0);
    const text = await persona(alice, 'view');
    expect(text).toContain('version 2: 9 of 9 approved, 100% (95% interval 70–100%); version 1: 1 of 9 approved, 11% (95% interval 2–43%).');
    expect(text).toContain('Version 2 is doing better than version 1 (their 95% intervals do not overlap).');
  });

  it('says when the current version has no labels yet', async () => {
    await label(alice, 1, 0);
    rewrite(alice);
    await ask(alice, 'new question');
    expect(await persona(alice, 'view')).toContain('How your answers were received: version 2: 1 answer, none labelled yet; version 1: 1 of 1 approved, 100% (95% interval 21–100%).');
  });
});
