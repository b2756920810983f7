import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlack, type RunningSlack } from '../adapters/slack/slack-adapter.js';
import type { Chat, ChatEvent } from '../src/core/ports.js';
import { BOT_USER_ID, FakeSlack, postSigned, sendSigned, TEAM_ID, until } from './fakes/fake-slack.js';
import { createTestBot, type TestBot } from './support/harness.js';

const SECRET = 'test-signing-secret';
const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let t: TestBot;
let slack: FakeSlack;
let running: RunningSlack;
let handled: ChatEvent[];
/** When set, the next event handed to the core throws instead (then the flag clears). */
let failNext = false;
let eventCounter = 0;
let tsCounter = 1_800_000_000;

beforeEach(async () => {
  t = await createTestBot();
  slack = await FakeSlack.start();
  handled = [];
  // The real core, observed: every event the adapter hands over is counted once it has been handled.
  const sink = {
    handle: async (event: ChatEvent, chat: Chat) => {
      if (failNext) {
        failNext = false;
        throw new Error('handler failed');
      }
      await t.bot.handle(event, chat);
      handled.push(event);
    },
  };
  running = await startSlack({
    config: { ...t.config, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_APP_TOKEN: undefined, SLACK_PORT: 0, SLACK_API_URL: slack.apiUrl, SHUTDOWN_GRACE_MS: 1_000 },
    sink,
    logger: silent,
    // One quick retry: enough for the 429 test, short when something is really wrong.
    clientOptions: { retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 10 } },
  });
});

afterEach(async () => {
  await running.stop();
  await slack.close();
  await t.close();
});

const eventsUrl = () => `http://127.0.0.1:${running.port}/slack/events`;
const nextTs = () => `${++tsCounter}.000100`;

/** An Events API envelope exactly as Slack posts it. */
function envelope(event: Record<string, unknown>, eventId = `Ev${++eventCounter}`): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    api_app_id: 'A0001',
    event: { event_ts: event.ts ?? `${tsCounter}.000200`, ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${eventId}`,
  });
}

async function post(event: Record<string, unknown>, options: { eventId?: string; retryNum?: number } = {}): Promise<number> {
  return postSigned(eventsUrl(), SECRET, envelope(event, options.eventId), { retryNum: options.retryNum });
}

/** `user` mentions the bot in #general; resolves with the question's ts once the answer is posted. */
async function mention(user: string, text: string, answer: string): Promise<{ ts: string }> {
  t.ollama.script({ content: answer });
  const before = slack.called('chat.postMessage').length;
  const events = handled.length;
  const ts = nextTs();
  expect(await post({ type: 'app_mention', user, text: `<@${BOT_USER_ID}> ${text}`, ts, channel: 'C0GENERAL', team: TEAM_ID, client_msg_id: `m-${ts}` })).toBe(200);
  await slack.waitFor('chat.postMessage', before + 1);
  await handledCount(events + 1);
  return { ts };
}

function reaction(user: string, name: string, itemTs: string, added = true): Record<string, unknown> {
  return { type: added ? 'reaction_added' : 'reaction_removed', user, reaction: name, item_user: BOT_USER_ID, item: { type: 'message', channel: 'C0GENERAL', ts: itemTs }, event_ts: nextTs() };
}

function threadReply(user: string, text: string, threadTs: string): Record<string, unknown> {
  const ts = nextTs();
  return { type: 'message', channel: 'C0GENERAL', channel_type: 'channel', user, text, ts, thread_ts: threadTs, parent_user_id: user, team: TEAM_ID, client_msg_id: `m-${ts}` };
}

const member = (userId: string) => ({ platform: 'slack' as const, workspaceId: TEAM_ID, userId });
const handledCount = (n: number) => until(() => handled.length >= n, `${n} handled events`);

describe('Slack through bolt (HTTP mode) and the real core', () => {
  it('answers a mention in the thread of the question and stores it', async () => {
    const { ts } = await mention('UALICE', 'what should I read next?', 'Dune');
    const [answer] = slack.called('chat.postMessage');
    expect(answer!.body).toMatchObject({ channel: 'C0GENERAL', thread_ts: ts, text: 'Dune' });
    const [stored] = t.store.listInteractions(member('UALICE'));
    expect(stored).toMatchObject({ question: 'what should I read next?', answer: 'Dune', questionMessageId: ts, channelId: 'C0GENERAL' });
    expect(stored!.answerMessageIds).toHaveLength(1);
    // 👀 on the question while the bot works, removed after.
    expect(slack.called('reactions.add')[0]!.body).toMatchObject({ channel: 'C0GENERAL', timestamp: ts, name: 'eyes' });
    await slack.waitFor('reactions.remove');
    expect(slack.called('reactions.remove')[0]!.body).toMatchObject({ timestamp: ts, name: 'eyes' });
  });

  it('takes a 👎 by the asker and her thread reply as ground truth', async () => {
    const { ts } = await mention('UALICE', 'which wine with fish?', 'red');
    const answerTs = t.store.listInteractions(member('UALICE'))[0]!.answerMessageIds[0]!;
    await post(reaction('UALICE', '-1', answerTs));
    const [ack] = await slack.waitFor('chat.postEphemeral');
    // The note goes into the answer's thread, where Alice is reading, not to the channel.
    expect(ack!.body).toMatchObject({ channel: 'C0GENERAL', user: 'UALICE', thread_ts: ts });
    const correction = threadReply('UALICE', 'white, always white', ts);
    await post(correction);
    const confirmed = () => slack.called('reactions.add').filter((call) => call.body.name === 'white_check_mark');
    await until(() => confirmed().length > 0, 'the ✅');
    expect(confirmed()[0]!.body).toMatchObject({ channel: 'C0GENERAL', timestamp: correction.ts });
    expect(t.store.listInteractions(member('UALICE'))[0]).toMatchObject({ feedback: 'negative_corrected', groundTruth: 'white, always white', correctionMessageId: correction.ts });
    // A thread reply is not a question: only the one answer was posted.
    expect(slack.called('chat.postMessage')).toHaveLength(1);
  });

  it('changes ground truth when the correction is edited, and drops it when deleted; a removed 👎 takes it back', async () => {
    const { ts } = await mention('UALICE', 'which wine with fish?', 'red');
    const answerTs = t.store.listInteractions(member('UALICE'))[0]!.answerMessageIds[0]!;
    await post(reaction('UALICE', 'thumbsdown', answerTs));
    const correction = threadReply('UALICE', 'white', ts);
    await post(correction);
    await handledCount(3);
    await post({ type: 'message', subtype: 'message_changed', hidden: true, channel: 'C0GENERAL', channel_type: 'channel', ts: nextTs(), message: { ...correction, text: 'a dry white', edited: { user: 'UALICE', ts: nextTs() } }, previous_message: correction });
    await handledCount(4);
    expect(t.store.listInteractions(member('UALICE'))[0]).toMatchObject({ groundTruth: 'a dry white' });
    await post({ type: 'message', subtype: 'message_deleted', hidden: true, channel: 'C0GENERAL', channel_type: 'channel', ts: nextTs(), deleted_ts: correction.ts, previous_message: correction });
    await handledCount(5);
    expect(t.store.listInteractions(member('UALICE'))[0]).toMatchObject({ feedback: 'negative', groundTruth: null });
    await post(reaction('UALICE', 'thumbsdown', answerTs, false));
    await handledCount(6);
    expect(t.store.listInteractions(member('UALICE'))[0]).toMatchObject({ feedback: 'none', groundTruth: null });
  });

  it("ignores someone else's 👎 and reply on Alice's answer", async () => {
    const { ts } = await mention('UALICE', 'which wine with fish?', 'red');
    const answerTs = t.store.listInteractions(member('UALICE'))[0]!.answerMessageIds[0]!;
    await post(reaction('UBOB', '-1', answerTs));
    await post(threadReply('UBOB', 'rosé', ts));
    await handledCount(3);
    expect(t.store.listInteractions(member('UALICE'))[0]).toMatchObject({ feedback: 'none', groundTruth: null, candidateText: null });
    expect(t.store.findMember(member('UBOB'))).toBeUndefined();
    expect(slack.called('chat.postEphemeral')).toHaveLength(0);
  });

  it('refuses a bad signature and a stale timestamp, storing nothing', async () => {
    const body = envelope({ type: 'app_mention', user: 'UALICE', text: `<@${BOT_USER_ID}> hello`, ts: nextTs(), channel: 'C0GENERAL' });
    expect(await postSigned(eventsUrl(), SECRET, body, { signature: 'v0=0000' })).toBe(401);
    expect(await postSigned(eventsUrl(), 'another-secret', body)).toBe(401);
    expect(await postSigned(eventsUrl(), SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 })).toBe(401);
    expect(t.store.listMembers()).toEqual([]);
    expect(slack.called('chat.postMessage')).toHaveLength(0);
  });

  it('answers a retried delivery once (X-Slack-Retry-Num and the same event_id)', async () => {
    t.ollama.script({ content: 'Dune' }, { content: 'Dune again' });
    const event = { type: 'app_mention', user: 'UALICE', text: `<@${BOT_USER_ID}> a book?`, ts: nextTs(), channel: 'C0GENERAL' };
    expect(await post(event, { eventId: 'EvSAME' })).toBe(200);
    expect(await post(event, { eventId: 'EvSAME', retryNum: 1 })).toBe(200);
    await slack.waitFor('chat.postMessage');
    // A redelivery under a new event id (after a restart, say) is still recorded once by the core.
    expect(await post(event, { eventId: 'EvOTHER', retryNum: 2 })).toBe(200);
    await handledCount(2);
    expect(slack.called('chat.postMessage')).toHaveLength(1);
    expect(t.store.listInteractions(member('UALICE'))).toHaveLength(1);
  });

  it('acknowledges /persona view at once and answers ephemerally through response_url', async () => {
    await mention('UALICE', 'hello', 'hi');
    const form = new URLSearchParams({
      token: 'legacy-verification-token',
      team_id: TEAM_ID,
      team_domain: 'example',
      channel_id: 'C0GENERAL',
      channel_name: 'general',
      user_id: 'UALICE',
      user_name: 'alice',
      command: '/persona',
      text: 'view',
      api_app_id: 'A0001',
      is_enterprise_install: 'false',
      response_url: slack.responseUrl('cmd1'),
      trigger_id: '123.456.abc',
    }).toString();
    expect(await postSigned(eventsUrl(), SECRET, form, { contentType: 'application/x-www-form-urlencoded' })).toBe(200);
    const [response] = await slack.waitFor('response_url');
    expect(response!.body.response_type).toBe('ephemeral');
    expect(String(response!.body.text)).toContain('Your persona');
    expect(String(response!.body.text)).toContain(t.store.livePersona(t.store.findMember(member('UALICE'))!)!.text.slice(0, 100));
    expect(slack.called('chat.postMessage')).toHaveLength(1);
  });

  it("lets a workspace admin reset another member's persona, checked with users.info", async () => {
    await mention('UBOB', 'hello', 'hi');
    slack.admins.add('UADMIN');
    const command = (user: string) =>
      new URLSearchParams({ team_id: TEAM_ID, channel_id: 'C0GENERAL', user_id: user, command: '/persona', text: 'reset <@UBOB|bob>', response_url: slack.responseUrl(user), trigger_id: 't' }).toString();
    await postSigned(eventsUrl(), SECRET, command('UALICE'), { contentType: 'application/x-www-form-urlencoded' });
    const [refused] = await slack.waitFor('response_url');
    expect(refused!.body.text).toBe("Only workspace admins can reset another member's persona.");
    await postSigned(eventsUrl(), SECRET, command('UADMIN'), { contentType: 'application/x-www-form-urlencoded' });
    const responses = await slack.waitFor('response_url', 2);
    expect(String(responses[1]!.body.text)).toContain('&lt;@UBOB&gt;');
    expect(t.store.livePersona(t.store.findMember(member('UBOB'))!)!.reason).toBe('reset');
  });

  it('splits a long answer and never pings the channel', async () => {
    const long = `@channel <!here> ${Array.from({ length: 400 }, (_, i) => `Sentence number ${i} of a long answer.`).join(' ')}`;
    await mention('UALICE', 'tell me everything', long);
    await until(() => t.store.listInteractions(member('UALICE'))[0]?.answerMessageIds.length === slack.called('chat.postMessage').length, 'every chunk recorded');
    const posts = slack.called('chat.postMessage');
    expect(posts.length).toBeGreaterThan(3);
    for (const call of posts) {
      expect(String(call.body.text).length).toBeLessThanOrEqual(3_500);
      expect(call.body.thread_ts).toBe(posts[0]!.body.thread_ts);
    }
    const first = String(posts[0]!.body.text);
    expect(first.startsWith('@\u200bchannel &lt;!here&gt; Sentence number 0')).toBe(true);
    expect(t.store.listInteractions(member('UALICE'))[0]!.answerMessageIds).toHaveLength(posts.length);
  });

  it('answers a direct message in its thread, and pairs a correction there with the latest answer', async () => {
    t.ollama.script({ content: 'pizza' }, { content: 'a salad' });
    const dm = (text: string, threadTs?: string) => ({ type: 'message', channel: 'D0ALICE', channel_type: 'im', user: 'UALICE', text, ts: nextTs(), team: TEAM_ID, ...(threadTs ? { thread_ts: threadTs } : {}) });
    const question = dm('what is for dinner?');
    await post(question);
    const [answer] = await slack.waitFor('chat.postMessage');
    expect(answer!.body).toMatchObject({ channel: 'D0ALICE', thread_ts: question.ts, text: 'pizza' });
    // In a DM a thread reply is said to the bot: a follow-up question, answered in the same thread.
    await post(dm('and for lunch?', question.ts));
    const answers = await slack.waitFor('chat.postMessage', 2);
    expect(answers[1]!.body).toMatchObject({ channel: 'D0ALICE', thread_ts: question.ts, text: 'a salad' });
    await handledCount(2);
    const lunch = t.store.listInteractions(member('UALICE')).find((record) => record.question === 'and for lunch?')!;
    await post({ type: 'reaction_added', user: 'UALICE', reaction: '-1', item_user: BOT_USER_ID, item: { type: 'message', channel: 'D0ALICE', ts: lunch.answerMessageIds[0] }, event_ts: nextTs() });
    await post(dm('soup', question.ts));
    await handledCount(4);
    const stored = t.store.listInteractions(member('UALICE'));
    expect(stored.find((record) => record.id === lunch.id)).toMatchObject({ feedback: 'negative_corrected', groundTruth: 'soup' });
    expect(stored.find((record) => record.question === 'what is for dinner?')).toMatchObject({ feedback: 'none', groundTruth: null });
    expect(slack.called('chat.postMessage')).toHaveLength(2);
  });

  it('keeps running when handling an event fails', async () => {
    failNext = true;
    await post({ type: 'app_mention', user: 'UALICE', text: `<@${BOT_USER_ID}> first`, ts: nextTs(), channel: 'C0GENERAL' });
    await until(() => !failNext, 'the failing event');
    await mention('UALICE', 'second', 'still here');
    expect(slack.called('chat.postMessage').map((call) => call.body.text)).toEqual(['still here']);
  });

  it('answers the URL verification challenge', async () => {
    const response = await sendSigned(eventsUrl(), SECRET, JSON.stringify({ token: 'legacy-verification-token', challenge: 'c-123', type: 'url_verification' }));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ challenge: 'c-123' });
  });

  it('waits out a 429 from the Web API and still answers', async () => {
    slack.rateLimited.set('chat.postMessage', 0);
    await mention('UALICE', 'a question under load', 'an answer');
    expect(slack.called('chat.postMessage (429)')).toHaveLength(1);
    expect(slack.called('chat.postMessage')[0]!.body.text).toBe('an answer');
  });
});

describe('Slack shutdown', () => {
  it('finishes the answer in flight and never acknowledges an event it will not handle', async () => {
    t.ollama.script({ content: 'a slow answer', delayMs: 300 }, { content: 'a late answer' });
    const first = nextTs();
    await post({ type: 'app_mention', user: 'UALICE', text: `<@${BOT_USER_ID}> slow?`, ts: first, channel: 'C0GENERAL' });
    await slack.waitFor('reactions.add');
    const stopped = running.stop();
    // Slack retries what it could not deliver; what it delivered must be answered.
    const late = await post({ type: 'app_mention', user: 'UBOB', text: `<@${BOT_USER_ID}> late?`, ts: nextTs(), channel: 'C0GENERAL' }).catch(() => 'refused' as const);
    await stopped;
    const texts = () => slack.called('chat.postMessage').map((call) => call.body.text);
    expect(texts()).toContain('a slow answer');
    if (late === 'refused') expect(texts()).not.toContain('a late answer');
    else await until(() => texts().includes('a late answer'), 'the late answer');
  });
});

describe('Slack in Socket Mode (the default)', () => {
  it('connects with the app token, acknowledges envelopes and answers mentions and /persona', async () => {
    await running.stop();
    running = await startSlack({
      config: { ...t.config, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_SIGNING_SECRET: undefined, SLACK_API_URL: slack.apiUrl, SHUTDOWN_GRACE_MS: 1_000 },
      sink: t.bot,
      logger: silent,
      clientOptions: { retryConfig: { retries: 0 } },
    });
    expect(running.port).toBeUndefined();
    expect(slack.called('apps.connections.open')).toHaveLength(1);

    t.ollama.script({ content: 'Dune' });
    const ts = nextTs();
    await slack.sendEnvelope('events_api', 'env-1', JSON.parse(envelope({ type: 'app_mention', user: 'UALICE', text: `<@${BOT_USER_ID}> a book?`, ts, channel: 'C0GENERAL' })));
    const [answer] = await slack.waitFor('chat.postMessage');
    expect(answer!.body).toMatchObject({ channel: 'C0GENERAL', thread_ts: ts, text: 'Dune' });
    expect(slack.acks).toContain('env-1');

    await slack.sendEnvelope('slash_commands', 'env-2', { team_id: TEAM_ID, channel_id: 'C0GENERAL', user_id: 'UALICE', command: '/persona', text: 'history', response_url: slack.responseUrl('socket'), trigger_id: 't' });
    const [response] = await slack.waitFor('response_url');
    expect(String(response!.body.text)).toContain('Your last 1 persona versions');
    expect(slack.acks).toContain('env-2');
  });
});
