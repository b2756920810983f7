import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startSlack, type RunningSlack } from '../adapters/slack/slack-adapter.js';
import type { Chat, ChatEvent } from '../src/core/ports.js';
import { listMemberRows } from '../src/memory/dashboard-queries.js';
import { BOT_USER_ID, FakeSlack, postSigned, TEAM_ID } from './fakes/fake-slack.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { until } from './support/until.js';

const SECRET = 'test-signing-secret';
const FORM = { contentType: 'application/x-www-form-urlencoded' };
let t: TestBot;
let slack: FakeSlack;
let running: RunningSlack | undefined;
let handled: ChatEvent[];
let counter = 0;
let tsCounter = 1_950_000_000;

async function start(options: { streaming?: boolean; env?: Record<string, string> } = {}): Promise<void> {
  t = await createTestBot({ env: { ATTACHMENT_MAX_KB: '64', ...options.env } });
  slack = await FakeSlack.start();
  slack.streaming = options.streaming ?? false;
  handled = [];
  const sink = { handle: async (event: ChatEvent, chat: Chat) => void (await t.bot.handle(event, chat), handled.push(event)) };
  running = await startSlack({
    config: { ...t.config, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_APP_TOKEN: undefined, SLACK_PORT: 0, SLACK_API_URL: slack.apiUrl, SHUTDOWN_GRACE_MS: 1_000 },
    sink,
    logger: pino({ level: 'silent' }),
    clientOptions: { retryConfig: { retries: 0 } },
    streamIntervalMs: 20,
    fileHosts: { hosts: ['127.0.0.1'], protocols: ['http:'] },
  });
}

afterEach(async () => {
  await running?.stop();
  await t?.close();
  await slack?.close();
  running = undefined;
});

const url = () => `http://127.0.0.1:${running!.port}/slack/events`;
const nextTs = () => `${++tsCounter}.000100`;
const member = (userId: string) => ({ platform: 'slack' as const, workspaceId: TEAM_ID, userId });
const handledCount = (n: number) => until(() => handled.length >= n, `${n} handled events`);


/** Posts one Events API event exactly as Slack does. */
async function send(event: Record<string, unknown>): Promise<void> {
  const eventId = `EvF${++counter}`;
  const body = JSON.stringify({ token: 'x', team_id: TEAM_ID, api_app_id: 'A0001', event, type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000), authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }] });
  expect(await postSigned(url(), SECRET, body)).toBe(200);
}

/** Posts an event for the core and waits until the core has handled it. */
async function post(event: Record<string, unknown>): Promise<void> {
  const before = handled.length;
  await send(event);
  await handledCount(before + 1);
}

/** Posts an interaction (button, modal, command) as a signed form, and waits until the core has handled it. */
async function interact(form: string): Promise<void> {
  const before = handled.length;
  expect(await postSigned(url(), SECRET, form, FORM)).toBe(200);
  await handledCount(before + 1);
}

async function ask(user: string, text: string, answer: string, extra: Record<string, unknown> = {}): Promise<{ ts: string; answerTs: string; id: number }> {
  t.ollama.script({ content: answer });
  const ts = nextTs();
  await post({ type: 'app_mention', user, text: `<@${BOT_USER_ID}> ${text}`, ts, channel: 'C0GENERAL', team: TEAM_ID, event_ts: ts, ...extra });
  const row = await until(() => t.store.listInteractions(member(user)).find((item) => item.questionMessageId === ts && item.answer !== null && item.answerMessageIds.length > 0), 'the answer');
  return { ts, answerTs: row.answerMessageIds.at(-1)!, id: row.id };
}

function command(user: string, text: string): string {
  return new URLSearchParams({ token: 'x', team_id: TEAM_ID, channel_id: 'C0GENERAL', channel_name: 'general', user_id: user, user_name: user.toLowerCase(), command: '/persona', text, api_app_id: 'A0001', response_url: slack.responseUrl(`cmd-${++counter}`), trigger_id: `${counter}.trigger` }).toString();
}

const feedback = (value: string) => ({ action_id: 'persona_feedback', type: 'feedback_buttons', value });
const ephemeralTexts = () => [...slack.called('chat.postEphemeral').map((call) => String(call.body.text)), ...slack.called('response_url').map((call) => String(call.body.text))];

describe('Slack: the controls under an answer', () => {
  it('ends a streamed answer with the feedback buttons, carrying the answer id, given to chat.stopStream', async () => {
    await start({ streaming: true });
    const { id, answerTs } = await ask('UALICE', 'a book?', 'Dune, by Frank Herbert.');
    await slack.waitFor('chat.stopStream');
    const stream = slack.streams.get(answerTs)!;
    expect(stream.text).toBe('Dune, by Frank Herbert.');
    expect(stream.blocks).toEqual([
      {
        type: 'context_actions',
        elements: [
          {
            type: 'feedback_buttons',
            action_id: 'persona_feedback',
            positive_button: { text: { type: 'plain_text', text: '👍' }, accessibility_label: 'Mark this answer right', value: `persona:up:${id}` },
            negative_button: { text: { type: 'plain_text', text: 'Correct it' }, accessibility_label: 'Give the right answer', value: `persona:fix:${id}` },
          },
        ],
      },
    ]);
  });

  it('uses plain buttons, with the answer as sections, where the feedback buttons are refused', async () => {
    await start();
    slack.feedbackButtons = false;
    const { id, answerTs } = await ask('UALICE', 'a book?', 'Dune.');
    // The whole answer came at once, so it was posted with its blocks; a longer one gets them in its last update.
    const update = await until(() => [...slack.called('chat.postMessage'), ...slack.called('chat.update')].find((call) => String(call.body.blocks ?? '').includes('persona_up')), 'the answer with its buttons');
    // The feedback buttons were offered first, refused, and not offered again.
    expect(slack.called('chat.postMessage').filter((call) => String(call.body.blocks ?? '').includes('feedback_buttons'))).toHaveLength(1);
    expect(t.store.interaction(id)!.answerMessageIds).toEqual([answerTs]);
    const blocks = JSON.parse(String(update.body.blocks));
    expect(blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'Dune.' } });
    expect(blocks[1].elements.map((button: { value: string }) => button.value)).toEqual([`persona:up:${id}`, `persona:fix:${id}`]);
  });

  it('"Correct it" opens a modal with the question; the submitted answer is the ground truth, and a resubmission replaces it', async () => {
    await start();
    const { ts, answerTs, id } = await ask('UALICE', 'which wine with fish?', 'red');
    await interact(slack.blockAction('UALICE', { ts: answerTs, thread_ts: ts, channel: 'C0GENERAL' }, feedback(`persona:fix:${id}`)));
    const [opened] = slack.called('views.open');
    expect(opened!.body.trigger_id).toMatch(/trigger$/);
    const view = JSON.parse(String(opened!.body.view));
    expect(JSON.stringify(view.blocks)).toContain('which wine with fish?');
    await interact(slack.viewSubmission('UALICE', view, 'white, always white'));
    expect(t.store.interaction(id)).toMatchObject({ feedback: 'negative_corrected', groundTruth: 'white, always white' });
    const note = await until(() => slack.called('chat.postEphemeral').at(-1), 'the confirmation');
    expect(note.body).toMatchObject({ channel: 'C0GENERAL', user: 'UALICE', thread_ts: ts });
    expect(String(note.body.text)).toContain('stored your answer');

    await interact(slack.blockAction('UALICE', { ts: answerTs, thread_ts: ts, channel: 'C0GENERAL' }, feedback(`persona:fix:${id}`)));
    const again = JSON.parse(String(slack.called('views.open')[1]!.body.view));
    expect(again.blocks[1].element.initial_value).toBe('white, always white');
    await interact(slack.viewSubmission('UALICE', again, 'a dry white'));
    expect(t.store.interaction(id)).toMatchObject({ groundTruth: 'a dry white' });
  });

  it('tells anyone but the asker privately that only the asker can label, opens nothing and keeps nothing of them', async () => {
    await start();
    const { ts, answerTs, id } = await ask('UALICE', 'which cheese?', 'brie');
    await interact(slack.blockAction('UBOB', { ts: answerTs, thread_ts: ts, channel: 'C0GENERAL' }, feedback(`persona:fix:${id}`)));
    await interact(slack.blockAction('UBOB', { ts: answerTs, thread_ts: ts, channel: 'C0GENERAL' }, feedback(`persona:up:${id}`)));
    expect(slack.called('views.open')).toEqual([]);
    expect(slack.called('response_url').map((call) => call.body)).toEqual([
      { response_type: 'ephemeral', text: 'Only the member who asked can label this answer.', replace_original: false },
      { response_type: 'ephemeral', text: 'Only the member who asked can label this answer.', replace_original: false },
    ]);
    expect(t.store.interaction(id)).toMatchObject({ feedback: 'none', groundTruth: null });
    expect(t.store.findMember(member('UBOB'))).toBeUndefined();
  });

  it('takes 👍 from the feedback buttons as the answer being right', async () => {
    await start();
    const { ts, answerTs, id } = await ask('UALICE', 'which cheese?', 'comté');
    await interact(slack.blockAction('UALICE', { ts: answerTs, thread_ts: ts, channel: 'C0GENERAL' }, feedback(`persona:up:${id}`)));
    expect(t.store.interaction(id)).toMatchObject({ feedback: 'positive', groundTruth: 'comté' });
    expect(ephemeralTexts()).toContain('Noted: this answer is right. Thanks!');
  });
});

describe('Slack: conversations as members have them', () => {
  it('offers suggested prompts when an assistant thread starts, and answers there', async () => {
    await start({ streaming: true });
    await send({ type: 'assistant_thread_started', assistant_thread: { user_id: 'UALICE', context: { channel_id: 'C0GENERAL', team_id: TEAM_ID, enterprise_id: null }, channel_id: 'D0ALICE', thread_ts: '1950.000001' }, event_ts: nextTs() });
    const [prompts] = await slack.waitFor('assistant.threads.setSuggestedPrompts');
    expect(prompts!.body).toMatchObject({ channel_id: 'D0ALICE', thread_ts: '1950.000001' });
    expect(JSON.parse(String(prompts!.body.prompts))).toHaveLength(3);
    t.ollama.script({ content: 'You like science fiction.' });
    await post({ type: 'message', channel: 'D0ALICE', channel_type: 'im', user: 'UALICE', text: 'What do you know about me?', ts: nextTs(), thread_ts: '1950.000001', team: TEAM_ID });
    await slack.waitFor('chat.stopStream');
    expect([...slack.streams.values()][0]).toMatchObject({ channel: 'D0ALICE', thread_ts: '1950.000001', text: 'You like science fiction.' });
  });

  it("answers the asker's next message in the thread without a mention, and ignores anyone else's there", async () => {
    await start();
    const { ts } = await ask('UALICE', 'a book?', 'Dune.');
    t.ollama.script({ content: 'Then Hyperion.' });
    await post({ type: 'message', channel: 'C0GENERAL', channel_type: 'channel', user: 'UALICE', text: 'and after that?', ts: nextTs(), thread_ts: ts, team: TEAM_ID });
    await until(() => slack.called('chat.postMessage').some((call) => call.body.text === 'Then Hyperion.'), 'the follow-up answer');
    const chats = t.ollama.chats().length;
    await post({ type: 'message', channel: 'C0GENERAL', channel_type: 'channel', user: 'UBOB', text: 'I prefer Foundation', ts: nextTs(), thread_ts: ts, team: TEAM_ID });
    await post({ type: 'message', channel: 'C0GENERAL', channel_type: 'channel', user: 'UALICE', text: '<@UBOB> me too', ts: nextTs(), thread_ts: ts, team: TEAM_ID });
    expect(t.ollama.chats()).toHaveLength(chats);
    expect(t.store.findMember(member('UBOB'))).toBeUndefined();
    expect(t.store.listInteractions(member('UALICE')).map((row) => row.question)).toEqual(['and after that?', 'a book?']);
  });

  it('quotes a text file fetched from the file host with the bot token', async () => {
    await start();
    const file = slack.serveFile('notes.csv', 'city,month\nLisbon,May\n', { mimetype: 'text/csv' });
    await ask('UALICE', 'where first?', 'Lisbon.', { files: [file] });
    const asked = t.ollama.chats().at(-1)!.messages.filter((message) => message.role === 'user').at(-1)!;
    expect(asked.content).toBe('where first?\n\n[attached file: notes.csv]\n```\ncity,month\nLisbon,May\n\n```');
    expect(slack.called('file')[0]!.body.authorization).toBe('Bearer xoxb-test');
  });
});

describe('Slack: instructions and own memories', () => {
  it('lets a workspace admin set channel instructions in a modal; they reach answers in that channel only; others are refused', async () => {
    await start();
    slack.admins.add('UADMIN');
    await interact(command('UALICE', 'admin instructions set <#C0GENERAL|general>'));
    expect(slack.called('views.open')).toEqual([]);
    expect(ephemeralTexts().at(-1)).toContain('Only admins');
    await interact(command('UADMIN', 'admin instructions set <#C0GENERAL|general>'));
    const view = JSON.parse(String(slack.called('views.open')[0]!.body.view));
    expect(view.private_metadata).toContain('persona:form:instructions:channel:C0GENERAL');
    await interact(slack.viewSubmission('UADMIN', view, 'Answer in French.'));
    await ask('UALICE', 'hello', 'bonjour');
    expect(t.ollama.chats().at(-1)!.messages[0]!.content).toContain('Answer in French.');
    t.ollama.script({ content: 'hi' });
    await post({ type: 'app_mention', user: 'UALICE', text: `<@${BOT_USER_ID}> hello`, ts: nextTs(), channel: 'C0OTHER', team: TEAM_ID });
    await until(() => t.ollama.chats().at(-1)!.messages.some((message) => message.content === 'hello') && t.ollama.chats().length === 2, 'the second answer');
    expect(t.ollama.chats().at(-1)!.messages[0]!.content).not.toContain('French');
  });

  it('lists memories, forgets one by its id, and exports exactly the member\'s rows into their DM', async () => {
    await start();
    await ask('UBOB', 'bob asks about tacos', 'tacos');
    const first = await ask('UALICE', 'which tea?', 'earl grey');
    await ask('UALICE', 'which coffee?', 'flat white');
    await interact(command('UALICE', 'memories'));
    expect(ephemeralTexts().at(-1)).toContain(`\`${first.id.toString(36)}\``);
    await interact(command('UALICE', `forget ${first.id.toString(36)}`));
    expect(ephemeralTexts().at(-1)).toContain('Forgotten: "which tea?"');
    expect(t.store.interaction(first.id)).toBeUndefined();
    await interact(command('UALICE', 'export'));
    const [upload] = [...slack.uploads.values()];
    expect(upload).toMatchObject({ filename: 'persona-bot-slack-UALICE.json', channel: 'DUALICE' });
    const data = JSON.parse(upload!.content);
    expect(data.tables.interactions.map((row: { question: string }) => row.question)).toEqual(['which coffee?']);
    expect(upload!.content).not.toContain('UBOB');
    expect(upload!.content).not.toContain('tacos');
    expect(ephemeralTexts().at(-1)).toContain('in our direct messages');
  });
});

describe('Slack: members\' names', () => {
  it('records the profile display name (else the real name) when the bot answers or runs /persona, asking users.info once per member', async () => {
    await start();
    slack.profiles.set('UALICE', { display_name: 'ally', real_name: 'Alice Liddell' });
    slack.profiles.set('UBOB', { real_name: 'Bob Builder' });
    const lookups = (user: string) => slack.called('users.info').filter((call) => call.body.user === user).length;
    const tea = await ask('UALICE', 'which tea?', 'earl grey');
    await ask('UALICE', 'which coffee?', 'flat white');
    await ask('UBOB', 'which cake?', 'carrot');
    // Someone else's message in that thread is not answered, and costs no lookup.
    await post({ type: 'message', user: 'UCAROL', text: 'lunch anyone?', ts: nextTs(), thread_ts: tea.ts, channel: 'C0GENERAL', team: TEAM_ID });
    const names = () => Object.fromEntries(listMemberRows(t.store.db).map((row) => [row.key, row.displayName]));
    expect(names()).toEqual({ [`slack:${TEAM_ID}:UALICE`]: 'ally', [`slack:${TEAM_ID}:UBOB`]: 'Bob Builder' });
    expect(lookups('UCAROL')).toBe(0);

    await interact(command('UALICE', 'view'));
    expect(ephemeralTexts().at(-1)).toMatch(/^Your persona, ally \(version 1/);
    expect([lookups('UALICE'), lookups('UBOB')]).toEqual([1, 1]);
  });
});
