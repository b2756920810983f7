import { PromptSet, readPrompts } from '../core/prompts.js';

/** The evaluation's own prompt files under prompts/ and the placeholders each must contain. */
export const evalPromptPlaceholders = {
  'eval-system': [],
  'eval-rag': ['memories', 'question'],
  'eval-pag': ['profile', 'memories', 'question'],
  'eval-neutral-persona': [],
  'eval-membank-summary': ['events'],
  'eval-membank-portrait': ['summaries'],
  'eval-membank': ['portrait', 'summaries', 'memories', 'question'],
  'eval-input-lamp1': ['title'],
  'eval-input-lamp1-citation': ['title', 'ref1', 'ref2'],
  'eval-input-lamp2m': ['description'],
  'eval-input-lamp2n': ['text'],
  'eval-input-lamp3': ['text'],
  'eval-profile-lamp1': ['previous', 'interactions'],
  'eval-profile-lamp2m': ['previous', 'interactions'],
  'eval-profile-lamp2n': ['previous', 'interactions'],
  'eval-profile-lamp3': ['previous', 'interactions'],
  // The paper's persona and update prompts take the rules of the tools the method has (the files are read as the bot's prompts too).
  'paper-persona-init': ['profile', 'toolRules'],
  'paper-update': ['persona', 'profile', 'feedback', 'toolRules'],
  'paper-tools-both': [],
  'paper-tools-memory': [],
  'paper-tools-wikipedia': [],
  'paper-tools-none': [],
} as const satisfies Record<string, readonly string[]>;

/** The name of an evaluation prompt file (without `.txt`). */
export type EvalPromptName = keyof typeof evalPromptPlaceholders;

/** The evaluation prompts (baseline prompts, the neutral persona, LaMP's input templates, tool rules), checked on load. */
export class EvalPrompts extends PromptSet<EvalPromptName> {
  /** Loads every evaluation prompt from `dir`, listing every missing file or placeholder at once. */
  static load(dir: string): EvalPrompts {
    return new EvalPrompts(readPrompts(dir, evalPromptPlaceholders, 'Evaluation prompt files'));
  }
}
