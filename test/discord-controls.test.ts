import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionRecord } from '../src/memory/records.js';
import { fakeUser, type DiscordRequest, type FakeDiscord } from './fakes/fake-discord.js';
import { startDiscordBot, type DiscordBot } from './support/discord-bot.js';
import type { TestBot } from './support/harness.js';
import { until } from './support/until.js';

let d: DiscordBot;
let fake: FakeDiscord;
let t: TestBot;
const alice = fakeUser('alice');
const bob = fakeUser('bob');
const NOTE_LIFETIME_MS = 300;

beforeAll(async () => {
  d = await startDiscordBot({ adapter: { noteLifetimeMs: NOTE_LIFETIME_MS } });
  ({ fake, t } = d);
});
afterEach(() => d.sink.settled());
afterAll(() => d?.stop());

/** Alice asks; resolves with the stored interaction and the bot's answer message once it carries its controls. */
async function asked(question: string, answer: string, user = alice): Promise<{ row: InteractionRecord; message: any }> {
  t.ollama.script({ content: answer });
  const payload = fake.userMessage(user, `<@${fake.bot.id}> ${question}`);
  fake.dispatch('MESSAGE_CREATE', payload);
  const row = await until(() => t.store.listInteractions(d.key(user)).find((item) => item.questionMessageId === payload.id && item.answer !== null && item.answerMessageIds.length > 0), 'the answer');
  const message = await until(() => [...fake.messages.values()].find((item) => item.id === row.answerMessageIds.at(-1) && item.components.length > 0), 'the controls');
  return { row, message };
}

/** Dispatches an interaction and resolves once the core has handled it. */
const interact = (payload: any) => d.handled('INTERACTION_CREATE', payload);

const callbackOf = (payload: any) => fake.callbacks.get(payload.id)?.[0];
const originalEdits = (payload: any): DiscordRequest[] => fake.requestsTo('PATCH', new RegExp(`^/webhooks/${fake.applicationId}/${payload.token}/messages/@original$`));
const buttons = (message: any) => message.components[0].components as Array<{ custom_id: string; label?: string; emoji?: { name: string } }>;
const stored = (id: number) => t.store.interaction(id)!;

describe('Discord: the controls under an answer', () => {
  it('adds 👍 and "Correct it" with the answer id to the finished answer, in its final edit', async () => {
    const { row, message } = await asked('best tea?', 'earl grey');
    expect(buttons(message).map((button) => [button.custom_id, button.emoji?.name ?? button.label])).toEqual([
      [`persona:up:${row.id}`, '👍'],
      [`persona:fix:${row.id}`, 'Correct it'],
    ]);
    expect(message.content).toBe('earl grey');
  });

  it('"Correct it" opens a form with the question; what the asker submits is the ground truth, and a second submission replaces it', async () => {
    const { row, message } = await asked('best coffee?', 'instant');
    const press = fake.button(alice, message, `persona:fix:${row.id}`);
    await interact(press);
    const modal = callbackOf(press);
    expect(modal).toMatchObject({ type: 9, data: { custom_id: `persona:form:correction:${row.id}`, title: 'Correct my answer' } });
    expect(JSON.stringify(modal.data.components)).toContain('best coffee?');
    const submit = fake.modalSubmit(alice, modal.data.custom_id, 'text', 'a flat white');
    await interact(submit);
    expect(stored(row.id)).toMatchObject({ feedback: 'negative_corrected', groundTruth: 'a flat white', correctionMessageId: null });
    expect(callbackOf(submit)).toEqual({ type: 5, data: { flags: 64 } });
    expect((await until(() => originalEdits(submit)[0], 'the confirmation')).body.content).toContain('stored your answer');

    const again = fake.button(alice, message, `persona:fix:${row.id}`);
    await interact(again);
    const prefilled = callbackOf(again).data.components.find((component: any) => component.type === 18).component;
    expect(prefilled).toMatchObject({ custom_id: 'text', value: 'a flat white' });
    const resubmit = fake.modalSubmit(alice, modal.data.custom_id, 'text', 'an espresso');
    await interact(resubmit);
    expect(stored(row.id)).toMatchObject({ feedback: 'negative_corrected', groundTruth: 'an espresso' });
    expect((await until(() => originalEdits(resubmit)[0], 'the confirmation')).body.content).toContain('replaces the one you gave before');
  });

  it('tells anyone but the asker, privately, that only the asker can label the answer, and changes nothing', async () => {
    const { row, message } = await asked('best bread?', 'sourdough');
    const press = fake.button(bob, message, `persona:fix:${row.id}`);
    await interact(press);
    expect(callbackOf(press)).toMatchObject({ type: 4, data: { flags: 64, content: 'Only the member who asked can label this answer.' } });
    const up = fake.button(bob, message, `persona:up:${row.id}`);
    await interact(up);
    expect((await until(() => originalEdits(up)[0], 'the note')).body.content).toBe('Only the member who asked can label this answer.');
    // A form submitted by someone else (a crafted one) is refused the same way.
    await interact(fake.modalSubmit(bob, `persona:form:correction:${row.id}`, 'text', 'rye'));
    expect(stored(row.id)).toMatchObject({ feedback: 'none', groundTruth: null });
    expect(t.store.findMember(d.key(bob))).toBeUndefined();
  });

  it('👍 marks the answer right, as the reaction does', async () => {
    const { row, message } = await asked('best cheese?', 'comté');
    const up = fake.button(alice, message, `persona:up:${row.id}`);
    await interact(up);
    expect(stored(row.id)).toMatchObject({ feedback: 'positive', groundTruth: 'comté' });
    expect((await until(() => originalEdits(up)[0], 'the note')).body.content).toBe('Noted: this answer is right. Thanks!');
  });

  it('puts the note after a 👎 reaction beside the answer, not in a DM, and removes it after a while', async () => {
    const { row } = await asked('best jam?', 'quince');
    const dms = fake.requestsTo('POST', /^\/users\/@me\/channels$/).length;
    fake.dispatch('MESSAGE_REACTION_ADD', fake.reaction(alice, row.answerMessageIds[0]!, { id: null, name: '👎' }, true));
    const note = await until(() => [...fake.messages.values()].find((message) => message.message_reference?.message_id === row.answerMessageIds[0] && message.content.includes('Reply to it with the right answer')), 'the note');
    expect(note).toMatchObject({ channel_id: fake.channelId });
    expect(note.content.startsWith(`<@${alice.id}> `)).toBe(true);
    const posted = fake.requests.find((request) => request.method === 'POST' && request.body?.message_reference?.message_id === row.answerMessageIds[0]);
    expect(posted!.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
    await fake.waitForRequest((request) => request.method === 'DELETE' && request.path === `/channels/${fake.channelId}/messages/${note.id}`, NOTE_LIFETIME_MS + 3_000);
    expect(fake.requestsTo('POST', /^\/users\/@me\/channels$/)).toHaveLength(dms);
  });
});
