import type { InstructionScope } from '../memory/instruction-records.js';
import { ChannelInstructions, INSTRUCTIONS_MAX_CHARS, placeChannels } from './channel-instructions.js';
import type { Chat, CommandEvent, FormEvent, MemberKey } from './ports.js';

/** Direct messages on Discord belong to no server, so nothing can be set there. */
const NO_WORKSPACE = '@dm';

/** What the form's subject says: the whole workspace, or one channel. */
function subjectOf(scope: InstructionScope): string {
  return scope.channelId === null ? 'server' : `channel:${scope.channelId}`;
}

function scopeOf(member: MemberKey, subject: string): InstructionScope | null {
  if (subject === 'server') return ChannelInstructions.scope(member, null);
  const channel = /^channel:([\w-]{1,40})$/.exec(subject)?.[1];
  return channel ? ChannelInstructions.scope(member, channel) : null;
}

/**
 * `/persona admin instructions set|show|clear [channel]`: a workspace's admins set standing
 * instructions for the whole workspace, or for one channel; the text is written in a form.
 */
export class InstructionsCommand {
  constructor(private readonly instructions: ChannelInstructions) {}

  /** Runs one admin subcommand (`args` after `admin`). */
  async handle(event: CommandEvent, args: string[], chat: Chat): Promise<void> {
    const to = { channelId: event.channelId, member: event.member };
    const [what, action = 'show', channel] = args;
    if (what?.toLowerCase() !== 'instructions') return chat.sendPrivate(to, adminUsage);
    if (event.member.workspaceId === NO_WORKSPACE) return chat.sendPrivate(to, 'Instructions are set for a server or one of its channels; run this in the server.');
    if (!event.isAdmin) return chat.sendPrivate(to, 'Only admins (Discord: Manage Server; Slack: workspace admins) can set instructions.');
    const scope = ChannelInstructions.scope(event.member, channel ?? null);
    switch (action.toLowerCase()) {
      case 'set':
        return this.openForm(scope, event, chat);
      case 'clear':
        return chat.sendPrivate(to, this.instructions.records.clear(scope) ? `Cleared the instructions for ${where(scope, event.channelId)}. They no longer apply.` : `There were no instructions for ${where(scope, event.channelId)}.`);
      case 'show':
        return chat.sendPrivate(to, this.show(scope, event.channelId));
      default:
        return chat.sendPrivate(to, `I don't know "${action}".\n${adminUsage}`);
    }
  }

  /** The form, submitted: the instructions are saved and apply from the next answer on. */
  async onSubmit(event: FormEvent, chat: Chat): Promise<void> {
    const to = { channelId: event.channelId, member: event.member };
    const scope = scopeOf(event.member, event.subject);
    if (!event.isAdmin || !scope || event.member.workspaceId === NO_WORKSPACE) return chat.sendPrivate(to, 'Only admins can set instructions; nothing was changed.');
    const text = event.text.trim();
    if (text === '') return chat.sendPrivate(to, `The form was empty, so nothing was changed. To remove the instructions, run /persona admin instructions clear.`);
    const kept = text.slice(0, INSTRUCTIONS_MAX_CHARS);
    this.instructions.records.set(scope, kept, event.member.userId, event.at);
    const cut = kept.length < text.length ? ` They were long, so I kept the first ${INSTRUCTIONS_MAX_CHARS.toLocaleString('en')} characters.` : '';
    await chat.sendPrivate(to, `Saved. From now on every answer in ${where(scope, event.channelId)} follows these instructions, after each member's own persona:${cut}\n\n${kept}`);
  }

  /** What members read in `/persona`: the instructions that apply where they ran it. */
  linesFor(member: MemberKey, place: { channelId: string; parentChannelId?: string }): string[] {
    const applying = this.instructions.applying(member, place);
    if (applying.length === 0) return [];
    return ['Here the admins set standing instructions, which I follow besides your persona:', ...applying.map((record) => `• ${record.channelId === null ? 'For this server' : 'For this channel'}: ${record.text}`)];
  }

  private async openForm(scope: InstructionScope, event: CommandEvent, chat: Chat): Promise<void> {
    const to = { channelId: event.channelId, member: event.member };
    if (!chat.openForm) return chat.sendPrivate(to, 'Setting instructions needs a form; run this command in Discord or Slack.');
    const current = this.instructions.records.get(scope)?.text;
    await chat.openForm({
      kind: 'instructions',
      subject: subjectOf(scope),
      title: scope.channelId === null ? 'Server instructions' : 'Channel instructions',
      context: `Every answer in ${where(scope, event.channelId)} follows these, after the asking member's own persona. For example: "This is the French-speaking support channel; answer in French."`,
      label: 'Instructions',
      current,
      maxLength: INSTRUCTIONS_MAX_CHARS,
    });
  }

  private show(scope: InstructionScope, channelId: string): string {
    const record = this.instructions.records.get(scope);
    if (!record) return `There are no instructions for ${where(scope, channelId)}. Set them with /persona admin instructions set${scope.channelId ? ' <channel>' : ''}.`;
    return `Instructions for ${where(scope, channelId)}, set ${record.updatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC by ${mention(scope.platform, record.setBy)}:\n\n${record.text}`;
  }
}

const adminUsage = 'Usage: /persona admin instructions set|show|clear [channel] (without a channel: the whole server)';

/** Names a scope as members read it; Slack ids are escaped in private replies, so a channel there is named by id. */
function where(scope: InstructionScope, here: string): string {
  if (scope.channelId === null) return scope.platform === 'slack' ? 'this workspace' : 'this server';
  if (placeChannels({ channelId: here }).includes(scope.channelId)) return 'this channel';
  return scope.platform === 'discord' ? `<#${scope.channelId}>` : `channel ${scope.channelId}`;
}

function mention(platform: MemberKey['platform'], userId: string): string {
  return platform === 'discord' ? `<@${userId}>` : userId;
}
