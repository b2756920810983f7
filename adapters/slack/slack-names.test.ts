import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { webApi } from '@slack/bolt';
import { SlackNames } from './slack-names.js';

const alice = { platform: 'slack', workspaceId: 'T1', userId: 'U1' } as const;
const HOUR = 60 * 60 * 1_000;

function client(info: (args: { user: string }) => Promise<unknown>): webApi.WebClient {
  return { users: { info: vi.fn(info) } } as unknown as webApi.WebClient;
}

describe('SlackNames', () => {
  it('prefers the display name, then the real name; asks once per member while the name is fresh, and again after an hour', async () => {
    let now = 0;
    const names = new SlackNames(pino({ level: 'silent' }), () => now);
    const profiles = [{ display_name: '', real_name: 'Alice Liddell' }, { display_name: 'ally', real_name: 'Alice Liddell' }];
    const slack = client(async () => ({ ok: true, user: { name: 'alice', profile: profiles.shift() } }));
    const [first, concurrent] = await Promise.all([names.of(slack, alice), names.of(slack, alice)]);
    expect([first, concurrent]).toEqual(['Alice Liddell', 'Alice Liddell']);
    expect(await names.of(slack, alice)).toBe('Alice Liddell');
    expect(slack.users.info).toHaveBeenCalledTimes(1);
    now += HOUR + 1;
    expect(await names.of(slack, alice)).toBe('ally');
    expect(slack.users.info).toHaveBeenCalledTimes(2);
  });

  it('a refused lookup gives no name, is not repeated for every message, and is reported once', async () => {
    const logger = pino({ level: 'silent' });
    const warn = vi.spyOn(logger, 'warn');
    const names = new SlackNames(logger, () => 0);
    const slack = client(async () => {
      throw Object.assign(new Error('missing_scope'), { code: 'slack_webapi_platform_error', data: { error: 'missing_scope' } });
    });
    expect(await names.of(slack, alice)).toBeUndefined();
    expect(await names.of(slack, alice)).toBeUndefined();
    expect(await names.of(slack, { ...alice, userId: 'U2' })).toBeUndefined();
    expect(slack.users.info).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
