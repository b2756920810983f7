import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../src/memory/store.js';
import { FakeOllama } from './fakes/fake-ollama.js';
import { BOT_USER_ID, FakeSlack, postSigned, TEAM_ID } from './fakes/fake-slack.js';
import { until } from './support/until.js';

const SECRET = 'crash-test-secret';
const root = new URL('..', import.meta.url).pathname;
let ollama: FakeOllama;
let slack: FakeSlack;
let dir: string;
let port: number;
let child: ChildProcess | null = null;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return free;
}

/** Starts the bot as its own process, in Slack's HTTP mode, and waits until it takes requests. */
async function startBot(): Promise<void> {
  child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'src/cli.ts'), 'start'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', process.env.CRASH_TEST_LOG ? 'inherit' : 'ignore'],
    env: {
      PATH: process.env.PATH, HOME: dir, DATABASE_PATH: join(dir, 'bot.db'), OLLAMA_HOST: ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed',
      WIKIPEDIA_ENABLED: 'false', LOG_LEVEL: process.env.CRASH_TEST_LOG ?? 'silent', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_PORT: String(port), SLACK_API_URL: slack.apiUrl,
      ANSWER_CLAIM_TTL_MS: '1000', PERSONA_CRON: '0 0 1 1 *',
    },
  });
  await until(() => fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST' }).then(() => true, () => false), 'the bot to listen', 60_000);
}

function mentionBody(ts: string): string {
  const event = { type: 'app_mention', user: 'UALICE', text: `<@${BOT_USER_ID}> what should I cook tonight?`, ts, channel: 'C0GENERAL', team: TEAM_ID, event_ts: ts };
  return JSON.stringify({ token: 'x', team_id: TEAM_ID, api_app_id: 'A0001', event, type: 'event_callback', event_id: 'EvCrash1', event_time: Math.floor(Date.now() / 1000), authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }] });
}

/** The bot's messages in the question's thread with their final text (a posted message may be updated as the answer grows). */
function threadMessages(ts: string): Array<{ ts: string; text: string }> {
  return slack.called('chat.postMessage')
    .filter((call) => call.body.thread_ts === ts)
    .map((call) => {
      const own = String(call.result?.ts);
      const updates = slack.called('chat.update').filter((update) => update.body.ts === own);
      return { ts: own, text: String(updates.at(-1)?.body.text ?? call.body.text) };
    });
}

/** The bot's messages in the thread that carry the model's answer. */
const answers = (ts: string) => threadMessages(ts).filter((message) => message.text.includes('Risotto'));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'persona-bot-crash-'));
  port = await freePort();
  slack = await FakeSlack.start();
  ollama = await FakeOllama.start();
  let calls = 0;
  // The first process's answer never comes (it is killed while the model works); later ones are answered.
  ollama.respond(() => (++calls === 1 ? { content: 'lost with the process', delayMs: 120_000 } : { content: 'Risotto, with the mushrooms you like.' }));
});

afterEach(async () => {
  child?.kill('SIGKILL');
  child = null;
  await Promise.all([ollama.close(), slack.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('a question in flight when the bot is killed', { timeout: 180_000 }, () => {
  for (const retry of [false, true]) {
    it(`is answered exactly once after a restart${retry ? ' and a Slack retry of the same event' : ''}`, async () => {
      await startBot();
      const ts = '1800000001.000100';
      expect(await postSigned(`http://127.0.0.1:${port}/slack/events`, SECRET, mentionBody(ts))).toBe(200);
      await until(() => ollama.chats().length > 0, 'the model to be asked', 60_000);
      child!.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
      await startBot();
      if (retry) expect(await postSigned(`http://127.0.0.1:${port}/slack/events`, SECRET, mentionBody(ts), { retryNum: 1 })).toBe(200);
      const [answer] = await until(() => (answers(ts).length > 0 ? answers(ts) : null), 'the answer after the restart', 60_000);
      expect(answer!.text).toContain('I restarted before I could answer this');
      // Give a second answer every chance to appear: wait out another claim period and a recovery pass.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(answers(ts)).toHaveLength(1);
      const store = Store.open(join(dir, 'bot.db'));
      try {
        const [row] = store.listInteractions({ platform: 'slack', workspaceId: TEAM_ID, userId: 'UALICE' });
        expect(row).toMatchObject({ answer: 'Risotto, with the mushrooms you like.', answerMessageIds: [answer!.ts] });
      } finally {
        store.close();
      }
    });
  }
});
