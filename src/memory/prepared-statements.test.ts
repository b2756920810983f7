import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InstructionRecords } from './instruction-records.js';
import { Store } from './store.js';

let dir: string;
let store: Store;
const alice = { platform: 'slack', workspaceId: 'T1', userId: 'U1' } as const;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prepared-test-'));
  store = Store.open(join(dir, 'bot.db'));
});
afterEach(() => {
  vi.restoreAllMocks();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('statements on the request path', () => {
  it('are prepared once per instance: claims, measurements and standing instructions compile nothing per call', () => {
    const instructions = new InstructionRecords(store.db);
    const memberId = store.ensureMember(alice);
    const { interaction } = store.recordQuestion({ memberId, channelId: 'C1', conversationId: 'q', messageId: 'q', text: 'hi', at: new Date() });
    const prepare = vi.spyOn(store.db, 'prepare');
    const scope = { platform: 'slack', workspaceId: 'T1', channelId: 'C1' } as const;
    for (let round = 0; round < 3; round += 1) {
      expect(store.claims.claim(interaction.id, 'worker', new Date(Date.now() + 60_000))).toBe(true);
      expect(store.claims.isPending(interaction.id)).toBe(true);
      expect(store.claims.pendingSince(new Date(0)).map((question) => question.interactionId)).toEqual([interaction.id]);
      expect(store.claims.countPendingBefore(new Date(0))).toBe(0);
      store.claims.release(interaction.id, 'worker');
      store.recordAnswerMeasurement(interaction.id, { modelCalls: round });
      store.recordDisplayName(alice, `Alice ${round}`);
      instructions.set(scope, `rule ${round}`, 'U1', new Date());
      expect(instructions.applying('slack', 'T1', ['C0', 'C1']).map((record) => record.text)).toEqual([`rule ${round}`]);
      expect(instructions.get(scope)?.text).toBe(`rule ${round}`);
      expect(instructions.clear(scope)).toBe(true);
      expect(instructions.forgetSetBy(alice)).toBe(0);
    }
    expect(prepare).not.toHaveBeenCalled();
  });
});
