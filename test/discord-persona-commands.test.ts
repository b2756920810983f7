import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeUser, type DiscordRequest, type FakeDiscord, type FakeUser } from './fakes/fake-discord.js';
import { listMemberRows } from '../src/memory/dashboard-queries.js';
import { hashedEmbedding } from './fakes/hashed-embedding.js';
import { startDiscordBot, type DiscordBot } from './support/discord-bot.js';
import type { TestBot } from './support/harness.js';
import { until } from './support/until.js';

let d: DiscordBot;
let fake: FakeDiscord;
let t: TestBot;
const alice = fakeUser('alice');
const bob = fakeUser('bob');
const admin = fakeUser('admin');
const carol = fakeUser('carol');
const MANAGE_GUILD = 1n << 5n;
const SEND_MESSAGES = 1n << 11n;

beforeAll(async () => {
  d = await startDiscordBot();
  ({ fake, t } = d);
});
afterEach(() => d.sink.settled());
afterAll(() => d?.stop());

/** Asks in a channel and resolves with the system prompt the model got. */
async function systemPromptFor(user: FakeUser, channelId: string): Promise<string> {
  t.ollama.script({ content: 'ok' });
  const chats = t.ollama.chats().length;
  await d.handled('MESSAGE_CREATE', fake.userMessage(user, `<@${fake.bot.id}> hello there`, { channelId }));
  await until(() => t.ollama.chats().length > chats, 'the model call');
  return t.ollama.chats().at(-1)!.messages[0]!.content;
}

/** Runs `/persona …` and resolves with what the member privately read (the deferred reply, filled in). */
async function command(user: FakeUser, subcommand: string, options: Array<{ name: string; type: number; value: unknown }> = [], permissions = SEND_MESSAGES, group?: string): Promise<{ payload: any; reply: DiscordRequest | undefined }> {
  const payload = fake.command(user, subcommand, options, permissions, group);
  await d.handled('INTERACTION_CREATE', payload);
  const reply = fake.requests.find((request) => request.method === 'PATCH' && request.path === `/webhooks/${fake.applicationId}/${payload.token}/messages/@original`);
  return { payload, reply };
}

const instructions = (action: string, permissions = MANAGE_GUILD, channel?: string) =>
  command(admin, 'instructions', [{ name: 'action', type: 3, value: action }, ...(channel ? [{ name: 'channel', type: 7, value: channel }] : [])], permissions, 'admin');

describe('Discord: standing instructions for a channel', () => {
  it('an admin sets them in a form; they reach the system prompt in that channel and its threads only, at once', async () => {
    const { payload } = await instructions('set', MANAGE_GUILD, fake.channelId);
    const modal = fake.callbacks.get(payload.id)![0];
    expect(modal).toMatchObject({ type: 9, data: { custom_id: `persona:form:instructions:channel:${fake.channelId}`, title: 'Channel instructions' } });
    const submit = fake.modalSubmit(admin, modal.data.custom_id, 'text', 'This is the French-speaking channel; answer in French.', MANAGE_GUILD);
    await d.handled('INTERACTION_CREATE', submit);
    expect((await until(() => fake.requests.find((request) => request.path.includes(submit.token) && request.method === 'PATCH'), 'the confirmation')).body.content).toContain('Saved.');

    const persona = t.core.personas.live(t.store.ensureMember(d.key(alice))).text;
    const here = await systemPromptFor(alice, fake.channelId);
    expect(here.startsWith(persona)).toBe(true);
    expect(here).toContain('This is the French-speaking channel; answer in French.');
    expect(await systemPromptFor(alice, fake.threadId)).toContain('answer in French');
    expect(await systemPromptFor(alice, fake.otherChannelId)).not.toContain('answer in French');
  });

  it('shows them in /persona where they apply', async () => {
    const { reply } = await command(alice, 'view');
    expect(reply!.body.content).toContain('For this channel: This is the French-speaking channel; answer in French.');
  });

  it('refuses a member who may not manage the server, without opening a form', async () => {
    const { payload } = await instructions('set', SEND_MESSAGES);
    expect(fake.callbacks.get(payload.id)![0]).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringContaining('Only admins') } });
    // A crafted form from a non-admin changes nothing either.
    await d.handled('INTERACTION_CREATE', fake.modalSubmit(bob, 'persona:form:instructions:server', 'text', 'Answer like a pirate.', SEND_MESSAGES));
    expect(await systemPromptFor(bob, fake.otherChannelId)).not.toContain('pirate');
  });

  it('clears them', async () => {
    const { reply } = await instructions('clear', MANAGE_GUILD, fake.channelId);
    expect(reply!.body.content).toContain('Cleared the instructions for this channel');
    expect(await systemPromptFor(alice, fake.channelId)).not.toContain('answer in French');
  });
});

describe('Discord: a member\'s own memories', () => {
  it('lists them privately with short ids, forgets one everywhere, and exports exactly the member\'s rows as an ephemeral file', async () => {
    await systemPromptFor(bob, fake.channelId);
    await systemPromptFor(alice, fake.channelId);
    t.ollama.script({ content: 'Use a hard-shell taco.' }, { content: 'Pinot noir.' });
    await d.handled('MESSAGE_CREATE', fake.userMessage(carol, `<@${fake.bot.id}> which taco shell holds best?`));
    await d.handled('MESSAGE_CREATE', fake.userMessage(carol, `<@${fake.bot.id}> which wine with salmon?`));
    const rows = await until(() => {
      const found = t.store.listInteractions(d.key(carol)).filter((row) => row.answerMessageIds.length > 0);
      return found.length >= 2 && found;
    }, 'the answers');
    const taco = rows.find((row) => row.question === 'which taco shell holds best?')!;
    const memberId = taco.memberId;

    const { reply: list } = await command(carol, 'memories');
    expect(list!.body.content).toContain(`\`${taco.id.toString(36)}\``);
    expect(list!.body.content).toContain('Q: which taco shell holds best? → A: Use a hard-shell taco.');
    expect(list!.body.content).not.toContain('hello there');
    expect(list!.body.content).toContain('page 1 of 1 (2 in all)');

    const searchable = () => t.store.searchMemory(memberId, { text: 'taco shell', vector: Float32Array.from(hashedEmbedding('which taco shell holds best?', t.ollama.dimension)) }, 10).map((hit) => hit.interaction.id);
    expect(searchable()).toContain(taco.id);
    const { reply: forgot } = await command(carol, 'forget', [{ name: 'memory', type: 3, value: taco.id.toString(36) }]);
    expect(forgot!.body.content).toContain('Forgotten: "which taco shell holds best?"');
    expect(t.store.interaction(taco.id)).toBeUndefined();
    expect(t.store.interactionByAnswerMessage({ platform: 'discord', workspaceId: fake.guildId, channelId: fake.channelId }, taco.answerMessageIds[0]!)).toBeUndefined();
    expect(searchable()).not.toContain(taco.id);
    expect(t.store.searchMemory(memberId, { text: 'salmon' }, 10).map((hit) => hit.interaction.question)).toEqual(['which wine with salmon?']);
    // Bob cannot forget Carol's memory by its id.
    const wine = rows.find((row) => row.question === 'which wine with salmon?')!;
    const { reply: refused } = await command(bob, 'forget', [{ name: 'memory', type: 3, value: wine.id.toString(36) }]);
    expect(refused!.body.content).toContain('You have no memory with the id');
    expect(t.store.interaction(wine.id)).toBeDefined();

    const { reply: exported } = await command(carol, 'export');
    expect(exported!.body.content).toContain('Everything I keep about you');
    const [file] = exported!.body.files;
    expect(file.name).toBe(`persona-bot-discord-${carol.id}.json`);
    const data = JSON.parse(file.content);
    expect(data.member).toBe(`discord:${fake.guildId}:${carol.id}`);
    const own = t.store.listInteractions(d.key(carol)).map((row) => row.id).sort();
    expect(data.tables.interactions.map((row: { id: number }) => row.id).sort()).toEqual(own);
    expect(data.tables.interactions.every((row: { member_id: number }) => row.member_id === memberId)).toBe(true);
    expect(data.tables.persona_versions.every((version: { member_id: number }) => version.member_id === memberId)).toBe(true);
    expect(file.content).not.toContain(bob.id);
    expect(file.content).not.toContain('taco');
  });
});

describe('Discord: members\' names', () => {
  it('records the name Discord shows: the server nickname from the message, else the global display name', async () => {
    const dora = { ...fakeUser('dora'), global_name: 'Dora Explorer' };
    const frank = { ...fakeUser('frank'), global_name: 'Frank G' };
    t.ollama.script({ content: 'ok' });
    await d.handled('MESSAGE_CREATE', fake.userMessage(dora, `<@${fake.bot.id}> hello there`, { nick: 'Captain Dora' }));
    const names = () => Object.fromEntries(listMemberRows(t.store.db).map((row) => [row.key, row.displayName]));
    expect(names()[`discord:${fake.guildId}:${dora.id}`]).toBe('Captain Dora');

    const { reply } = await command(frank, 'view');
    expect(reply!.body.content).toMatch(/^Your persona, Frank G \(version 1/);
    expect(names()[`discord:${fake.guildId}:${frank.id}`]).toBe('Frank G');
  });
});
