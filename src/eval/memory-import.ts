import type { LanguageModel, MemberKey } from '../core/ports.js';
import type { Store } from '../memory/store.js';
import type { EvalPrompts } from './eval-prompts.js';
import { parseDate, type EvalUser, type ProfileRecord } from './lamp-data.js';
import type { TaskSpec } from './tasks.js';

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
  question: string;
  truth: string;
  at: Date;
}

/** The member a LaMP user becomes: a console member in the task's own workspace. */
export function memberKeyFor(task: TaskSpec, user: EvalUser): MemberKey {
  return { platform: 'console', workspaceId: `lamp-${task.id}`, userId: user.userId };
}

/** The task's input template applied to a profile item, with its label as ground truth. */
export function toMemoryItem(item: ProfileRecord, index: number, deps: Pick<ImportDeps, 'prompts' | 'task'>): MemoryItem {
  const values = Object.fromEntries(deps.task.questionFields.map((field) => [field, item.fields[field] ?? '']));
  const time = item.date === null ? Number.NaN : parseDate(item.date);
  return {
    question: deps.prompts.render(deps.task.inputPrompt, values),
    truth: item.fields[deps.task.truthField] ?? '',
    at: new Date(Number.isNaN(time) ? UNDATED_START + index * 1000 : time),
  };
}

/**
 * Makes the user's profile the member's episodic memory, oldest first: each item becomes an
 * interaction with its label as ground truth (as if the member had confirmed it) and its question
 * embedded. Test questions are never stored. The whole profile is written in one transaction, so a
 * member either has all of it or none; a member that has it already is left as it is.
 */
export async function importProfile(deps: ImportDeps, user: EvalUser): Promise<{ memberId: number; imported: number }> {
  const { store, model, embedModel } = deps;
  const items = user.profile.map((item, index) => toMemoryItem(item, index, deps));
  const existing = store.findMember(memberKeyFor(deps.task, user));
  if (existing !== undefined && store.listInteractions(existing, { limit: 1 }).length > 0) return { memberId: existing, imported: 0 };
  const vectors: Float32Array[] = [];
  for (let start = 0; start < items.length; start += EMBED_BATCH) {
    vectors.push(...(await model.embed(items.slice(start, start + EMBED_BATCH).map((item) => item.question), deps.signal)));
  }
  const memberId = store.transaction(() => {
    const id = store.ensureMember(memberKeyFor(deps.task, user), items[0]?.at ?? new Date(UNDATED_START));
    items.forEach((item, index) => {
      const messageId = `profile-${index}-${user.profile[index]!.id}`;
      const { interaction } = store.recordQuestion({ memberId: id, channelId: 'lamp-profile', conversationId: messageId, messageId, text: item.question, at: item.at });
      store.applyFeedback(interaction.id, { feedback: 'positive', groundTruth: item.truth, correctionMessageId: null, candidateText: null, candidateMessageId: null, at: item.at });
      store.recordVector(interaction.id, id, vectors[index]!, embedModel);
    });
    return id;
  });
  return { memberId, imported: items.length };
}
