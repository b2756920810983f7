import { InstructionRecords, type InstructionRecord, type InstructionScope } from '../memory/instruction-records.js';
import type { Store } from '../memory/store.js';
import type { MemberKey, Place } from './ports.js';
import type { Prompts } from './prompts.js';

/** Longest standing instructions an admin may set for one place; they are never trimmed from a prompt. */
export const INSTRUCTIONS_MAX_CHARS = 2_000;

/** The channels whose instructions apply at a place: a Discord thread's parent, then the place itself. */
export function placeChannels(place: Pick<Place, 'channelId' | 'parentChannelId'>): string[] {
  return [place.parentChannelId, place.channelId].filter((id): id is string => Boolean(id));
}

/**
 * Standing instructions per workspace and channel, read for every answer (so a change takes
 * effect at once) and added to the system prompt after the member's own persona.
 */
export class ChannelInstructions {
  readonly records: InstructionRecords;

  constructor(
    store: Store,
    private readonly prompts: Prompts,
  ) {
    this.records = new InstructionRecords(store.db);
  }

  /** What applies where this member asks: the workspace's instructions, then the channel's. */
  applying(member: MemberKey, place: Pick<Place, 'channelId' | 'parentChannelId'>): InstructionRecord[] {
    return this.records.applying(member.platform, member.workspaceId, placeChannels(place));
  }

  /** The persona with the instructions that apply appended: the system prompt of an answer there. */
  systemPrompt(persona: string, member: MemberKey, place: Pick<Place, 'channelId' | 'parentChannelId'>): string {
    const applying = this.applying(member, place);
    if (applying.length === 0) return persona;
    const instructions = this.prompts.render('channel-instructions', { instructions: applying.map((record) => record.text).join('\n\n') });
    return `${persona}\n\n${instructions}`;
  }

  /** The scope of a workspace, or of one channel in it. */
  static scope(member: MemberKey, channelId: string | null): InstructionScope {
    return { platform: member.platform, workspaceId: member.workspaceId, channelId };
  }
}
