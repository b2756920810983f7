import pino from 'pino';
import { startDiscord, type DiscordOptions } from '../../adapters/discord/discord-adapter.js';
import type { ChatEvent, MemberKey, RunningAdapter } from '../../src/core/ports.js';
import { FakeDiscord, type FakeUser } from '../fakes/fake-discord.js';
import { createTestBot, type TestBot } from './harness.js';
import { ObservedSink } from './observed-sink.js';
import { until } from './until.js';

/** The real bot behind the real Discord adapter, connected to a fake Discord on 127.0.0.1. */
export interface DiscordBot {
  fake: FakeDiscord;
  t: TestBot;
  sink: ObservedSink;
  adapter: RunningAdapter;
  /** The member key of a fake user in the fake guild. */
  key(user: FakeUser): MemberKey;
  /** Dispatches a gateway event and resolves once the core has handled it. */
  handled(type: string, payload: unknown): Promise<void>;
  stop(): Promise<void>;
}

/** Interaction types as the gateway sends them, and the core's event for each. */
const interactionKinds: Record<number, ChatEvent['kind']> = { 2: 'command', 3: 'control', 5: 'form' };

/** Which of the core's events a gateway event becomes: a message by its id, an interaction by its kind. */
function eventMatcher(type: string, payload: { id: string; type?: number }): (event: ChatEvent) => boolean {
  if (type === 'INTERACTION_CREATE') return (event) => event.kind === interactionKinds[payload.type ?? 0];
  return (event) => 'messageId' in event && event.messageId === payload.id;
}

/** Starts a fake Discord, a test bot and the adapter between them (fast REST, short edit interval). */
export async function startDiscordBot(options: { bot?: Parameters<typeof createTestBot>[0]; adapter?: Partial<DiscordOptions> } = {}): Promise<DiscordBot> {
  const fake = await FakeDiscord.start();
  const t = await createTestBot(options.bot);
  const config = { ...t.config, DISCORD_TOKEN: 'test-token', DISCORD_API_URL: fake.apiUrl, DISCORD_GUILD_ID: fake.guildId, SHUTDOWN_GRACE_MS: 2000 };
  const sink = new ObservedSink(t.bot);
  const adapter = await startDiscord({ config, sink, logger: pino({ level: 'silent' }), rest: { globalRequestsPerSecond: 1e6, retries: 0 }, pacing: { editIntervalMs: 20 }, ...options.adapter });
  return {
    fake,
    t,
    sink,
    adapter,
    key: (user) => ({ platform: 'discord', workspaceId: fake.guildId, userId: user.id }),
    async handled(type, payload) {
      const matches = eventMatcher(type, payload as { id: string; type?: number });
      const before = sink.count(matches);
      fake.dispatch(type, payload);
      await until(() => sink.count(matches) > before, `the ${type} to be handled`);
      await sink.settled();
    },
    async stop() {
      await sink.settled();
      await adapter.stop();
      await t.close();
      await fake.close();
    },
  };
}
