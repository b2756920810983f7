import type { Agent } from '../core/agent.js';
import type { LanguageModel } from '../core/ports.js';
import type { InteractionRecord } from '../memory/records.js';
import type { Store } from '../memory/store.js';
import { stableFraction } from './citation-items.js';
import type { EvalPrompts } from './eval-prompts.js';
import { embedAll, type MemoryItem } from './memory-import.js';
import type { PromptFitter } from './prompt-fit.js';

/** Items per period: MemoryBank summarises each day of conversation; a LaMP history has no days, so a period is this many items. */
export const PERIOD_ITEMS = 10;

/** What MemoryBank keeps for a user once their history is read: the summaries and the memories not forgotten. */
export interface MemBankState {
  /** The global user portrait, summarised from the period summaries. */
  portrait: string;
  /** One event summary per period, oldest first. */
  summaries: string[];
  /** Interaction ids of the memories the forgetting curve keeps, with their period. */
  kept: Array<{ id: number; period: number }>;
  modelCalls: number;
}

/** What MemoryBank needs. */
export interface MemBankDeps {
  store: Store;
  model: LanguageModel;
  prompts: EvalPrompts;
  agent: Agent;
  /** Fits every prompt to the model's context. */
  fitter: PromptFitter;
  topK: number;
  temperature: number;
  signal?: AbortSignal;
}

/**
 * MemoryBank (Zhong et al. 2023) as a baseline: memories, period summaries and a user portrait. Its
 * forgetting curve R = e^(−t/S) decides which memories survive: t is the periods since a memory was
 * learned or last recalled, S its strength, 1 at first and +1 each time a later item recalls it (its
 * top-K neighbours while the history is replayed). A memory survives a seeded draw u < R, the
 * paper's random forgetting made repeatable.
 */
export class MemBank {
  constructor(private readonly deps: MemBankDeps) {}

  /** Replays the member's history (oldest first) through the memory bank and writes its summaries. */
  async build(memberId: number, userId: string, items: MemoryItem[]): Promise<MemBankState> {
    const { store, model, signal } = this.deps;
    const byKey = new Map(items.map((item) => [item.key, item]));
    const records = store.listInteractions(memberId).reverse().filter((record) => byKey.has(record.questionMessageId));
    const contents = records.map((record) => byKey.get(record.questionMessageId)!.content);
    const vectors = await embedAll(model, contents, signal);
    const strength = new Map(records.map((record) => [record.id, 1]));
    const learned = new Map(records.map((record, index) => [record.id, period(index)]));
    records.forEach((record, index) => {
      if (index === 0) return;
      for (const hit of store.searchMemory(memberId, { text: contents[index]!, vector: vectors[index] }, this.deps.topK, record.id)) {
        strength.set(hit.interaction.id, (strength.get(hit.interaction.id) ?? 1) + 1);
        learned.set(hit.interaction.id, period(index));
      }
    });
    const now = period(records.length - 1);
    const kept = records.flatMap((record, index) => {
      const retention = Math.exp(-(now - learned.get(record.id)!) / strength.get(record.id)!);
      return stableFraction(userId, record.questionMessageId, 'forget') < retention ? [{ id: record.id, period: period(index) }] : [];
    });
    const summaries: string[] = [];
    for (let start = 0; start < records.length; start += PERIOD_ITEMS) {
      const events = records.slice(start, start + PERIOD_ITEMS).map((record, offset) => `- ${contents[start + offset]} → ${record.groundTruth ?? ''}`);
      summaries.push(await this.ask((lines) => this.deps.prompts.render('eval-membank-summary', { events: lines }), events));
    }
    const portrait = summaries.length === 0 ? '' : await this.ask((lines) => this.deps.prompts.render('eval-membank-portrait', { summaries: lines }), summaries.map((text, index) => `Period ${index + 1}: ${text}`));
    return { portrait, summaries, kept, modelCalls: summaries.length + (summaries.length === 0 ? 0 : 1) };
  }

  /** Answers with the portrait, the top-K memories that survived, and the summaries of their periods. */
  async answer(memberId: number, state: MemBankState, question: string, content: string): Promise<{ output: string; retrievedIds: number[]; trimmed: string[] }> {
    const { store, model, prompts, signal, fitter } = this.deps;
    const [vector] = await model.embed([content], signal);
    const kept = new Map(state.kept.map((entry) => [entry.id, entry.period]));
    const hits = store.searchMemory(memberId, { text: content, vector }, Math.max(this.deps.topK, kept.size), undefined);
    const records: InteractionRecord[] = hits.map((hit) => hit.interaction).filter((record) => kept.has(record.id)).slice(0, this.deps.topK);
    const periods = [...new Set(records.map((record) => kept.get(record.id)!))].sort((a, b) => a - b);
    const system = prompts.render('eval-system');
    // Memories go first to fit (lowest-ranked first), then the summaries and the portrait are cut.
    const prompt = fitter.message(system, {
      fields: {
        portrait: state.portrait || '(none)',
        summaries: periods.map((index) => `Period ${index + 1}: ${state.summaries[index] ?? ''}`).join('\n') || '(none)',
        question,
      },
      ranked: { count: records.length, name: 'memories' },
      shrinkable: ['summaries', 'portrait'],
      render: (fields, shown) => prompts.render('eval-membank', { portrait: fields.portrait!, summaries: fields.summaries!, memories: this.deps.agent.formatMemories(records.slice(0, shown)), question: fields.question! }),
    });
    const reply = await model.chat({ system, messages: [{ role: 'user', content: prompt.content }], temperature: this.deps.temperature, signal });
    return { output: reply.content, retrievedIds: records.slice(0, prompt.kept).map((record) => record.id), trimmed: prompt.trimmed };
  }

  /** A summary of `lines` (events or period summaries), each line cut evenly when together they do not fit the context. */
  private async ask(render: (lines: string) => string, lines: string[]): Promise<string> {
    const fields = Object.fromEntries(lines.map((line, index) => [`line${index}`, line]));
    const prompt = this.deps.fitter.message('', { fields, shrinkable: Object.keys(fields), render: (values) => render(Object.values(values).join('\n')) });
    const reply = await this.deps.model.chat({ system: '', messages: [{ role: 'user', content: prompt.content }], temperature: this.deps.temperature, signal: this.deps.signal });
    return reply.content.trim();
  }
}

function period(index: number): number {
  return Math.floor(index / PERIOD_ITEMS);
}
