import { forgetOwnMemory } from '../memory/memory-removal.js';
import type { InteractionRecord } from '../memory/records.js';
import type { Store } from '../memory/store.js';
import { exportedCount, exportMember } from './maintenance.js';
import type { Chat, CommandEvent, MemberKey } from './ports.js';
import { questionWithoutFiles } from './quoted-files.js';

/** Memories shown per page of `/persona memories`. */
export const MEMORIES_PER_PAGE = 10;
const CLIP = 70;

/** How each platform spells the next page and forgetting one memory. */
const hints: Record<MemberKey['platform'], { page: (n: number) => string; forget: string }> = {
  discord: { page: (n) => `/persona memories page:${n}`, forget: '/persona forget memory:<id>' },
  slack: { page: (n) => `/persona memories ${n}`, forget: '/persona forget <id>' },
  console: { page: (n) => `/persona memories ${n}`, forget: '/persona forget <id>' },
};

/** A memory's short id: its interaction id in base 36, stable for as long as the memory exists. */
export function shortId(interactionId: number): string {
  return interactionId.toString(36);
}

/** Reads a short id back; null for anything that is not one. */
export function parseShortId(text: string): number | null {
  const cleaned = text.trim().replace(/^#/, '').toLowerCase();
  if (!/^[0-9a-z]{1,10}$/.test(cleaned)) return null;
  const id = Number.parseInt(cleaned, 36);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** The member's own memories: listed a page at a time, forgotten one by one, exported whole. All private. */
export class MemoryCommands {
  constructor(private readonly store: Store) {}

  /** `/persona memories [page]`: newest first, with short ids. */
  list(member: MemberKey, pageArgument: string | undefined): string {
    const memberId = this.store.findMember(member);
    const total = memberId === undefined ? 0 : this.store.listInteractions(memberId).length;
    if (total === 0) return 'I keep no memories of you yet; they start with your first question.';
    const pages = Math.ceil(total / MEMORIES_PER_PAGE);
    const page = Math.min(Math.max(1, Number.parseInt(pageArgument ?? '1', 10) || 1), pages);
    const shown = this.store.listInteractions(memberId!, { limit: page * MEMORIES_PER_PAGE }).slice((page - 1) * MEMORIES_PER_PAGE);
    const hint = hints[member.platform];
    return [
      `Your memories, newest first: page ${page} of ${pages} (${total} in all). Only you see this.`,
      ...shown.map(describeMemory),
      '',
      [page < pages ? `Next page: ${hint.page(page + 1)}` : '', `Remove one: ${hint.forget}`, 'Everything as a file: /persona export'].filter(Boolean).join(' · '),
    ].join('\n');
  }

  /** `/persona forget <id>`: removes one memory everywhere it is kept. */
  forgetOne(member: MemberKey, idText: string): string {
    const id = parseShortId(idText);
    const memberId = this.store.findMember(member);
    const record = id === null || memberId === undefined ? undefined : this.store.interaction(id);
    if (id === null || !record || record.memberId !== memberId) return `You have no memory with the id "${idText}". /persona memories lists yours with their ids.`;
    const outcome = forgetOwnMemory(this.store, memberId!, id);
    if (!outcome.removed) return `You have no memory with the id "${idText}".`;
    const profile = outcome.profileDropped ? ' Your profile summary had been written from it, so I dropped it; it is rebuilt from what is left at the next learning run.' : '';
    return `Forgotten: "${clip(questionWithoutFiles(record.question))}" and my answer. It is gone from my memory and my search.${profile} Persona versions written before keep what they learned; /persona reset starts over.`;
  }

  /** `/persona export`: everything kept about the member, as a JSON file only they receive. */
  async export(event: CommandEvent, chat: Chat): Promise<void> {
    const to = { channelId: event.channelId, member: event.member };
    const data = exportMember(this.store, event.member);
    if (!data) return chat.sendPrivate(to, 'I keep nothing about you.');
    if (!chat.sendPrivateFile) return chat.sendPrivate(to, 'I cannot send files here. An operator can export your data with the `export` command.');
    const note = `Everything I keep about you: ${exportedCount(data, 'interactions')} interactions, ${exportedCount(data, 'persona_versions')} persona versions${exportedCount(data, 'profiles') ? ', your profile' : ''} and how each was learned, table by table.`;
    const name = `persona-bot-${event.member.platform}-${event.member.userId}.json`.replace(/[^\w.-]/g, '_');
    await chat.sendPrivateFile(to, { name, content: `${JSON.stringify(data, null, 2)}\n`, note });
  }
}

function describeMemory(record: InteractionRecord): string {
  const when = record.askedAt.toISOString().slice(0, 10);
  const label = record.feedback === 'positive' ? '👍' : record.feedback === 'negative' || record.feedback === 'negative_corrected' ? '👎' : '·';
  const answer = record.answer === null ? '(no answer)' : clip(record.answer);
  const truth = record.feedback === 'negative_corrected' && record.groundTruth ? ` → right answer: ${clip(record.groundTruth)}` : '';
  return `\`${shortId(record.id)}\` ${when} ${label} Q: ${clip(questionWithoutFiles(record.question))} → A: ${answer}${truth}`;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > CLIP ? `${flat.slice(0, CLIP - 1)}…` : flat;
}
