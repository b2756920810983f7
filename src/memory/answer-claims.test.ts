import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from './store.js';

let dir: string;
let bot: Store;
let other: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'claims-test-'));
  bot = Store.open(join(dir, 'bot.db'));
  // Another process on the same file: the recovery after a restart, or a second worker.
  other = Store.open(join(dir, 'bot.db'));
});
afterEach(() => {
  other.close();
  bot.close();
  rmSync(dir, { recursive: true, force: true });
});

const later = () => new Date(Date.now() + 60_000);

describe('a question claimed as it is recorded', () => {
  it('is never seen stored and unclaimed by another process', () => {
    const memberId = bot.ensureMember({ platform: 'slack', workspaceId: 'T1', userId: 'U1' });
    const recorded = bot.recordQuestion({ memberId, channelId: 'C1', conversationId: 'q1', messageId: 'q1', text: 'hi', at: new Date() }, { token: 'bot', until: later() });
    expect(recorded).toMatchObject({ duplicate: false, claimed: true });
    expect(other.claims.claim(recorded.interaction.id, 'recovery', later())).toBe(false);
    // The answerer renews its own claim with the same token.
    expect(bot.claims.claim(recorded.interaction.id, 'bot', later())).toBe(true);
  });

  it('claims only a new question: a redelivery is left to the retry rules, and without a claim nothing is held', () => {
    const memberId = bot.ensureMember({ platform: 'slack', workspaceId: 'T1', userId: 'U1' });
    const question = { memberId, channelId: 'C1', conversationId: 'q1', messageId: 'q1', text: 'hi', at: new Date() };
    const first = bot.recordQuestion(question);
    expect(first.claimed).toBe(false);
    expect(bot.recordQuestion(question, { token: 'bot', until: later() })).toMatchObject({ duplicate: true, claimed: false });
    expect(other.claims.claim(first.interaction.id, 'recovery', later())).toBe(true);
  });
});
