import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashedEmbedding } from '../../test/fakes/hashed-embedding.js';
import { forgetOwnMemory } from './memory-removal.js';
import { Store } from './store.js';

let dir: string;
let path: string;
let store: Store;

/** Words nobody else uses, so any copy of them in the files is theirs. */
const alice = {
  question: 'Quetzalcoatl marmalade recipe for my grandmother Xiuhtecuhtli',
  answer: 'Bitter Seville oranges simmered with Zapotec cinnamon overnight',
  correction: 'No: blood oranges from Oaxaca, and never any cinnamon whatsoever',
  edited: 'Blood oranges from Oaxaca with a splash of mezcal Pechuga',
  profile: 'Cooks preserves for grandmother Xiuhtecuhtli',
  persona: 'Answer like a Oaxacan preserves enthusiast',
};
const bob = {
  question: 'Which Tolkien appendix lists the Numenorean kings of Andunie',
  answer: 'Appendix A of The Return of the King, under Numenor',
  correction: 'Appendix A, section one, The Numenorean Kings of Andunie',
};

function fileBytes(): Buffer {
  const parts = [path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file));
  return Buffer.concat(parts);
}

function leaked(texts: string[], bytes = fileBytes()): string[] {
  // Any run of 12 characters of a text counts: a page split or an overflow page may cut the rest.
  return texts.filter((text) => {
    for (let start = 0; start + 12 <= text.length; start += 4) if (bytes.includes(Buffer.from(text.slice(start, start + 12)))) return true;
    return false;
  });
}

function converse(memberId: number, messageId: string, said: { question: string; answer: string; correction: string }): number {
  const { interaction } = store.recordQuestion({ memberId, channelId: 'c', conversationId: messageId, messageId, text: said.question, at: new Date() });
  store.recordVector(interaction.id, memberId, Float32Array.from(hashedEmbedding(said.question)), 'embed-test');
  store.recordAnswer(interaction.id, said.answer, null, new Date());
  store.applyFeedback(interaction.id, { feedback: 'negative_corrected', groundTruth: said.correction, correctionMessageId: `${messageId}-fix`, candidateText: said.correction, candidateMessageId: `${messageId}-fix`, at: new Date() });
  return interaction.id;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'erasure-test-'));
  path = join(dir, 'bot.db');
  store = Store.open(path);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('forgetting a member reaches the bytes', () => {
  it('leaves none of their questions, answers, corrections, profile or persona in the database file or its WAL', () => {
    const aliceId = store.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'alice' });
    const bobId = store.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'bob' });
    const first = converse(aliceId, 'a1', alice);
    converse(bobId, 'b1', bob);
    // An edited correction and a deleted one: earlier versions of the row must not survive either.
    store.applyFeedback(first, { feedback: 'negative_corrected', groundTruth: alice.edited, correctionMessageId: 'a1-fix', candidateText: alice.edited, candidateMessageId: 'a1-fix', at: new Date() });
    converse(aliceId, 'a2', { question: `${alice.question} again`, answer: alice.answer, correction: alice.correction });
    store.applyFeedback(first, { feedback: 'negative', groundTruth: null, correctionMessageId: null, candidateText: null, candidateMessageId: null, at: new Date() });
    store.saveProfile(aliceId, alice.profile, first, new Date());
    store.addPersonaVersion({ memberId: aliceId, text: alice.persona, reason: 'init', at: new Date() });
    expect(store.searchMemory(aliceId, { text: 'marmalade' }, 4)).not.toHaveLength(0);
    // Part of it checkpointed into the file, part still in the WAL, as in a running bot.
    store.db.pragma('wal_checkpoint(PASSIVE)');
    store.recordQuestion({ memberId: aliceId, channelId: 'c', conversationId: 'a3', messageId: 'a3', text: `${alice.question} once more`, at: new Date() });
    expect(leaked(Object.values(alice))).not.toHaveLength(0);

    const forgotten = store.forgetMember(aliceId);
    expect(forgotten.interactions).toBe(3);

    expect(leaked(Object.values(alice))).toEqual([]);
    expect(leaked(Object.values(bob))).toEqual(Object.values(bob));
    expect(forgotten).toMatchObject({ erased: true });
    expect(store.searchMemory(aliceId, { text: 'marmalade oranges' }, 4)).toEqual([]);
    store.close();
    expect(leaked(Object.values(alice))).toEqual([]);
    expect(leaked(Object.values(bob))).toEqual(Object.values(bob));
  });
});

describe('forgetting one memory reaches the bytes', () => {
  it('leaves none of its question, answer or correction in the file or the WAL; the member\'s other memories stay', () => {
    const aliceId = store.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'alice' });
    const bobId = store.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'bob' });
    const forgotten = converse(aliceId, 'a1', alice);
    const kept = { question: 'Which Sichuan peppercorn grinder survives a decade', answer: 'A ceramic burr Kyocera grinder, cleaned monthly', correction: 'The cast iron Peugeot Zanzibar model instead' };
    converse(aliceId, 'a2', kept);
    converse(bobId, 'b1', bob);
    // Part of it checkpointed into the file, part still in the WAL, as in a running bot.
    store.db.pragma('wal_checkpoint(PASSIVE)');
    store.applyFeedback(forgotten, { feedback: 'negative_corrected', groundTruth: alice.edited, correctionMessageId: 'a1-fix', candidateText: alice.edited, candidateMessageId: 'a1-fix', at: new Date() });
    const said = [alice.question, alice.answer, alice.correction, alice.edited];
    expect(leaked(said)).toEqual(said);

    expect(forgetOwnMemory(store, aliceId, forgotten)).toMatchObject({ removed: true });

    expect(leaked(said)).toEqual([]);
    expect(leaked(Object.values(kept))).toEqual(Object.values(kept));
    expect(leaked(Object.values(bob))).toEqual(Object.values(bob));
    expect(store.listInteractions(aliceId).map((item) => item.question)).toEqual([kept.question]);
  });

  it('erases a question withdrawn through the store (a reply that became a correction)', () => {
    const aliceId = store.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'alice' });
    const { interaction } = store.recordQuestion({ memberId: aliceId, channelId: 'c', conversationId: 'a1', messageId: 'a1', text: alice.question, at: new Date() });
    store.recordQuestion({ memberId: aliceId, channelId: 'c', conversationId: 'a2', messageId: 'a2', text: bob.question, at: new Date() });
    expect(store.forgetInteraction(interaction.id)).toBe(true);
    expect(leaked([alice.question])).toEqual([]);
    expect(leaked([bob.question])).toEqual([bob.question]);
  });
});
