import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { MemberKey } from '../../src/core/ports.js';
import { slackErrorSummary } from './slack-formatting.js';

/** How long a looked-up name is used before Slack is asked again (members rename themselves rarely). */
const NAME_TTL_MS = 60 * 60 * 1_000;
/** Names kept at most; the oldest lookup goes first. */
const MAX_NAMES = 5_000;

/**
 * Members' Slack names (profile display name, else real name, else user name), looked up with
 * `users.info` only when the core asks for one, and kept for an hour. One lookup per member runs at a
 * time; a failed lookup is kept as "no name" for as long, so a missing scope does not cost a call per message.
 */
export class SlackNames {
  private readonly names = new Map<string, { name: string | undefined; until: number }>();
  private readonly lookups = new Map<string, Promise<string | undefined>>();
  private warned = false;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The member's name, from the cache or from `users.info`. */
  async of(client: webApi.WebClient, member: MemberKey): Promise<string | undefined> {
    const key = `${member.workspaceId}:${member.userId}`;
    const held = this.names.get(key);
    if (held && held.until > this.now()) return held.name;
    let lookup = this.lookups.get(key);
    if (!lookup) {
      lookup = this.lookup(client, member.userId).then((name) => {
        this.remember(key, name);
        return name;
      });
      this.lookups.set(key, lookup);
      void lookup.finally(() => this.lookups.delete(key));
    }
    return lookup;
  }

  private async lookup(client: webApi.WebClient, userId: string): Promise<string | undefined> {
    try {
      const { user } = await client.users.info({ user: userId });
      const profile = user?.profile;
      return [profile?.display_name, profile?.real_name, user?.real_name, user?.name].map((name) => name?.trim()).find(Boolean);
    } catch (error) {
      // Once per process: the operator learns why names are missing without a warning per message.
      if (!this.warned) this.logger.warn({ userId, ...slackErrorSummary(error) }, 'member names cannot be read (users:read scope?)');
      this.warned = true;
      return undefined;
    }
  }

  private remember(key: string, name: string | undefined): void {
    this.names.delete(key);
    this.names.set(key, { name, until: this.now() + NAME_TTL_MS });
    if (this.names.size > MAX_NAMES) this.names.delete(this.names.keys().next().value!);
  }
}
