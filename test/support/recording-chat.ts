import type { Chat, MemberKey, Place, SendTarget } from '../../src/core/ports.js';

/** A Chat that records everything the bot does and hands out message ids `bot-1`, `bot-2`, … */
export class RecordingChat implements Chat {
  readonly sent: Array<{ to: SendTarget; text: string; messageIds: string[] }> = [];
  readonly privates: Array<{ channelId: string; member: MemberKey; text: string }> = [];
  readonly reactions: Array<{ channelId: string; messageId: string; emoji: string }> = [];
  readonly typings: Array<Place & { messageId?: string }> = [];
  private counter = 0;

  async send(to: SendTarget, text: string): Promise<{ messageIds: string[] }> {
    const messageIds = [`bot-${++this.counter}`];
    this.sent.push({ to, text, messageIds });
    return { messageIds };
  }

  async sendPrivate(to: { channelId: string; member: MemberKey }, text: string): Promise<void> {
    this.privates.push({ ...to, text });
  }

  async react(to: { channelId: string; messageId: string }, emoji: string): Promise<void> {
    this.reactions.push({ ...to, emoji });
  }

  async typing(to: Place & { messageId?: string }): Promise<() => Promise<void>> {
    this.typings.push(to);
    return async () => undefined;
  }

  /** The last message the bot posted. */
  last(): { to: SendTarget; text: string; messageIds: string[] } {
    const last = this.sent.at(-1);
    if (!last) throw new Error('the bot has sent nothing');
    return last;
  }
}
