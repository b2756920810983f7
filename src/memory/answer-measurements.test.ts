import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMemberRows } from './dashboard-queries.js';
import { Store } from './store.js';

let dir: string;
let store: Store;
const alice = { platform: 'slack', workspaceId: 'T1', userId: 'U1' } as const;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'measurements-test-'));
  store = Store.open(join(dir, 'bot.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function measured(id: number): unknown {
  return store.db.prepare('SELECT model_calls, answer_ms, first_text_ms, wait_ms, prompt_tokens, completion_tokens FROM interactions WHERE id = ?').get(id);
}

describe('answer measurements', () => {
  it('stores what the answer path measured, keeping figures a later call leaves out', () => {
    const memberId = store.ensureMember(alice);
    const { interaction } = store.recordQuestion({ memberId, channelId: 'C', conversationId: 'q', messageId: 'q', text: 'hi', at: new Date() });
    expect(measured(interaction.id)).toEqual({ model_calls: null, answer_ms: null, first_text_ms: null, wait_ms: null, prompt_tokens: null, completion_tokens: null });
    store.recordAnswerMeasurement(interaction.id, { waitMs: 12.4, firstTextMs: 300.6 });
    store.recordAnswerMeasurement(interaction.id, { modelCalls: 1, answerMs: 1500, promptTokens: 800, completionTokens: 40, waitMs: Number.NaN });
    expect(measured(interaction.id)).toEqual({ model_calls: 1, answer_ms: 1500, first_text_ms: 301, wait_ms: 12, prompt_tokens: 800, completion_tokens: 40 });
  });

  it('writes nothing when the name it is told is the one it keeps', () => {
    store.ensureMember(alice);
    const changes = () => store.db.prepare('SELECT total_changes() AS n').get() as { n: number };
    store.recordDisplayName(alice, 'Alice');
    const before = changes().n;
    store.recordDisplayName(alice, ' Alice ');
    expect(changes().n).toBe(before);
    store.recordDisplayName(alice, 'Al');
    expect(changes().n).toBe(before + 1);
    expect(listMemberRows(store.db)[0]).toMatchObject({ displayName: 'Al' });
  });

  it('stores and clears a display name, shown instead of the key', () => {
    store.ensureMember(alice);
    store.recordDisplayName(alice, '  Alice  ');
    expect(listMemberRows(store.db)[0]).toMatchObject({ key: 'slack:T1:U1', displayName: 'Alice' });
    store.recordDisplayName(alice, ' ');
    expect(listMemberRows(store.db)[0]).toMatchObject({ displayName: null });
  });
});
