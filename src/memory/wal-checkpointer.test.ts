import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Store } from './store.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'checkpointer-test-'));
  store = Store.open(join(dir, 'bot.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits until `done` holds, checking after each turn of the event loop, for at most `limitMs`. */
async function until(done: () => boolean, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('checkpoints from a worker thread while commits skip checkpointing, and hands checkpoints back when stopped', async () => {
  const file = join(dir, 'bot.db');
  const checkpoints = store.startBackgroundCheckpoints(50);
  expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  const before = statSync(file).size;
  const memberId = store.ensureMember({ platform: 'console', workspaceId: 'local', userId: 'sam' });
  store.transaction(() => {
    for (let i = 0; i < 200; i += 1) store.recordQuestion({ memberId, channelId: 'c', conversationId: `${i}`, messageId: `${i}`, text: `question ${i} `.repeat(20), at: new Date() });
  });
  // Only a checkpoint copies pages from the WAL into the database file.
  await until(() => statSync(file).size > before);
  await checkpoints.stop();
  await checkpoints.stop();
  expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
});
