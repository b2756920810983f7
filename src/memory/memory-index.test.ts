import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashedEmbedding } from '../../test/fakes/hashed-embedding.js';
import { clusteredSource, exactNearest, randomUnitVectors, seededRandom } from '../../test/support/vectors.js';
import { reembedAll } from '../core/maintenance.js';
import type { LanguageModel } from '../core/ports.js';
import { Store } from './store.js';

let dir: string;
let path: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'memory-index-test-'));
  path = join(dir, 'bot.db');
  store = Store.open(path);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vector recall against exact float32 search (fixed seed)', () => {
  const DIMENSION = 768;
  const MEMORIES = 1_500;
  const QUERIES = 40;

  function recallAt4(vectors: Float32Array[], queries: Float32Array[]): number {
    const memberId = store.ensureMember({ platform: 'console', workspaceId: 'local', userId: 'many' });
    const stored = store.transaction(() =>
      vectors.map((vector, i) => {
        const { interaction } = store.recordQuestion({ memberId, channelId: 'c', conversationId: `q${i}`, messageId: `q${i}`, text: 'same words', at: new Date() });
        store.recordVector(interaction.id, memberId, vector, 'embed-test');
        return { id: interaction.id, vector };
      }),
    );
    let found = 0;
    for (const query of queries) {
      const exact = exactNearest(stored, query, 4);
      const hits = store.index.search(memberId, { text: '', vector: query }, 4).map((hit) => hit.id);
      found += hits.filter((id) => exact.includes(id)).length;
    }
    return found / (4 * queries.length);
  }

  it('finds at least 95% of the true top 4 among random unit vectors', () => {
    const random = seededRandom(7);
    expect(recallAt4(randomUnitVectors(MEMORIES, DIMENSION, random), randomUnitVectors(QUERIES, DIMENSION, random))).toBeGreaterThanOrEqual(0.95);
  });

  it('finds at least 99% of the true top 4 among clustered vectors', () => {
    const source = clusteredSource(DIMENSION, seededRandom(11), 50, 0.5);
    expect(recallAt4(source(MEMORIES), source(QUERIES))).toBeGreaterThanOrEqual(0.99);
  });
});

/** A model that embeds with the hashed bag of words, shifted so a re-embed changes every vector. */
function embedder(salt: string): LanguageModel {
  return {
    chat: () => Promise.reject(new Error('not used')),
    embed: (texts: string[]) => Promise.resolve(texts.map((text) => Float32Array.from(hashedEmbedding(`${salt} ${text}`)))),
  } as unknown as LanguageModel;
}

describe('the in-process index stays consistent with SQLite', () => {
  const queries = ['marmalade oranges', 'chess opening', 'oaxaca cinnamon', 'gliding lessons weekend', 'oranges'];

  /** Every query's hits, from the long-lived store and from a store that just built its indexes from the file. */
  function expectSameAsRebuilt(memberIds: number[]): void {
    const fresh = Store.open(path);
    try {
      for (const memberId of memberIds) {
        for (const text of queries) {
          const query = { text, vector: Float32Array.from(hashedEmbedding(text)) };
          const live = store.index.search(memberId, query, 4);
          const rebuilt = fresh.index.search(memberId, query, 4);
          expect(live, `${text} for member ${memberId}`).toEqual(rebuilt);
        }
      }
    } finally {
      fresh.close();
    }
  }

  function ask(memberId: number, messageId: string, question: string): number {
    return store.recordQuestion({ memberId, channelId: 'c', conversationId: messageId, messageId, text: question, at: new Date() }).interaction.id;
  }

  it('after questions, answers, vectors, corrections, edits, deleted corrections, rollbacks, re-embedding, a forgotten interaction and a forgotten member', async () => {
    const alice = store.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'alice' });
    const bob = store.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'bob' });
    for (const memberId of [alice, bob]) for (const text of queries) expect(store.searchMemory(memberId, { text }, 4)).toEqual([]);

    const first = ask(alice, 'a1', 'how do I make marmalade');
    const chess = ask(alice, 'a2', 'best chess opening for beginners');
    ask(bob, 'b1', 'marmalade or jam on toast');
    expectSameAsRebuilt([alice, bob]);

    store.recordAnswer(first, 'Seville oranges, sugar and patience', null, new Date());
    store.recordVector(first, alice, Float32Array.from(hashedEmbedding('how do I make marmalade')), 'embed-test');
    store.recordAnswer(chess, 'the Italian game', null, new Date(), { vector: Float32Array.from(hashedEmbedding('best chess opening for beginners')), model: 'embed-test' });
    expectSameAsRebuilt([alice, bob]);

    const correction = { feedback: 'negative_corrected' as const, correctionMessageId: 'fix', candidateMessageId: 'fix', at: new Date() };
    store.applyFeedback(first, { ...correction, groundTruth: 'blood oranges from Oaxaca with cinnamon', candidateText: 'blood oranges from Oaxaca with cinnamon' });
    expectSameAsRebuilt([alice, bob]);
    store.applyFeedback(first, { ...correction, groundTruth: 'gliding lessons at the weekend instead', candidateText: 'gliding lessons at the weekend instead' });
    expectSameAsRebuilt([alice, bob]);
    store.applyFeedback(first, { feedback: 'negative', groundTruth: null, correctionMessageId: null, candidateText: null, candidateMessageId: null, at: new Date() });
    expectSameAsRebuilt([alice, bob]);

    expect(() =>
      store.transaction(() => {
        ask(alice, 'a3', 'oaxaca cinnamon chocolate');
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    // The next commit must not bring back what was rolled back.
    store.recordAnswerMessages(chess, { platform: 'discord', workspaceId: 'g', channelId: 'c' }, ['answer-2']);
    expect(store.index.search(alice, { text: 'oaxaca cinnamon' }, 4)).toEqual([]);
    expectSameAsRebuilt([alice, bob]);

    // Another process (the CLI) writes through its own store on the same file.
    const other = Store.open(path);
    other.recordAnswer(chess, 'gliding over the chess board', null, new Date());
    other.close();
    expect(store.searchMemory(alice, { text: 'gliding' }, 4).map((hit) => hit.interaction.id)).toContain(chess);
    expectSameAsRebuilt([alice, bob]);

    await reembedAll(store, embedder('second model'), 'embed-two');
    expectSameAsRebuilt([alice, bob]);

    expect(store.forgetInteraction(chess)).toBe(true);
    expect(store.index.search(alice, { text: 'gliding chess', vector: Float32Array.from(hashedEmbedding('best chess opening for beginners')) }, 4).map((hit) => hit.id)).not.toContain(chess);
    expectSameAsRebuilt([alice, bob]);

    store.forgetMember(bob);
    expect(store.index.search(bob, { text: 'marmalade', vector: Float32Array.from(hashedEmbedding('marmalade')) }, 4)).toEqual([]);
    expectSameAsRebuilt([alice, bob]);
  });

  it('drops least recently searched members to stay within its byte budget, and rebuilds them on demand', () => {
    store.close();
    store = Store.open(path, { cacheBytes: 24 * 1024 });
    const members = ['a', 'b', 'c', 'd'].map((userId) => store.ensureMember({ platform: 'console', workspaceId: 'local', userId }));
    members.forEach((memberId, m) => {
      for (let i = 0; i < 20; i += 1) ask(memberId, `${m}-${i}`, `${queries[i % queries.length]} number ${i} of member ${m}`);
    });
    for (const memberId of members) store.searchMemory(memberId, { text: 'oranges' }, 4);
    const { bytes, members: held, budgetBytes } = store.index.cacheStats();
    expect(bytes).toBeLessThanOrEqual(budgetBytes);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(members.length);
    expectSameAsRebuilt(members);
  });
});

describe('without a cache (MEMORY_CACHE_MB=0)', () => {
  it('searches SQLite directly and finds what the cached search finds', () => {
    const memberId = store.ensureMember({ platform: 'console', workspaceId: 'local', userId: 'sam' });
    const source = clusteredSource(64, seededRandom(5), 5, 0.5);
    const vectors = source(40);
    store.transaction(() =>
      vectors.forEach((vector, i) => {
        const { interaction } = store.recordQuestion({ memberId, channelId: 'c', conversationId: `q${i}`, messageId: `q${i}`, text: `question ${i} about topic ${i % 5}`, at: new Date() });
        store.recordAnswer(interaction.id, `answer ${i}`, null, new Date(), { vector, model: 'embed-test' });
      }),
    );
    const uncached = Store.open(path, { cacheBytes: 0 });
    try {
      for (const [i, vector] of source(10).entries()) {
        const query = { text: `topic ${i % 5}`, vector };
        expect(uncached.index.search(memberId, query, 4)).toEqual(store.index.search(memberId, query, 4));
      }
      expect(uncached.index.cacheStats()).toMatchObject({ members: 0, bytes: 0 });
    } finally {
      uncached.close();
    }
  });
});
