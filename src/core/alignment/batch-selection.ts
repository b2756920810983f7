import type { InteractionRecord } from '../../memory/records.js';
import type { Store } from '../../memory/store.js';

/** The labelled questions one run uses: the batch the rewrite learns from, and those held out to check it. */
export interface AlignmentItems {
  /** The n latest labelled interactions, oldest first (Algorithm 1's batch). */
  batch: InteractionRecord[];
  /** The next-latest labelled interactions, oldest first; never one of the batch. Empty when there are too few. */
  heldOut: InteractionRecord[];
  /** Why nothing is held out although held-out validation is on; null otherwise. */
  heldOutNote: string | null;
  /**
   * The profile the rewrite reads may fold only interactions older than this id: the labels a check
   * may run on, in this run or the next (when this batch is held out), stay out of it. Null: no limit.
   */
  profileBefore: number | null;
}

/**
 * Picks the batch (the `batchSize` latest labelled interactions, by when they were labelled) and the
 * `heldOutSize` labelled ones just before them. A member with fewer than both gets no held-out set
 * and a note saying so: a held-out figure on one or two questions would only be noise dressed as evidence.
 */
export function selectItems(store: Pick<Store, 'listInteractions'>, memberId: number, batchSize: number, heldOutSize: number): AlignmentItems {
  const latest = store.listInteractions(memberId, { labelledOnly: true, limit: batchSize + heldOutSize });
  const batch = latest.slice(0, batchSize).reverse();
  if (heldOutSize === 0) return { batch, heldOut: [], heldOutNote: null, profileBefore: null };
  // The profile is a running summary that cannot forget: it lags behind every label that may still be held out.
  const profileBefore = latest.length > 0 ? Math.min(...latest.map((item) => item.id)) : null;
  const rest = latest.slice(batchSize);
  if (rest.length < heldOutSize) {
    const note = `too few labelled answers to hold any out: ${latest.length} labelled, ${batchSize + heldOutSize} needed`;
    return { batch, heldOut: [], heldOutNote: note, profileBefore };
  }
  return { batch, heldOut: rest.reverse(), heldOutNote: null, profileBefore };
}
