import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashedEmbedding } from '../../test/fakes/hashed-embedding.js';
import { InstructionRecords } from './instruction-records.js';
import { forgetOwnMemory } from './memory-removal.js';
import { Store } from './store.js';

let dir: string;
let store: Store;
const alice = { platform: 'discord', workspaceId: 'g1', userId: 'alice' } as const;
const bob = { platform: 'discord', workspaceId: 'g1', userId: 'bob' } as const;

function remember(memberId: number, messageId: string, question: string): number {
  const { interaction } = store.recordQuestion({ memberId, channelId: 'c', conversationId: messageId, messageId, text: question, at: new Date() });
  store.recordAnswer(interaction.id, `answer to ${question}`, null, new Date());
  store.recordVector(interaction.id, memberId, Float32Array.from(hashedEmbedding(question)), 'embed-test');
  store.recordAnswerMessages(interaction.id, { platform: 'discord', workspaceId: 'g1', channelId: 'c' }, [`a-${messageId}`]);
  return interaction.id;
}

const search = (memberId: number, text: string) => store.searchMemory(memberId, { text, vector: Float32Array.from(hashedEmbedding(text)) }, 10).map((hit) => hit.interaction.id);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'removal-test-'));
  store = Store.open(join(dir, 'bot.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('forgetting one memory', () => {
  it('removes its row, answer messages, vector and text entry, and the profile written from it; nothing else', () => {
    const aliceId = store.ensureMember(alice);
    const bobId = store.ensureMember(bob);
    const taco = remember(aliceId, 'm1', 'which taco shell holds best');
    const wine = remember(aliceId, 'm2', 'which wine with salmon');
    const bobs = remember(bobId, 'm3', 'which taco shell holds best');
    store.saveProfile(aliceId, 'likes tacos', taco, new Date());
    store.saveProfile(bobId, 'likes tacos too', bobs, new Date());
    expect(search(aliceId, 'which taco shell holds best')).toContain(taco);
    const vectorRows = () => store.db.prepare('SELECT count(*) FROM interaction_vectors WHERE interaction_id = ?').pluck().get(taco);
    expect(vectorRows()).toBe(1);

    expect(forgetOwnMemory(store, aliceId, taco)).toEqual({ removed: true, profileDropped: true });
    expect(store.interaction(taco)).toBeUndefined();
    expect(store.interactionByAnswerMessage({ platform: 'discord', workspaceId: 'g1', channelId: 'c' }, 'a-m1')).toBeUndefined();
    expect(search(aliceId, 'which taco shell holds best')).not.toContain(taco);
    expect(vectorRows()).toBe(0);
    expect(store.profile(aliceId)).toBeUndefined();
    expect(search(aliceId, 'which wine with salmon')).toContain(wine);
    expect(search(bobId, 'which taco shell holds best')).toContain(bobs);
    expect(store.profile(bobId)?.summary).toBe('likes tacos too');
  });

  it("never removes another member's memory", () => {
    const aliceId = store.ensureMember(alice);
    const bobs = remember(store.ensureMember(bob), 'm3', 'bob asks');
    expect(forgetOwnMemory(store, aliceId, bobs)).toEqual({ removed: false, profileDropped: false });
    expect(store.interaction(bobs)).toBeDefined();
  });
});

describe('standing instructions', () => {
  it("applies the workspace's, then the channel's, in that workspace only; set replaces, clear removes", () => {
    const records = new InstructionRecords(store.db);
    const at = new Date();
    records.set({ platform: 'slack', workspaceId: 'T1', channelId: 'C1' }, 'answer in French', 'UADMIN', at);
    records.set({ platform: 'slack', workspaceId: 'T1', channelId: null }, 'be brief', 'UADMIN', at);
    records.set({ platform: 'slack', workspaceId: 'T2', channelId: null }, 'another workspace', 'UOTHER', at);
    expect(records.applying('slack', 'T1', ['C1']).map((record) => record.text)).toEqual(['be brief', 'answer in French']);
    expect(records.applying('slack', 'T1', ['C2']).map((record) => record.text)).toEqual(['be brief']);
    records.set({ platform: 'slack', workspaceId: 'T1', channelId: 'C1' }, 'answer in Portuguese', 'UADMIN', at);
    expect(records.get({ platform: 'slack', workspaceId: 'T1', channelId: 'C1' })?.text).toBe('answer in Portuguese');
    expect(records.clear({ platform: 'slack', workspaceId: 'T1', channelId: 'C1' })).toBe(true);
    expect(records.clear({ platform: 'slack', workspaceId: 'T1', channelId: 'C1' })).toBe(false);
    expect(records.applying('slack', 'T1', ['C1']).map((record) => record.text)).toEqual(['be brief']);
  });
});
