import type { Store } from '../memory/store.js';
import type { PersonaVersion } from '../memory/records.js';
import type { Prompts } from './prompts.js';

/** Tool names a persona must keep instructing the agent about. */
export const requiredToolNames = ['search_memory'] as const;

/** Why a candidate persona may not go live, or null when it may. */
export function personaProblem(text: string, maxChars: number): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return 'the rewrite is empty';
  if (trimmed.length > maxChars) return `the rewrite is ${trimmed.length} characters, over the ${maxChars} limit`;
  const missing = requiredToolNames.filter((name) => !trimmed.includes(name));
  if (missing.length > 0) return `the rewrite drops the tool-use rules (${missing.join(', ')} is not mentioned)`;
  return null;
}

/** Reads and initialises members' personas. */
export class Personas {
  constructor(
    private readonly store: Store,
    private readonly prompts: Prompts,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The live persona, writing the initial one (from the profile) on first use. */
  live(memberId: number): PersonaVersion {
    return this.store.livePersona(memberId) ?? this.write(memberId, 'init');
  }

  /** The initial persona text, built from the member's current semantic profile. */
  initialText(memberId: number): string {
    const profile = this.store.profile(memberId)?.summary ?? 'Nothing yet: this member is new. Learn from their history as it grows.';
    return this.prompts.render('persona-init', { profile });
  }

  /** Goes back to the initial persona as a new version; history is kept. */
  reset(memberId: number): PersonaVersion {
    return this.write(memberId, 'reset');
  }

  private write(memberId: number, reason: 'init' | 'reset'): PersonaVersion {
    return this.store.addPersonaVersion({
      memberId,
      text: this.initialText(memberId),
      reason,
      at: this.now(),
      promptVersions: this.prompts.versions(['persona-init']),
    });
  }
}
