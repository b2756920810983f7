import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemberKey, PrivateFile, PrivateTarget } from '../src/core/ports.js';
import { AlignmentRecords } from '../src/memory/alignment-records.js';
import { InstructionRecords } from '../src/memory/instruction-records.js';
import { mention, member, reaction, reply } from './support/events.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { RecordingChat } from './support/recording-chat.js';

/** A chat that keeps the private files it was asked to send. */
class FileChat extends RecordingChat {
  readonly files: Array<PrivateTarget & PrivateFile> = [];
  async sendPrivateFile(to: PrivateTarget, file: PrivateFile): Promise<void> {
    this.files.push({ ...to, ...file });
  }
}

const alice = member('alice');
const bob = member('bob');
let t: TestBot;
let chat: FileChat;

beforeEach(async () => {
  t = await createTestBot();
  chat = new FileChat();
});
afterEach(async () => t.close());

/**
 * Which rows of each table are a member's, written out table by table (not read from the schema as
 * the export is). A table missing here fails the test until someone says whose its rows are.
 */
const ownRows: Record<string, string | null> = {
  meta: null,
  schema_migrations: null,
  members: 'SELECT * FROM members WHERE id = @id',
  interactions: 'SELECT * FROM interactions WHERE member_id = @id ORDER BY id',
  answer_messages: 'SELECT * FROM answer_messages WHERE interaction_id IN (SELECT id FROM interactions WHERE member_id = @id) ORDER BY platform, workspace_id, channel_id, message_id',
  interaction_vectors: 'SELECT * FROM interaction_vectors WHERE member_id = @id ORDER BY interaction_id',
  persona_versions: 'SELECT * FROM persona_versions WHERE member_id = @id ORDER BY id',
  persona_answers: 'SELECT * FROM persona_answers WHERE persona_version_id IN (SELECT id FROM persona_versions WHERE member_id = @id) ORDER BY persona_version_id, interaction_id',
  profiles: 'SELECT * FROM profiles WHERE member_id = @id',
  alignment_runs: 'SELECT * FROM alignment_runs WHERE member_id = @id ORDER BY id',
  alignment_failures: 'SELECT * FROM alignment_failures WHERE member_id = @id ORDER BY id',
  channel_instructions: "SELECT * FROM channel_instructions WHERE platform = 'discord' AND workspace_id = 'w1' AND set_by = @user ORDER BY channel_id",
};

/** `who` asks, gets `answer`, 👎s it and replies with `truth`; then asks a second question and 👍s it. */
async function leaveEverything(who: MemberKey, words: string): Promise<number> {
  t.ollama.script({ content: `${words} answer` }, { content: `${words} second answer` });
  await t.bot.handle(mention(who, `${words} question?`), chat);
  const wrong = chat.last().messageIds[0]!;
  await t.bot.handle(reaction(who, wrong, '👎'), chat);
  await t.bot.handle(reply(who, wrong, `${words} truth`), chat);
  await t.bot.handle(mention(who, `${words} other question?`, { channelId: 'c2' }), chat);
  await t.bot.handle(reaction(who, chat.last().messageIds[0]!, '👍'), chat);

  const memberId = t.store.findMember(who)!;
  const [labelled] = t.store.listInteractions(memberId, { labelledOnly: true });
  const at = new Date();
  t.store.saveProfile(memberId, `${words} profile`, labelled!.id, at);
  const version = t.store.addPersonaVersion({ memberId, text: `${words} persona`, reason: 'aligned', at, scoreBefore: 0, scoreAfter: 1 });
  t.store.recordAlignmentRun({ memberId, startedAt: at, finishedAt: at, outcome: 'accepted', detail: `${words} run`, modelCalls: 3, personaVersionId: version.id });
  const records = new AlignmentRecords(t.store.db);
  records.recordFailure({ memberId, startedAt: at, finishedAt: at, detail: `${words} failure`, modelCalls: 1 });
  records.saveAnswers(version.id, [{ interactionId: labelled!.id, answer: `${words} replayed`, truth: labelled!.groundTruth, score: 1 }]);
  new InstructionRecords(t.store.db).set({ platform: 'discord', workspaceId: 'w1', channelId: `${words}-channel` }, `${words} instructions`, who.userId, at);
  t.store.recordDisplayName(who, `${words} name`);
  return memberId;
}

function plain(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [column, Buffer.isBuffer(value) ? value.toString('base64') : value]));
}

describe('/persona export', () => {
  it('holds every stored row about the member, in every table, and nothing about anyone else', async () => {
    const aliceId = await leaveEverything(alice, 'alicewords');
    await leaveEverything(bob, 'bobwords');
    await t.bot.handle({ kind: 'command', name: 'persona', member: alice, channelId: 'c1', args: ['export'], at: new Date() }, chat);
    expect(chat.files).toHaveLength(1);
    const [file] = chat.files;
    expect(file!.member).toEqual(alice);
    expect(file!.note).toContain('2 interactions, 2 persona versions, your profile');
    const data = JSON.parse(file!.content) as { member: string; tables: Record<string, unknown[]> };
    expect(data.member).toBe('discord:w1:alice');

    const tables = t.store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    for (const table of tables) {
      expect(ownRows, `the test does not know whose rows "${table}" holds`).toHaveProperty(table);
      const sql = ownRows[table];
      const own = sql ? (t.store.db.prepare(sql).all({ id: aliceId, user: alice.userId }) as Array<Record<string, unknown>>).map(plain) : [];
      if (sql) expect(own.length, `no row of alice's was seeded in "${table}"`).toBeGreaterThan(0);
      expect(data.tables[table] ?? [], `the export's "${table}"`).toEqual(own);
    }
    expect(Object.keys(data.tables).every((table) => tables.includes(table))).toBe(true);
    expect(file!.content).not.toMatch(/bobwords|"bob"/);
    expect(file!.content).toContain('alicewords replayed');
  });

  it('says so when the bot keeps nothing about the member', async () => {
    await t.bot.handle({ kind: 'command', name: 'persona', member: alice, channelId: 'c1', args: ['export'], at: new Date() }, chat);
    expect(chat.files).toHaveLength(0);
    expect(chat.privates.at(-1)!.text).toBe('I keep nothing about you.');
  });
});
