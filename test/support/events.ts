import type { MemberKey, MentionEvent, ReactionEvent, ReplyEvent } from '../../src/core/ports.js';

/** Builders for ChatEvents in tests; every message gets a fresh id unless one is given. */
let counter = 0;

/** A member of workspace `w1` on Discord. */
export function member(userId: string, workspaceId = 'w1'): MemberKey {
  return { platform: 'discord', workspaceId, userId };
}

/** A mention of the bot. */
export function mention(who: MemberKey, text: string, extra: Partial<MentionEvent> = {}): MentionEvent {
  return { kind: 'mention', member: who, channelId: 'c1', messageId: `q-${++counter}`, text, at: new Date(), ...extra };
}

/** A reply to a message (the bot's answer by default is passed as `replyToId`). */
export function reply(who: MemberKey, replyToId: string | undefined, text: string, extra: Partial<ReplyEvent> = {}): ReplyEvent {
  return { kind: 'reply', member: who, channelId: 'c1', messageId: `r-${++counter}`, replyToId, addressed: false, text, at: new Date(), ...extra };
}

/** A reaction added (or removed) on a message. */
export function reaction(who: MemberKey, messageId: string, emoji: string, added = true): ReactionEvent {
  return { kind: 'reaction', member: who, channelId: 'c1', messageId, emoji, added, at: new Date() };
}
