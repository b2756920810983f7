/** Platforms the bot speaks on; `console` is the local terminal chat. */
export type Platform = 'discord' | 'slack' | 'console';

/** Who is speaking: a member is scoped by platform and workspace (Discord guild, Slack team). */
export interface MemberKey {
  platform: Platform;
  workspaceId: string;
  userId: string;
}
