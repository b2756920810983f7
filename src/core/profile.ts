import type { InteractionRecord } from '../memory/records.js';
import type { Store } from '../memory/store.js';
import { answerReserve, ContextTooSmallError, fitFields, TokenCounter } from './context-budget.js';
import { ModelError } from './errors.js';
import type { LanguageModel } from './ports.js';
import type { Prompts } from './prompts.js';

/** How many of the newest interactions a profile refresh reads; older ones live on in the previous summary. */
const PROFILE_WINDOW = 200;

/** What the profile writer needs. */
export interface ProfileDeps {
  store: Store;
  model: LanguageModel;
  prompts: Prompts;
  temperature: number;
  /** The prompt and the reading of the history; the `profile` prompt over the newest interactions by default. */
  source?: ProfileSource;
  tokens?: TokenCounter;
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

  /**
   * Folds the interactions the profile has not seen into it, oldest first, in chunks that fit the
   * model's context: one model call per chunk, each summary the next chunk's starting point, and the
   * profile saved after every chunk (an interrupted refresh goes on from there next time).
   * With `before`, only interactions older than that id are folded; the rest wait for a later refresh.
   */
  async refresh(memberId: number, signal?: AbortSignal, options: { before?: number } = {}): Promise<{ changed: boolean; modelCalls: number }> {
    const { store, source } = this.deps;
    const previous = store.profile(memberId);
    const window = source?.window ?? PROFILE_WINDOW;
    const recent = store.listInteractions(memberId, { limit: Number.isFinite(window) ? window : undefined }).filter((record) => record.answer !== null || record.groundTruth !== null);
    const before = options.before ?? Infinity;
    const fresh = recent.filter((record) => record.id > (previous?.throughInteractionId ?? 0) && record.id < before).reverse();
    if (fresh.length === 0) return { changed: false, modelCalls: 0 };
    let summary = previous?.summary ?? '(none yet)';
    let calls = 0;
    for (let next = 0; next < fresh.length; ) {
      const chunk = this.nextChunk(summary, fresh, next);
      summary = await this.summarise(summary, chunk.lines, signal);
      calls += 1;
      next = chunk.end;
      store.saveProfile(memberId, summary, fresh[next - 1]!.id, this.now());
    }
    return { changed: true, modelCalls: calls };
  }

  /** As many items from `start` as fit next to the summary so far; a single item too long for a chunk keeps its beginning. */
  private nextChunk(summary: string, items: InteractionRecord[], start: number): { lines: string; end: number } {
    const tokens = this.tokens();
    const describeOne = this.deps.source?.describe ?? describe;
    const room = this.budget() - tokens.text(this.render(summary, ''));
    if (room < 16) throw new ContextTooSmallError(this.budget() - room + 16, this.budget());
    const lines: string[] = [];
    let used = 0;
    let end = start;
    for (; end < items.length; end += 1) {
      const line = describeOne(items[end]!);
      const cost = tokens.text(`${line}\n`);
      if (used + cost > room && lines.length > 0) break;
      lines.push(used + cost > room ? fitFields(tokens, (fields) => fields.line!, { line }, ['line'], room).text : line);
      used += cost;
    }
    return { lines: lines.join('\n'), end };
  }

  private async summarise(previous: string, interactions: string, signal?: AbortSignal): Promise<string> {
    const { model } = this.deps;
    const reply = await model.chat({ system: '', messages: [{ role: 'user', content: this.render(previous, interactions) }], temperature: this.deps.temperature, signal });
    const summary = reply.content.trim();
    if (summary === '') throw new ModelError('MODEL_BAD_RESPONSE', 'The model returned an empty profile.', model.modelName, true);
    return summary;
  }

  private render(previous: string, interactions: string): string {
    const values = { previous, interactions };
    return this.deps.source ? this.deps.source.render(values) : this.deps.prompts.render('profile', values);
  }

  /** Tokens a profile prompt may take, leaving room for the summary it asks for. */
  private budget(): number {
    const context = this.deps.model.contextTokens;
    return context - answerReserve(context);
  }

  private tokens(): TokenCounter {
    return (this.deps.tokens ??= new TokenCounter());
  }
}

function describe(record: InteractionRecord): string {
  const parts = [`- Q: ${flat(record.question)}`];
  if (record.answer !== null) parts.push(`A: ${flat(record.answer)}`);
  if (record.groundTruth !== null) parts.push(`${record.feedback === 'positive' ? 'confirmed' : 'corrected to'}: ${flat(record.groundTruth)}`);
  return parts.join(' | ');
}

function flat(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
