import type { Store } from '../memory/store.js';
import type { ReplyEvent } from './ports.js';

/** `thread`: a member's next messages where the bot answered them are follow-ups; `mention`: only mentions and replies to the bot are. */
export type FollowUpMode = 'thread' | 'mention';

/**
 * The follow-up rule: in a thread where the bot has answered a member (a Slack thread, a Discord
 * thread), that member's next messages are questions even without a mention. Anyone else's
 * messages there are not, and a message that names someone but not the bot is said to them.
 */
export class FollowUps {
  constructor(
    private readonly store: Store,
    private readonly mode: FollowUpMode,
  ) {}

  /** Whether this unaddressed message continues the member's own exchange with the bot. */
  applies(event: ReplyEvent): boolean {
    if (this.mode === 'mention' || event.addressed || event.toOthers || !event.threadId) return false;
    // Looked up, never created: someone who never asked leaves no trace by talking in a thread.
    const memberId = this.store.findMember(event.member);
    return memberId !== undefined && this.store.latestInConversation(memberId, event.threadId) !== undefined;
  }
}
