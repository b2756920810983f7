import type { Store } from '../memory/store.js';
import type { LanguageModel, MemberKey } from './ports.js';
import { formatMemberKey } from '../memory/records.js';

const EMBED_BATCH = 32;

/** Drops every vector and embeds every question again with the configured embedding model. */
export async function reembedAll(store: Store, model: LanguageModel, embedModel: string, onProgress: (done: number) => void = () => undefined): Promise<number> {
  store.index.resetVectors();
  let done = 0;
  for (;;) {
    const batch = store.index.interactionsWithoutVector(EMBED_BATCH);
    if (batch.length === 0) return done;
    const vectors = await model.embed(batch.map((row) => row.question));
    store.transaction(() => batch.forEach((row, index) => store.recordVector(row.id, row.memberId, vectors[index]!, embedModel)));
    done += batch.length;
    onProgress(done);
  }
}

/** Everything the bot keeps about one member. */
export interface MemberExport {
  member: string;
  exportedAt: string;
  profile: NonNullable<ReturnType<Store['profile']>> | null;
  personas: ReturnType<Store['personaHistory']>;
  interactions: ReturnType<Store['listInteractions']>;
}

/** Everything the bot keeps about one member, as plain JSON. */
export function exportMember(store: Store, key: MemberKey): MemberExport | null {
  const memberId = store.findMember(key);
  if (memberId === undefined) return null;
  return {
    member: formatMemberKey(key),
    exportedAt: new Date().toISOString(),
    profile: store.profile(memberId) ?? null,
    personas: store.personaHistory(memberId, -1).reverse(),
    interactions: store.listInteractions(memberId).reverse(),
  };
}
