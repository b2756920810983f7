import type { InteractionRecord } from '../memory/records.js';
import type { Store } from '../memory/store.js';
import { ModelError } from './errors.js';
import type { LanguageModel } from './ports.js';
import type { Prompts } from './prompts.js';

/** How many of the newest interactions a profile refresh reads; older ones live on in the previous summary. */
const PROFILE_WINDOW = 40;
const ITEM_CHARS = 400;

/** What the profile writer needs. */
export interface ProfileDeps {
  store: Store;
  model: LanguageModel;
  prompts: Prompts;
  temperature: number;
  /** The prompt and the reading of the history; the `profile` prompt over the newest interactions by default. */
  source?: ProfileSource;
  now?: () => Date;
}

/** Which prompt writes the profile, how much history it reads and how an interaction is shown (the evaluation has one per task). */
export interface ProfileSource {
  render(values: { previous: string; interactions: string }): string;
  describe(record: InteractionRecord): string;
  /** How many of the newest interactions are read; Infinity reads the whole history. */
  window: number;
}

/**
 * Semantic memory P^u = f_s(S_t, D^u): a short profile summarised from the member's episodic
 * memory, folding the newest interactions into the previous summary.
 */
export class ProfileWriter {
  private readonly now: () => Date;

  constructor(private readonly deps: ProfileDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Rewrites the member's profile when they have interactions it has not seen; one model call when it does. */
  async refresh(memberId: number, signal?: AbortSignal): Promise<{ changed: boolean; modelCalls: number }> {
    const { store, prompts, model, source } = this.deps;
    const previous = store.profile(memberId);
    const window = source?.window ?? PROFILE_WINDOW;
    const recent = store.listInteractions(memberId, { limit: Number.isFinite(window) ? window : undefined }).filter((record) => record.answer !== null || record.groundTruth !== null);
    const fresh = recent.filter((record) => record.id > (previous?.throughInteractionId ?? 0));
    if (fresh.length === 0) return { changed: false, modelCalls: 0 };
    const values = { previous: previous?.summary ?? '(none yet)', interactions: [...recent].reverse().map(source?.describe ?? describe).join('\n') };
    const prompt = source ? source.render(values) : prompts.render('profile', values);
    const reply = await model.chat({ system: '', messages: [{ role: 'user', content: prompt }], temperature: this.deps.temperature, signal });
    const summary = reply.content.trim();
    if (summary === '') throw new ModelError('MODEL_BAD_RESPONSE', 'The model returned an empty profile.', model.modelName, true);
    store.saveProfile(memberId, summary, Math.max(...fresh.map((record) => record.id)), this.now());
    return { changed: true, modelCalls: 1 };
  }
}

function describe(record: InteractionRecord): string {
  const parts = [`- Q: ${clip(record.question)}`];
  if (record.answer !== null) parts.push(`A: ${clip(record.answer)}`);
  if (record.groundTruth !== null) parts.push(`${record.feedback === 'positive' ? 'confirmed' : 'corrected to'}: ${clip(record.groundTruth)}`);
  return parts.join(' | ');
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > ITEM_CHARS ? `${flat.slice(0, ITEM_CHARS - 1)}…` : flat;
}
