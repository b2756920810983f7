import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PromptError } from './errors.js';

/** Every prompt file and the placeholders it must contain. */
export const promptPlaceholders = {
  'persona-init': ['profile'],
  'tool-search-memory': [],
  'tool-search-memory-query': [],
  'tool-wikipedia': [],
  'tool-wikipedia-topic': [],
  'agent-final': [],
  'tool-empty-input': ['tool', 'input'],
  'tool-unknown': ['tool', 'tools'],
  'tool-none': [],
  'tool-call-retry': ['error', 'tools'],
  'wikipedia-missing': ['topic'],
  'memory-labelled': ['when', 'question', 'truth'],
  'memory-unlabelled': ['when', 'question', 'answer'],
  'memory-none': [],
  'memory-prefetched': ['memories'],
  'memory-inline': ['memories'],
  profile: ['previous', 'interactions'],
  feedback: ['persona', 'question', 'expected', 'response'],
  'feedback-batch': ['persona', 'count', 'items'],
  update: ['persona', 'profile', 'feedback'],
  judge: ['count', 'items'],
  'judge-item': ['number', 'question', 'expected', 'response'],
  'json-retry': ['error'],
  'channel-instructions': ['instructions'],
} as const satisfies Record<string, readonly string[]>;

/** The name of a prompt file under prompts/ (without `.txt`). */
export type PromptName = keyof typeof promptPlaceholders;

/** Reads every prompt of a registry from `dir`, listing every missing file or placeholder at once. */
export function readPrompts<N extends string>(dir: string, registry: Record<N, readonly string[]>, what = 'Prompt files'): Record<N, string> {
  const texts = {} as Record<N, string>;
  const problems: string[] = [];
  for (const [name, placeholders] of Object.entries(registry) as Array<[N, readonly string[]]>) {
    let text: string;
    try {
      text = readFileSync(join(dir, `${name}.txt`), 'utf8').trim();
    } catch {
      problems.push(`${name}.txt is missing`);
      continue;
    }
    const missing = placeholders.filter((placeholder) => !text.includes(`{{${placeholder}}}`));
    if (missing.length > 0) problems.push(`${name}.txt lacks ${missing.map((placeholder) => `{{${placeholder}}}`).join(', ')}`);
    texts[name] = text;
  }
  if (problems.length > 0) throw new PromptError(`${what} in ${dir} are not usable:\n  - ${problems.join('\n  - ')}`);
  return texts;
}

/** A set of prompt texts, loaded and checked once. */
export class PromptSet<N extends string> {
  protected constructor(private readonly texts: Record<N, string>) {}

  /** The prompt with its placeholders filled; values are inserted verbatim. */
  render(name: N, values: Record<string, string> = {}): string {
    return this.texts[name].replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
  }

  /** A short content hash per prompt, recorded with each persona version. */
  versions(names: N[]): Record<string, string> {
    return Object.fromEntries(names.map((name) => [name, hash(this.texts[name])]));
  }

  /** One content hash over every prompt of the set. */
  version(): string {
    return hash((Object.keys(this.texts) as N[]).sort().map((name) => `${name}\0${this.texts[name]}\0`).join(''));
  }
}

/**
 * The paper's own wording for the prompts the chat bot words differently: the evaluation measures
 * PersonaAgent as published (at least two actions, concise answers with no explanation).
 */
export const paperPromptFiles: Partial<Record<PromptName, string>> = {
  'persona-init': 'paper-persona-init',
  update: 'paper-update',
  'agent-final': 'paper-agent-final',
};

/** The bot's prompts, loaded and checked once at start-up. */
export class Prompts extends PromptSet<PromptName> {
  /** Loads every prompt from `dir`, listing every missing file or placeholder at once; `files` renames some prompts' files. */
  static load(dir: string, files: Partial<Record<PromptName, string>> = {}): Prompts {
    const registry = Object.fromEntries(Object.entries(promptPlaceholders).map(([name, placeholders]) => [files[name as PromptName] ?? name, placeholders]));
    const texts = readPrompts(dir, registry);
    return new Prompts(Object.fromEntries(Object.keys(promptPlaceholders).map((name) => [name, texts[files[name as PromptName] ?? name]!])) as Record<PromptName, string>);
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** The prompts/ folder of this project. */
export const defaultPromptsDir = fileURLToPath(new URL('../../prompts/', import.meta.url));
