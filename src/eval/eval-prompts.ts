import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PromptError } from '../core/errors.js';

/** The evaluation's own prompt files under prompts/ and the placeholders each must contain. */
export const evalPromptPlaceholders = {
  'eval-system': [],
  'eval-rag': ['memories', 'question'],
  'eval-pag': ['profile', 'memories', 'question'],
  'eval-neutral-persona': [],
  'eval-input-lamp1': ['title'],
  'eval-input-lamp2m': ['description'],
  'eval-input-lamp2n': ['text'],
  'eval-input-lamp3': ['text'],
} as const satisfies Record<string, readonly string[]>;

/** The name of an evaluation prompt file (without `.txt`). */
export type EvalPromptName = keyof typeof evalPromptPlaceholders;

/** The evaluation prompts (baseline prompts, the neutral persona, LaMP's input templates), checked on load. */
export class EvalPrompts {
  private constructor(private readonly texts: Record<EvalPromptName, string>) {}

  /** Loads every evaluation prompt from `dir`, listing every missing file or placeholder at once. */
  static load(dir: string): EvalPrompts {
    const texts = {} as Record<EvalPromptName, string>;
    const problems: string[] = [];
    for (const [name, placeholders] of Object.entries(evalPromptPlaceholders) as Array<[EvalPromptName, readonly string[]]>) {
      try {
        texts[name] = readFileSync(join(dir, `${name}.txt`), 'utf8').trim();
      } catch {
        problems.push(`${name}.txt is missing`);
        continue;
      }
      const missing = placeholders.filter((placeholder) => !texts[name].includes(`{{${placeholder}}}`));
      if (missing.length > 0) problems.push(`${name}.txt lacks ${missing.map((placeholder) => `{{${placeholder}}}`).join(', ')}`);
    }
    if (problems.length > 0) throw new PromptError(`Evaluation prompt files in ${dir} are not usable:\n  - ${problems.join('\n  - ')}`);
    return new EvalPrompts(texts);
  }

  /** The prompt with its placeholders filled; values are inserted verbatim. */
  render(name: EvalPromptName, values: Record<string, string> = {}): string {
    return this.texts[name].replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
  }

  /** One content hash over every evaluation prompt, so changed prompts start fresh results. */
  version(): string {
    const hash = createHash('sha256');
    for (const name of Object.keys(this.texts).sort()) hash.update(`${name}\0${this.texts[name as EvalPromptName]}\0`);
    return hash.digest('hex').slice(0, 12);
  }
}
