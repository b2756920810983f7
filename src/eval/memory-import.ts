import type { LanguageModel, MemberKey } from '../core/ports.js';
import type { Store } from '../memory/store.js';
import { citationItems, type PoolTitle } from './citation-items.js';
import type { EvalPrompts } from './eval-prompts.js';
import type { EvalUser, ProfileRecord } from './lamp-data.js';
import { parseDate } from './profile-dates.js';
import { itemContent, type TaskSpec } from './tasks.js';

/** Texts per embedding request. */
const EMBED_BATCH = 32;
/** When profile items carry no date, they are placed a second apart from this instant, in file order. */
const UNDATED_START = Date.UTC(2000, 0, 1);

/** What importing a user's history needs. */
export interface ImportDeps {
  store: Store;
  model: LanguageModel;
  prompts: EvalPrompts;
  task: TaskSpec;
  embedModel: string;
  signal?: AbortSignal;
}

/** A profile item as the question it answers and the member's answer. */
export interface MemoryItem {
  /** Unique per user: the message id the interaction is stored under. */
  key: string;
  question: string;
  /** The user's answer: ground truth when `labelled`, else stored as the answer given (LaMP-1's abstracts). */
  truth: string;
  labelled: boolean;
  /** The item's content: what is embedded for retrieval (LaMP's corpus text, not the template). */
  content: string;
  at: Date;
}

/** Which part of the history a method keeps as memory. */
export type MemoryScope = 'all' | 'batch' | 'none';

/** The member a LaMP user becomes: a console member in the task's own workspace. */
export function memberKeyFor(task: TaskSpec, user: EvalUser): MemberKey {
  return { platform: 'console', workspaceId: `lamp-${task.id}`, userId: user.userId };
}

/** The task's input template applied to a profile item, with its label as ground truth. */
export function toMemoryItem(item: ProfileRecord, index: number, deps: Pick<ImportDeps, 'prompts' | 'task'>): MemoryItem {
  const values = Object.fromEntries(deps.task.questionFields.map((field) => [field, item.fields[field] ?? '']));
  const time = item.date === null ? Number.NaN : parseDate(item.date);
  return {
    key: `profile-${index}-${item.id}`,
    question: deps.prompts.render(deps.task.inputPrompt, values),
    truth: item.fields[deps.task.truthField] ?? '',
    // A LaMP-1 paper's abstract is not a label of the test's kind: it is history, not ground truth.
    labelled: deps.task.id !== 'lamp1',
    content: itemContent(deps.task, item.fields),
    at: new Date(Number.isNaN(time) ? UNDATED_START + index * 1000 : time),
  };
}

/**
 * A user's memory, oldest first. Every task: the profile items as questions with their labels. LaMP-1's
 * papers are stored as title → abstract without a label, and `batchSize` citation questions built from
 * the profile are added after them: its only labelled items, so alignment's batch is in the test's form.
 * Scope 'batch' keeps only the newest `batchSize` labelled items: the data alignment needs, no more.
 */
export function memoryItems(user: EvalUser, scope: MemoryScope, options: { batchSize: number; pool: readonly PoolTitle[] }, deps: Pick<ImportDeps, 'prompts' | 'task'>): MemoryItem[] {
  if (scope === 'none') return [];
  const profile = user.profile.map((item, index) => toMemoryItem(item, index, deps));
  const last = profile.reduce((latest, item) => Math.max(latest, item.at.getTime()), UNDATED_START);
  const built =
    deps.task.id === 'lamp1'
      ? citationItems(user, options.pool, options.batchSize, deps.prompts).map((item, index) => ({
          key: `citation-${index}-${item.sourceId}`,
          question: item.question,
          truth: item.truth,
          labelled: true,
          content: item.content,
          at: new Date(last + (index + 1) * 1000),
        }))
      : [];
  const items = [...profile, ...built];
  return scope === 'all' ? items : items.filter((item) => item.labelled).slice(-options.batchSize);
}

/** Embeds texts in batches of a fixed size (the same batches give the same cache entries). */
export async function embedAll(model: LanguageModel, texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += EMBED_BATCH) vectors.push(...(await model.embed(texts.slice(start, start + EMBED_BATCH), signal)));
  return vectors;
}

/**
 * Makes the items the member's episodic memory, oldest first: each item becomes an interaction with
 * its label as ground truth (as if the member had confirmed it), or its answer, and its content embedded. Test questions
 * are never stored. Everything is written in one transaction, so a member has all of it or none; a
 * member that has it already is left as it is.
 */
export async function importMemory(deps: ImportDeps, user: EvalUser, items: MemoryItem[]): Promise<{ memberId: number; imported: number }> {
  const { store, embedModel } = deps;
  const existing = store.findMember(memberKeyFor(deps.task, user));
  if (existing !== undefined && store.listInteractions(existing, { limit: 1 }).length > 0) return { memberId: existing, imported: 0 };
  const vectors = await embedAll(deps.model, items.map((item) => item.content), deps.signal);
  const memberId = store.transaction(() => {
    const id = store.ensureMember(memberKeyFor(deps.task, user), items[0]?.at ?? new Date(UNDATED_START));
    items.forEach((item, index) => {
      const { interaction } = store.recordQuestion({ memberId: id, channelId: 'lamp-profile', conversationId: item.key, messageId: item.key, text: item.question, at: item.at });
      if (item.labelled) store.applyFeedback(interaction.id, { feedback: 'positive', groundTruth: item.truth, correctionMessageId: null, candidateText: null, candidateMessageId: null, at: item.at });
      else store.recordAnswer(interaction.id, item.truth, null, item.at);
      store.recordVector(interaction.id, id, vectors[index]!, embedModel);
    });
    return id;
  });
  return { memberId, imported: items.length };
}
