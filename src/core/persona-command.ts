import { diffWords } from 'diff';
import { AlignmentRecords } from '../memory/alignment-records.js';
import { approvalByVersion } from '../memory/approval.js';
import type { Store } from '../memory/store.js';
import type { InteractionRecord, PersonaVersion } from '../memory/records.js';
import type { ChannelInstructions } from './channel-instructions.js';
import { InstructionsCommand } from './instructions-command.js';
import { MemberNames } from './member-names.js';
import { MemoryCommands } from './memory-commands.js';
import { approvalLines, checkLine, describeApproval, scoreFigures } from './persona-evidence.js';
import type { Personas } from './personas.js';
import type { Chat, CommandEvent, FormEvent, MemberKey } from './ports.js';

const HISTORY_VERSIONS = 5;
const RECENT_LABELLED = 5;
const SNIPPET = 120;

/** `/persona view|reset|history|forget|memories|export|admin`: every answer only the member sees. */
export class PersonaCommand {
  private readonly records: AlignmentRecords;
  private readonly memories: MemoryCommands;
  private readonly instructions: InstructionsCommand | null;

  constructor(
    private readonly store: Store,
    private readonly personas: Personas,
    instructions?: ChannelInstructions,
    private readonly names?: MemberNames,
  ) {
    this.records = new AlignmentRecords(store.db);
    this.memories = new MemoryCommands(store);
    this.instructions = instructions ? new InstructionsCommand(instructions) : null;
  }

  /** Runs the command; its answers go privately to the member (text, a form, or a file). */
  async handle(event: CommandEvent, chat: Chat): Promise<void> {
    const [sub = 'view', ...rest] = event.args.map((arg) => arg.trim()).filter(Boolean);
    const name = await this.names?.find(event.member, event.displayName, chat);
    // Recorded before the command runs, so the export holds it; a forgotten member's name goes with them.
    this.names?.record(event.member, name);
    const to = { channelId: event.channelId, member: event.member };
    switch (sub.toLowerCase()) {
      case 'admin':
        if (!this.instructions) return chat.sendPrivate(to, 'Standing instructions are not available here.');
        return this.instructions.handle(event, rest, chat);
      case 'export':
        return this.memories.export(event, chat);
      default:
        return chat.sendPrivate(to, this.run(event, sub, rest[0], name));
    }
  }

  /** A form opened by `/persona admin instructions set`, submitted. */
  async onForm(event: FormEvent, chat: Chat): Promise<void> {
    await this.instructions?.onSubmit(event, chat);
  }

  private run(event: CommandEvent, sub: string, target: string | undefined, name: string | undefined): string {
    const targetKey: MemberKey | null = target && target !== event.member.userId ? { ...event.member, userId: target } : null;
    switch (sub.toLowerCase()) {
      case 'view':
      case 'show':
        return targetKey ? 'You can only see your own persona.' : this.view(event, name);
      case 'reset':
        return this.reset(event, targetKey);
      case 'history':
        return targetKey ? 'You can only see your own persona history.' : this.history(event.member);
      case 'memories':
        return this.memories.list(event.member, target);
      case 'forget':
        if (target && target.toLowerCase() !== 'confirm') return this.memories.forgetOne(event.member, target);
        return this.forget(event.member, target === 'confirm');
      case 'help':
        return usage;
      default:
        return `I don't know "/persona ${sub}".\n${usage}`;
    }
  }

  private view(event: CommandEvent, name: string | undefined): string {
    const { member } = event;
    const memberId = this.store.ensureMember(member);
    this.names?.record(member, name);
    const persona = this.personas.live(memberId);
    const versions = this.store.personaHistory(memberId, HISTORY_VERSIONS);
    const labelled = this.store.listInteractions(memberId, { labelledOnly: true, limit: RECENT_LABELLED });
    const total = this.store.listInteractions(memberId, { labelledOnly: true }).length;
    const lines = [
      `Your persona${name ? `, ${name}` : ''} (version ${versions.length > 0 ? this.versionNumber(memberId, persona) : 1}, ${describe(persona)}).`,
      `It has learned from ${persona.correctionsLearned} of your ${total} labelled answers.`,
      ...approvalLines(approvalByVersion(this.store.db, memberId, 2)),
      checkLine(persona, this.records.validations(memberId).get(persona.id)),
      lastAttempt(this.store, memberId, persona),
      '',
      persona.text,
      '',
      ...(this.instructions?.linesFor(member, event) ?? []),
      '',
      labelled.length > 0 ? 'Your recent labelled answers:' : 'No labelled answers yet: react 👎 to a wrong answer and reply with the right one, or 👍 a good one.',
      ...labelled.map(formatLabelled),
      '',
      'More: /persona history · /persona memories · /persona export · /persona reset · /persona forget',
    ];
    return lines.filter((line, index) => line !== '' || lines[index - 1] !== '').join('\n').trim();
  }

  private reset(event: CommandEvent, targetKey: MemberKey | null): string {
    if (targetKey && !event.isAdmin) return "Only workspace admins can reset another member's persona.";
    const key = targetKey ?? event.member;
    const memberId = this.store.findMember(key);
    if (memberId === undefined) return targetKey ? `I have no persona for <@${key.userId}> yet.` : 'You have no persona yet; it is created with your first question.';
    const persona = this.personas.reset(memberId);
    const whose = targetKey ? `<@${key.userId}>'s persona` : 'Your persona';
    return `${whose} is back to the initial one built from the profile (version ${this.versionNumber(memberId, persona)}). Earlier versions are kept in /persona history.`;
  }

  private history(member: MemberKey): string {
    const memberId = this.store.findMember(member);
    const versions = memberId === undefined ? [] : this.store.personaHistory(memberId, HISTORY_VERSIONS + 1);
    if (versions.length === 0) return 'You have no persona yet; it is created with your first question.';
    const total = this.versionNumber(memberId!, versions[0]!);
    const approvals = new Map(approvalByVersion(this.store.db, memberId!, HISTORY_VERSIONS).map((approval) => [approval.versionId, approval]));
    const validations = this.records.validations(memberId!);
    const shown = versions.slice(0, HISTORY_VERSIONS).map((version, index) => {
      const previous = versions[index + 1];
      const approval = approvals.get(version.id);
      const received = approval ? ` · ${describeApproval(approval).replace(/^version \d+: /, '')}` : '';
      const header = `Version ${total - index}: ${describe(version)}${scoreFigures(version, validations.get(version.id))}${received}`;
      return previous ? `${header}\n${shortDiff(previous.text, version.text)}` : `${header}\n  (first version)`;
    });
    return [`Your last ${shown.length} persona versions, newest first:`, ...shown].join('\n\n');
  }

  private forget(member: MemberKey, confirmed: boolean): string {
    const memberId = this.store.findMember(member);
    if (memberId === undefined) return 'I keep nothing about you.';
    if (!confirmed) {
      const count = this.store.listInteractions(memberId).length;
      return `This deletes everything I keep about you: ${count} interactions with their corrections, your profile and every persona version. It cannot be undone.\nTo go ahead, run: ${confirmHint[member.platform]}\nTo remove one memory instead, find its id with /persona memories.`;
    }
    const { interactions } = this.store.forgetMember(memberId);
    return `Done. I deleted ${interactions} interactions, your profile and your persona. I will start fresh if you ask me something.`;
  }

  private versionNumber(memberId: number, persona: PersonaVersion): number {
    return this.store.personaVersionNumber(memberId, persona.id);
  }
}

const usage = 'Usage: /persona [view | history | memories [page] | forget [<id> | confirm] | export | reset]; admins: /persona admin instructions set|show|clear [channel]';

/** How each platform spells the confirmation (Discord has a boolean option, the others take a word). */
const confirmHint: Record<MemberKey['platform'], string> = {
  discord: '/persona forget confirm:True',
  slack: '/persona forget confirm',
  console: '/persona forget confirm',
};

function describe(version: PersonaVersion): string {
  const when = utc(version.createdAt);
  const why = { init: 'created', aligned: 'rewritten from your feedback', reset: 'reset' }[version.reason];
  return `${why} ${when}`;
}

/** A newer rewrite that was not adopted, so the member knows their feedback was looked at. */
function lastAttempt(store: Store, memberId: number, persona: PersonaVersion): string {
  const run = store.lastAlignmentRun(memberId);
  if (!run || run.outcome !== 'rejected' || run.finishedAt <= persona.createdAt) return '';
  return `A rewrite on ${utc(run.finishedAt)} was not adopted (${run.detail.replace(/^rewrite rejected: /, '')}).`;
}

/** `2026-11-23 01:44 UTC` */
function utc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function formatLabelled(record: InteractionRecord): string {
  const when = (record.feedbackAt ?? record.askedAt).toISOString().slice(0, 10);
  const verdict = record.feedback === 'positive' ? '👍' : '👎';
  return `• ${when} ${verdict} Q: ${clip(record.question)} | my answer: ${clip(record.answer ?? '')} | right answer: ${clip(record.groundTruth ?? '')}`;
}

function clip(text: string, length = SNIPPET): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

function shortDiff(before: string, after: string): string {
  const parts = diffWords(before, after).filter((part) => part.added || part.removed);
  if (parts.length === 0) return '  (same text)';
  return parts
    .slice(0, 6)
    .map((part) => `  ${part.added ? '+' : '-'} ${clip(part.value, 100)}`)
    .join('\n');
}
