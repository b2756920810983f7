import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashedEmbedding } from '../../test/fakes/hashed-embedding.js';
import { AlignmentRecords } from './alignment-records.js';
import { InstructionRecords } from './instruction-records.js';
import { Store } from './store.js';

/** Tables that hold nothing of any member (settings and the schema's own bookkeeping). */
const MEMBERLESS = ['meta', 'schema_migrations'];
/** Columns that hold a member's id, or the id of a row that is theirs alone. */
const OWNED_IDS = { member_id: 'members', interaction_id: 'interactions', persona_version_id: 'personas' } as const;

let dir: string;
let path: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'erasure-coverage-'));
  path = join(dir, 'bot.db');
  store = Store.open(path);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Everything a member leaves behind, each text carrying their marker word so any copy of it is recognisably theirs. */
function seed(marker: string, userId: string) {
  const at = new Date();
  const key = { platform: 'slack', workspaceId: 'T1', userId } as const;
  const said = (what: string) => `${what} by ${marker} ${userId}`;
  const memberId = store.ensureMember(key);
  store.recordDisplayName(key, said('display name'));
  const persona = store.addPersonaVersion({ memberId, text: said('persona text'), reason: 'init', at });
  const { interaction } = store.recordQuestion({ memberId, channelId: 'C1', conversationId: `${userId}-q`, messageId: `${userId}-q`, text: said('question text'), at });
  store.recordAnswer(interaction.id, said('answer text'), persona.id, at, { vector: Float32Array.from(hashedEmbedding(said('question'))), model: 'embed-test' });
  store.recordAnswerMessages(interaction.id, { platform: 'slack', workspaceId: 'T1', channelId: 'C1' }, [`${userId}-answer`]);
  store.applyFeedback(interaction.id, { feedback: 'negative_corrected', groundTruth: said('correction text'), correctionMessageId: `${userId}-fix`, candidateText: said('candidate text'), candidateMessageId: `${userId}-fix`, at });
  store.saveProfile(memberId, said('profile summary'), interaction.id, at);
  store.recordAlignmentRun({ memberId, startedAt: at, finishedAt: at, outcome: 'rejected', detail: said('alignment detail'), modelCalls: 1, personaVersionId: persona.id });
  const alignment = new AlignmentRecords(store.db);
  alignment.saveAnswers(persona.id, [{ interactionId: interaction.id, answer: said('replayed answer'), score: 0.5, truth: said('correction text') }]);
  alignment.recordFailure({ memberId, startedAt: at, finishedAt: at, detail: said('failure detail'), modelCalls: 1 });
  new InstructionRecords(store.db).set({ platform: 'slack', workspaceId: 'T1', channelId: `C-${userId}` }, said('standing instruction'), userId, at);
  return { memberId, marker, interactionIds: [interaction.id], personaIds: [persona.id], texts: ['display name', 'persona text', 'question text', 'answer text', 'correction text', 'candidate text', 'profile summary', 'alignment detail', 'replayed answer', 'failure detail', 'standing instruction'].map(said) };
}

type Seeded = ReturnType<typeof seed>;

/** Every table of the schema, read from sqlite_master, so a table added later is checked too. */
function tables(): string[] {
  return store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
}

/** Whether a row is the member's: a text with their marker, or a column holding their id or the id of a row of theirs. */
function isTheirs(row: Record<string, unknown>, table: string, member: Seeded): boolean {
  const ids = { members: [member.memberId], interactions: member.interactionIds, personas: member.personaIds };
  return Object.entries(row).some(([column, value]) => {
    if (typeof value === 'string') return value.includes(member.marker);
    if (Buffer.isBuffer(value)) return value.includes(Buffer.from(member.marker));
    const owned = OWNED_IDS[column as keyof typeof OWNED_IDS] ?? (column === 'id' ? (table === 'interactions' ? 'interactions' : table === 'members' ? 'members' : table === 'persona_versions' ? 'personas' : undefined) : undefined);
    return owned !== undefined && ids[owned].includes(Number(value));
  });
}

/** The tables holding at least one row of the member's. */
function tablesHolding(member: Seeded): string[] {
  return tables().filter((table) => (store.db.prepare(`SELECT * FROM "${table}"`).all() as Array<Record<string, unknown>>).some((row) => isTheirs(row, table, member)));
}

function fileBytes(): Buffer {
  return Buffer.concat([path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
}

/** The texts of which some run of 12 characters is still in the file or its WAL (runs the other member's texts share do not count). */
function leaked(texts: string[], others: string[]): string[] {
  const bytes = fileBytes();
  return texts.filter((text) => {
    for (let start = 0; start + 12 <= text.length; start += 1) {
      const run = text.slice(start, start + 12);
      if (!others.some((other) => other.includes(run)) && bytes.includes(Buffer.from(run))) return true;
    }
    return false;
  });
}

describe('forgetting a member, table by table', () => {
  it('seeds the member in every table of the schema that can hold a member, and erases every row and byte of theirs', () => {
    const alice = seed('Xiuhtecuhtli', 'UALICE');
    const bob = seed('Numenorean', 'UBOB');
    const memberTables = tables().filter((table) => !MEMBERLESS.includes(table));
    // A table this test does not seed fails here: add the member to it in `seed`, and to the erasure.
    expect(tablesHolding(alice)).toEqual(memberTables);
    expect(tablesHolding(bob)).toEqual(memberTables);
    store.db.pragma('wal_checkpoint(PASSIVE)');
    expect(leaked(alice.texts, bob.texts)).toEqual(alice.texts);

    expect(store.forgetMember(alice.memberId)).toMatchObject({ interactions: 1, erased: true });

    expect(tablesHolding(alice)).toEqual([]);
    expect(tablesHolding(bob)).toEqual(memberTables);
    expect(leaked(alice.texts, bob.texts)).toEqual([]);
    expect(leaked(bob.texts, alice.texts)).toEqual(bob.texts);
    store.close();
    expect(leaked(alice.texts, bob.texts)).toEqual([]);
  });
});
