import { REST } from 'discord.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../../test/fakes/fake-discord.js';
import { personaCommand, registerCommands, sameCommands } from './slash-commands.js';

let fake: FakeDiscord;
let rest: REST;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  fake = await FakeDiscord.start();
  rest = new REST({ api: fake.apiUrl, globalRequestsPerSecond: 1e6, retries: 0 }).setToken('test-token');
});
afterAll(async () => fake.close());

describe('/persona registration', () => {
  it('defines view, history, reset with an optional member, forget with a memory id or confirm, memories, export and admin instructions', () => {
    const command = personaCommand();
    expect(command.name).toBe('persona');
    expect(command.options?.map((option) => option.name)).toEqual(['view', 'history', 'reset', 'forget', 'memories', 'export', 'admin']);
    const admin = command.options?.find((option) => option.name === 'admin') as { type: number; options: Array<{ name: string; options: Array<{ name: string; type: number; required?: boolean }> }> };
    expect(admin.type).toBe(2);
    expect(admin.options[0]!.name).toBe('instructions');
    expect(admin.options[0]!.options.map((option) => [option.name, option.type, option.required])).toEqual([['action', 3, true], ['channel', 7, false]]);
    expect(JSON.stringify(command.options)).toContain('"name":"member","description":"Admins only: reset this member instead","required":false,"type":6');
  });

  it('compares with what Discord returns, ignoring ids, versions and absent `required: false`', () => {
    const ours = [personaCommand()];
    const stripped = JSON.parse(JSON.stringify(ours).replaceAll(',"required":false', ''));
    const returned = stripped.map((command: object) => ({ ...command, id: '1', version: '2', application_id: '3', default_member_permissions: null }));
    expect(sameCommands(returned, ours)).toBe(true);
    expect(sameCommands([{ ...returned[0], description: 'older text' }], ours)).toBe(false);
    expect(sameCommands([], ours)).toBe(false);
  });

  it('registers globally without a guild, and writes nothing the second time', async () => {
    const route = `/applications/${fake.applicationId}/commands`;
    expect(await registerCommands(rest, fake.applicationId, undefined, logger)).toBe('registered');
    expect(await registerCommands(rest, fake.applicationId, undefined, logger)).toBe('unchanged');
    expect(fake.requests.filter((request) => request.path === route).map((request) => request.method)).toEqual(['GET', 'PUT', 'GET']);
  });
});
