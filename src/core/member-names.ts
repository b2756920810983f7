import type { Logger } from 'pino';
import type { Store } from '../memory/store.js';
import type { Chat, MemberKey } from './ports.js';

/** Keeps each member's platform name on their record, so the dashboard and /persona show names rather than ids. */
export class MemberNames {
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** The name the event carries, else the one the platform gives (looked up by the adapter); undefined when neither says. */
  async find(member: MemberKey, carried: string | undefined, chat: Chat): Promise<string | undefined> {
    if (carried?.trim()) return carried.trim();
    try {
      return (await chat.memberName?.(member))?.trim() || undefined;
    } catch (error) {
      // A name is a nicety: the event goes on without it.
      this.logger.debug({ err: error, platform: member.platform, userId: member.userId }, 'member name lookup failed');
      return undefined;
    }
  }

  /** Stores the name on the member's record, if the member is known; a name not found leaves the stored one. */
  record(member: MemberKey, name: string | undefined): void {
    if (!name) return;
    try {
      this.store.recordDisplayName(member, name);
    } catch (error) {
      this.logger.warn({ err: error, platform: member.platform, userId: member.userId }, 'member name not stored');
    }
  }

  /** Finds and records the member's name. */
  async note(member: MemberKey, carried: string | undefined, chat: Chat): Promise<void> {
    this.record(member, await this.find(member, carried, chat));
  }
}
