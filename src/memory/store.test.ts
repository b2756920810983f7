import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashedEmbedding } from '../../test/fakes/hashed-embedding.js';
import { EmbeddingMismatchError } from '../shared/errors.js';
import { applyMigrations, openDatabase } from './database.js';
import { migrations } from './migrations.js';
import { Store } from './store.js';

let dir: string;
let store: Store;
const alice = { platform: 'discord', workspaceId: 'g1', userId: 'alice' } as const;
const bob = { platform: 'discord', workspaceId: 'g1', userId: 'bob' } as const;

function remember(memberId: number, messageId: string, question: string, answer: string, vector = true): number {
  const { interaction } = store.recordQuestion({ memberId, channelId: 'c', conversationId: messageId, messageId, text: question, at: new Date() });
  store.recordAnswer(interaction.id, answer, null, new Date());
  if (vector) store.recordVector(interaction.id, memberId, Float32Array.from(hashedEmbedding(question)), 'embed-test');
  return interaction.id;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-test-'));
  store = Store.open(join(dir, 'bot.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('creates every table on an empty file, in WAL mode', () => {
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['members', 'interactions', 'persona_versions', 'profiles', 'answer_messages', 'interaction_vectors', 'schema_migrations', 'alignment_runs']));
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(Math.max(...migrations.map((migration) => migration.version)));
  });

  it('reopens an existing file without re-applying and keeps its data', () => {
    const id = store.ensureMember(alice);
    store.close();
    const raw = new Database(join(dir, 'bot.db'));
    expect(applyMigrations(raw)).toEqual([]);
    raw.close();
    store = new Store(openDatabase(join(dir, 'bot.db')));
    expect(store.findMember(alice)).toBe(id);
  });

  it('applies only the missing migrations to an older database', () => {
    const raw = new Database(join(dir, 'old.db'));
    raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    expect(applyMigrations(raw)).toEqual(migrations.map((migration) => migration.version));
    expect(applyMigrations(raw)).toEqual([]);
    raw.close();
  });
});

describe('hybrid memory search', () => {
  it('ranks an exact keyword match first among similar memories', () => {
    const memberId = store.ensureMember(alice);
    remember(memberId, 'm1', 'what is a good pasta recipe', 'carbonara');
    const exact = remember(memberId, 'm2', 'which pasta shape goes with pesto genovese', 'trofie');
    remember(memberId, 'm3', 'a pasta dish for dinner', 'lasagne');
    const query = 'pesto genovese pasta';
    const hits = store.searchMemory(memberId, { text: query, vector: Float32Array.from(hashedEmbedding(query)) }, 4);
    expect(hits[0]?.interaction.id).toBe(exact);
    expect(hits).toHaveLength(3);
  });

  it('never returns another member\'s rows, even with identical text', () => {
    const aliceId = store.ensureMember(alice);
    const bobId = store.ensureMember(bob);
    const mine = remember(aliceId, 'a1', 'my favourite colour is teal', 'teal');
    remember(bobId, 'b1', 'my favourite colour is teal', 'orange');
    remember(bobId, 'b2', 'favourite colour teal teal teal', 'orange');
    const query = 'favourite colour teal';
    const hits = store.searchMemory(aliceId, { text: query, vector: Float32Array.from(hashedEmbedding(query)) }, 10);
    expect(hits.map((hit) => hit.interaction.id)).toEqual([mine]);
  });

  it('hides the given interaction and everything after it', () => {
    const memberId = store.ensureMember(alice);
    const first = remember(memberId, 'm1', 'chess opening advice', 'sicilian');
    const second = remember(memberId, 'm2', 'chess endgame advice', 'king activity');
    remember(memberId, 'm3', 'chess middlegame advice', 'plans');
    const query = 'chess advice';
    const hits = store.searchMemory(memberId, { text: query, vector: Float32Array.from(hashedEmbedding(query)) }, 10, second);
    expect(hits.map((hit) => hit.interaction.id)).toEqual([first]);
  });

  it('falls back to keywords for rows without vectors', () => {
    const memberId = store.ensureMember(alice);
    const id = remember(memberId, 'm1', 'the capital of mongolia', 'ulaanbaatar', false);
    expect(store.searchMemory(memberId, { text: 'mongolia' }, 4).map((hit) => hit.interaction.id)).toEqual([id]);
  });
});

describe('reading interactions back', () => {
  it('reads many by id in the order asked, with their answer messages, leaving out ids it does not have', () => {
    const memberId = store.ensureMember(alice);
    const first = remember(memberId, 'm1', 'the capital of mongolia', 'ulaanbaatar', false);
    const second = remember(memberId, 'm2', 'the capital of peru', 'lima', false);
    store.recordAnswerMessages(second, { platform: 'discord', workspaceId: 'g1', channelId: 'c' }, ['a2']);
    const read = store.interactions([second, 999_999, first]);
    expect(read.map((record) => [record.id, record.answer, record.answerMessageIds])).toEqual([
      [second, 'lima', ['a2']],
      [first, 'ulaanbaatar', []],
    ]);
  });

  it("counts an answer with its question's vector as one change to the member's memory", () => {
    const memberId = store.ensureMember(alice);
    const generation = () => store.db.prepare('SELECT memory_generation FROM members WHERE id = ?').pluck().get(memberId) as number;
    const { interaction } = store.recordQuestion({ memberId, channelId: 'c', conversationId: 'm1', messageId: 'm1', text: 'tea or coffee', at: new Date() });
    const before = generation();
    store.recordAnswer(interaction.id, 'tea', null, new Date(), { vector: Float32Array.from(hashedEmbedding('tea or coffee')), model: 'embed-test' });
    expect(generation()).toBe(before + 1);
    expect(store.searchMemory(memberId, { text: 'tea', vector: Float32Array.from(hashedEmbedding('tea or coffee')) }, 4).map((hit) => hit.interaction.id)).toEqual([interaction.id]);
  });
});

describe('embedding space', () => {
  it('stores the model and dimension on first use and refuses another model', () => {
    const memberId = store.ensureMember(alice);
    remember(memberId, 'm1', 'hello there', 'hi');
    expect(store.index.embeddingSpace()).toEqual({ model: 'embed-test', dimension: 64 });
    expect(() => store.index.checkEmbeddingModel('other-model')).toThrow(EmbeddingMismatchError);
    expect(() => store.recordVector(1, memberId, new Float32Array(32).fill(0.1), 'embed-test')).toThrow(EmbeddingMismatchError);
  });
});

describe('forgetting a member', () => {
  it('removes interactions, vectors, text rows, profile and personas, and nothing of others', () => {
    const aliceId = store.ensureMember(alice);
    const bobId = store.ensureMember(bob);
    const aliceMemory = remember(aliceId, 'a1', 'alice secret hobby is gliding', 'gliding');
    const bobsMemory = remember(bobId, 'b1', 'bob hobby is gliding too', 'gliding');
    store.saveProfile(aliceId, 'likes gliding', 1, new Date());
    store.addPersonaVersion({ memberId: aliceId, text: 'persona', reason: 'init', at: new Date() });
    store.forgetMember(aliceId);
    const count = (sql: string) => store.db.prepare(sql).pluck().get();
    expect(count('SELECT count(*) FROM interactions')).toBe(1);
    expect(count('SELECT count(*) FROM interaction_vectors')).toBe(1);
    expect(store.index.hasText(aliceId, aliceMemory)).toBe(false);
    expect(store.index.hasText(bobId, bobsMemory)).toBe(true);
    expect(count('SELECT count(*) FROM profiles')).toBe(0);
    expect(count('SELECT count(*) FROM persona_versions')).toBe(0);
    expect(store.searchMemory(bobId, { text: 'gliding' }, 4).map((hit) => hit.interaction.id)).toEqual([bobsMemory]);
  });
});
