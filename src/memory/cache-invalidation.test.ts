import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashedEmbedding } from '../../test/fakes/hashed-embedding.js';
import { EmbeddingMismatchError } from '../shared/errors.js';
import { Store } from './store.js';

let dir: string;
let path: string;
/** The bot's store, with its index cache. */
let bot: Store;
/** Another process on the same file: the CLI's forget, reset or align. */
let cli: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cache-invalidation-'));
  path = join(dir, 'bot.db');
  bot = Store.open(path);
  cli = Store.open(path);
});
afterEach(() => {
  cli.close();
  bot.close();
  rmSync(dir, { recursive: true, force: true });
});

function remember(store: Store, memberId: number, messageId: string, question: string): number {
  const { interaction } = store.recordQuestion({ memberId, channelId: 'c', conversationId: messageId, messageId, text: question, at: new Date() });
  store.recordAnswer(interaction.id, `an answer about ${question}`, null, new Date(), { vector: Float32Array.from(hashedEmbedding(question)), model: 'embed-test' });
  return interaction.id;
}

const found = (store: Store, memberId: number, text: string) => store.searchMemory(memberId, { text, vector: Float32Array.from(hashedEmbedding(text)) }, 4).map((hit) => hit.interaction.id);

/** Keyword hits alone: what the member's texts hold, without the nearest vectors that always rank. */
const worded = (store: Store, memberId: number, text: string) => store.searchMemory(memberId, { text }, 4).map((hit) => hit.interaction.id);

/** What a store that has never cached anything finds, to compare the bot's cached search with. */
function fromScratch(memberId: number, text: string): number[] {
  const fresh = Store.open(path);
  try {
    return found(fresh, memberId, text);
  } finally {
    fresh.close();
  }
}

describe("another process's commit", () => {
  it('invalidates the cached indexes of the members it changed, and only theirs', () => {
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((userId) => bot.ensureMember({ platform: 'discord', workspaceId: 'g', userId }));
    const marmalade = remember(bot, alice!, 'a1', 'how do I make marmalade');
    const chess = remember(bot, alice!, 'a2', 'which chess opening');
    const toast = remember(bot, bob!, 'b1', 'marmalade on toast');
    remember(bot, carol!, 'c1', 'marmalade for carol');
    for (const memberId of [alice!, bob!, carol!]) found(bot, memberId, 'marmalade');
    expect(bot.index.cacheStats().members).toBe(3);

    cli.forgetInteraction(marmalade);
    cli.forgetMember(carol!);

    expect(worded(bot, alice!, 'marmalade')).toEqual([]);
    expect(found(bot, alice!, 'marmalade')).toEqual([chess]);
    // Alice rebuilt, Carol dropped, Bob's indexes kept as they were.
    expect(bot.index.cacheStats().members).toBe(2);
    expect(found(bot, carol!, 'marmalade')).toEqual([]);
    expect(worded(bot, bob!, 'marmalade')).toEqual([toast]);
    expect(found(bot, alice!, 'chess')).toEqual(fromScratch(alice!, 'chess'));
  });

  it("is not lost when the bot then writes to the same member before searching", () => {
    const bob = bot.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'bob' });
    const toast = remember(bot, bob, 'b1', 'marmalade on toast');
    expect(worded(bot, bob, 'zeppelin')).toEqual([]);

    cli.applyFeedback(toast, { feedback: 'negative_corrected', groundTruth: 'a zeppelin ride instead', correctionMessageId: 'fix', candidateText: null, candidateMessageId: null, at: new Date() });
    const jam = remember(bot, bob, 'b2', 'jam or zeppelin');

    expect(worded(bot, bob, 'zeppelin').sort()).toEqual([toast, jam].sort());
    expect(found(bot, bob, 'zeppelin')).toEqual(fromScratch(bob, 'zeppelin'));
  });

  it('keeps the cache of a member nobody else changed across commits of its own', () => {
    const alice = bot.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'alice' });
    const bob = bot.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'bob' });
    remember(bot, alice, 'a1', 'how do I make marmalade');
    found(bot, alice, 'marmalade');
    const later = remember(bot, alice, 'a2', 'marmalade again');
    // A commit elsewhere about someone else: Alice's held indexes, with the bot's own later write, stay.
    remember(cli, bob, 'b1', 'unrelated');
    expect(found(bot, alice, 'marmalade again')[0]).toBe(later);
    expect(bot.index.cacheStats().members).toBe(1);
    expect(found(bot, alice, 'marmalade')).toEqual(fromScratch(alice, 'marmalade'));
  });
});

describe('the embedding space, read once and kept', () => {
  it("follows another process's reset and re-embed with another model", () => {
    const alice = bot.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'alice' });
    const first = remember(bot, alice, 'a1', 'how do I make marmalade');
    expect(bot.index.embeddingSpace()).toEqual({ model: 'embed-test', dimension: 64 });

    cli.index.resetVectors();
    cli.recordVector(first, alice, new Float32Array(32).fill(0.1), 'other-model');

    expect(bot.index.embeddingSpace()).toEqual({ model: 'other-model', dimension: 32 });
    expect(() => bot.index.checkEmbeddingModel('embed-test')).toThrow(EmbeddingMismatchError);
    expect(() => remember(bot, alice, 'a2', 'marmalade again')).toThrow(EmbeddingMismatchError);
  });

  it('forgets a space whose first vector rolled back', () => {
    const alice = bot.ensureMember({ platform: 'discord', workspaceId: 'g', userId: 'alice' });
    const { interaction } = bot.recordQuestion({ memberId: alice, channelId: 'c', conversationId: 'a1', messageId: 'a1', text: 'marmalade', at: new Date() });
    expect(() =>
      bot.transaction(() => {
        bot.recordVector(interaction.id, alice, new Float32Array(32).fill(0.1), 'rolled-back');
        expect(bot.index.embeddingSpace()).toEqual({ model: 'rolled-back', dimension: 32 });
        throw new Error('the write fails');
      }),
    ).toThrow('the write fails');

    expect(bot.index.embeddingSpace()).toBeNull();
    bot.recordVector(interaction.id, alice, Float32Array.from(hashedEmbedding('marmalade')), 'embed-test');
    expect(cli.index.embeddingSpace()).toEqual({ model: 'embed-test', dimension: 64 });
  });
});
