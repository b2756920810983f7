import type { Store } from '../memory/store.js';
import type { LanguageModel, MemberKey } from './ports.js';
import { memberRows, type ExportedRow } from '../memory/member-rows.js';
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

/** Everything the bot keeps about one member: their stored rows, table by table. */
export interface MemberExport {
  member: string;
  exportedAt: string;
  /** How binary columns are written. */
  binary: string;
  tables: Record<string, ExportedRow[]>;
}

/** Everything the bot keeps about one member, as plain JSON, and nothing about anyone else. */
export function exportMember(store: Store, key: MemberKey): MemberExport | null {
  const memberId = store.findMember(key);
  if (memberId === undefined) return null;
  return {
    member: formatMemberKey(key),
    exportedAt: new Date().toISOString(),
    binary: 'base64 of the stored bytes; question vectors are little-endian float32 (embedding) and int8 (quantized)',
    tables: memberRows(store.db, memberId, key),
  };
}

/** How many rows of `table` an export holds. */
export function exportedCount(data: MemberExport, table: string): number {
  return data.tables[table]?.length ?? 0;
}
