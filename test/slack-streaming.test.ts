import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startSlack, type RunningSlack } from '../adapters/slack/slack-adapter.js';
import type { ProgressDelays } from '../src/core/answer-progress.js';
import { BOT_USER_ID, FakeSlack, postSigned, TEAM_ID } from './fakes/fake-slack.js';
import type { ModelSpeed } from './fakes/fake-ollama.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { until } from './support/until.js';

const SECRET = 'test-signing-secret';
const INTERVAL_MS = 150;
let t: TestBot;
let slack: FakeSlack;
let running: RunningSlack | undefined;
let counter = 0;
let tsCounter = 1_900_000_000;

async function start(options: { streaming: boolean; speed?: ModelSpeed; progress?: ProgressDelays; env?: Record<string, string> }): Promise<void> {
  t = await createTestBot({ ollama: { speed: options.speed ?? { promptTokensPerSecond: 20_000, tokensPerSecond: 60 } }, progress: options.progress, env: options.env });
  slack = await FakeSlack.start();
  slack.streaming = options.streaming;
  running = await startSlack({
    config: { ...t.config, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_APP_TOKEN: undefined, SLACK_PORT: 0, SLACK_API_URL: slack.apiUrl, SHUTDOWN_GRACE_MS: 1_000 },
    sink: t.bot,
    logger: pino({ level: 'silent' }),
    clientOptions: { retryConfig: { retries: 0 } },
    streamIntervalMs: INTERVAL_MS,
  });
}

afterEach(async () => {
  await running?.stop();
  await t?.close();
  await slack?.close();
});

const member = (userId: string) => ({ platform: 'slack' as const, workspaceId: TEAM_ID, userId });
const words = (count: number) => Array.from({ length: count }, (_, index) => `word${index}`).join(' ');

/** Posts a signed Events API request exactly as Slack does. */
async function post(event: Record<string, unknown>): Promise<void> {
  const eventId = `EvS${++counter}`;
  const body = JSON.stringify({ token: 'x', team_id: TEAM_ID, api_app_id: 'A0001', event, type: 'event_callback', event_id: eventId, event_time: Math.floor(Date.now() / 1000), authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }] });
  expect(await postSigned(`http://127.0.0.1:${running!.port}/slack/events`, SECRET, body)).toBe(200);
}

async function ask(user: string, text: string): Promise<string> {
  const ts = `${++tsCounter}.000100`;
  await post({ type: 'app_mention', user, text: `<@${BOT_USER_ID}> ${text}`, ts, channel: 'C0GENERAL', team: TEAM_ID, event_ts: ts });
  return ts;
}

const answered = (user: string) => until(() => t.store.listInteractions(member(user)).some((row) => row.answer !== null || row.errorCode !== null), 'the answer to be stored');

describe('Slack: an answer streamed into the thread', () => {
  it('streams with chat.startStream/appendStream/stopStream, paced, and ends with the stored answer', async () => {
    await start({ streaming: true });
    const answer = `Dune first, then ${words(30)}.`;
    t.ollama.script({ content: answer });
    const ts = await ask('UALICE', 'what should I read next?');
    await answered('UALICE');
    await slack.waitFor('chat.stopStream');
    const [started] = slack.called('chat.startStream');
    expect(started!.body).toMatchObject({ channel: 'C0GENERAL', thread_ts: ts, recipient_user_id: 'UALICE', recipient_team_id: TEAM_ID });
    const [streamTs, stream] = [...slack.streams.entries()][0]!;
    const chat = t.ollama.requests.find((request) => request.path === '/api/chat')!;
    expect(stream.at[0]).toBeLessThan(chat.finishedAt!);
    expect(slack.called('chat.appendStream').length).toBeGreaterThanOrEqual(2);
    // Paced while the model writes; the last append and the stop come at once when it is done.
    stream.at.slice(1, -2).forEach((at, index) => expect(at - stream.at[index]!).toBeGreaterThanOrEqual(INTERVAL_MS - 5));
    expect(stream).toMatchObject({ text: answer, stopped: true });
    expect(t.store.listInteractions(member('UALICE'))[0]).toMatchObject({ answer, answerMessageIds: [streamTs] });
    expect(slack.called('chat.postMessage')).toEqual([]);
  });

  it('pairs a 👎 and a thread reply given during the stream with the answer', async () => {
    await start({ streaming: true });
    const answer = `Red, because ${words(30)}.`;
    t.ollama.script({ content: answer });
    const ts = await ask('UALICE', 'which wine with fish?');
    const streamTs = await until(() => [...slack.streams.keys()][0], 'the stream to start');
    await post({ type: 'reaction_added', user: 'UALICE', reaction: '-1', item_user: BOT_USER_ID, item: { type: 'message', channel: 'C0GENERAL', ts: streamTs }, event_ts: `${++tsCounter}.000100` });
    const replyTs = `${++tsCounter}.000100`;
    await post({ type: 'message', channel: 'C0GENERAL', channel_type: 'channel', user: 'UALICE', text: 'white, always white', ts: replyTs, thread_ts: ts, parent_user_id: 'UALICE', team: TEAM_ID });
    const row = await until(() => t.store.listInteractions(member('UALICE')).find((item) => item.feedback === 'negative_corrected' && item.answer !== null), 'the correction and the answer');
    expect(row).toMatchObject({ answer, groundTruth: 'white, always white', correctionMessageId: replyTs, answerMessageIds: [streamTs] });
  });

  it('falls back to chat.postMessage and throttled chat.update where streaming is refused, and asks only once', async () => {
    await start({ streaming: true });
    slack.refused.set('chat.startStream', 'not_allowed_token_type');
    const answer = `Dune, then ${words(30)}.`;
    t.ollama.script({ content: answer }, { content: 'A short second answer.' });
    await ask('UALICE', 'what should I read next?');
    await answered('UALICE');
    await ask('UBOB', 'and me?');
    await answered('UBOB');
    expect(slack.called('chat.startStream')).toHaveLength(1);
    const [first] = slack.called('chat.postMessage');
    const updates = slack.called('chat.update').filter((call) => call.body.ts === t.store.listInteractions(member('UALICE'))[0]!.answerMessageIds[0]);
    expect(first!.body.text).not.toBe(answer);
    expect(updates.at(-1)!.body.text).toBe(answer);
    expect(t.store.listInteractions(member('UALICE'))[0]).toMatchObject({ answer });
  });

  it('shows a waiting member their place with assistant.threads.setStatus, or a placeholder the answer replaces where that is refused', async () => {
    await start({ streaming: false, progress: { queueNoticeMs: 20, workNoticeMs: 10_000 } });
    slack.refused.set('assistant.threads.setStatus', 'missing_scope');
    t.ollama.script({ content: 'first answer', delayMs: 400 }, { content: 'second answer' });
    await ask('UALICE', 'first question');
    const ts = await ask('UBOB', 'second question');
    const placeholder = await until(() => slack.called('chat.postMessage').find((call) => String(call.body.text).includes('question ahead of yours')), 'the placeholder');
    expect(placeholder.body).toMatchObject({ channel: 'C0GENERAL', thread_ts: ts });
    expect(slack.called('assistant.threads.setStatus')[0]!.body).toMatchObject({ channel_id: 'C0GENERAL', thread_ts: ts, status: '1 question ahead of yours…' });
    await until(() => t.store.listInteractions(member('UBOB')).find((row) => row.answer === 'second answer'), 'the second answer');
    const bob = t.store.listInteractions(member('UBOB'))[0]!;
    await until(() => slack.called('chat.update').find((call) => call.body.text === 'second answer'), 'the placeholder replaced');
    expect(bob.answerMessageIds).toHaveLength(1);
    expect(slack.called('chat.update').find((call) => call.body.text === 'second answer')!.body.ts).toBe(bob.answerMessageIds[0]);
  });

  it('ends a stream cut off by the model with the failure note', async () => {
    await start({ streaming: true });
    t.ollama.script({ content: `Partial words ${words(20)}`, failAfterTokens: 8 });
    await ask('UALICE', 'and then?');
    await answered('UALICE');
    await slack.waitFor('chat.stopStream');
    const stream = [...slack.streams.values()][0]!;
    expect(stream.text).toMatch(/^Partial words.*\n\n\(My answer was cut off: my language model failed partway/s);
    expect(t.store.listInteractions(member('UALICE'))[0]).toMatchObject({ answer: null, errorCode: 'MODEL_BAD_RESPONSE' });
  });
});
