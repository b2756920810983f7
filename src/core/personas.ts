import type { Store } from '../memory/store.js';
import type { PersonaVersion } from '../memory/records.js';
import type { Prompts } from './prompts.js';

/** Tool names the bot's personas must keep instructing the agent about (the bot always has memory search). */
export const requiredToolNames = ['search_memory'] as const;

/**
 * The tool-use rules of an agent with a given tool set, for prompts that take them (`{{toolRules}}` in the
 * persona and update prompts): their text, and the tool names a rewrite must still mention.
 */
export interface ToolRules {
  text: string;
  required: readonly string[];
}

/** Why a candidate persona may not go live, or null when it may; `required` are the tool names it must mention. */
export function personaProblem(text: string, maxChars: number, required: readonly string[] = requiredToolNames): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return 'the rewrite is empty';
  if (trimmed.length > maxChars) return `the rewrite is ${trimmed.length} characters, over the ${maxChars} limit`;
  const missing = required.filter((name) => !trimmed.includes(name));
  if (missing.length > 0) return `the rewrite drops the tool-use rules (${missing.join(', ')} is not mentioned)`;
  return null;
}

/** Reads and initialises members' personas. */
export class Personas {
  constructor(
    private readonly store: Store,
    private readonly prompts: Prompts,
    private readonly now: () => Date = () => new Date(),
    /** The rules of the tools this agent has, when the persona prompt takes them. */
    private readonly toolRules?: ToolRules,
  ) {}

  /** The live persona, writing the initial one (from the profile) on first use. */
  live(memberId: number): PersonaVersion {
    return this.store.livePersona(memberId) ?? this.write(memberId, 'init');
  }

  /** The initial persona text, built from the member's current semantic profile. */
  initialText(memberId: number): string {
    const profile = this.store.profile(memberId)?.summary ?? 'Nothing yet: this member is new. Learn from their history as it grows.';
    return this.prompts.render('persona-init', { profile, ...(this.toolRules ? { toolRules: this.toolRules.text } : {}) });
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
