import type { Store } from './store.js';

/** What forgetting one interaction removed. */
export interface ForgetOutcome {
  /** The member had this interaction, and it is gone. */
  removed: boolean;
  /** The profile summary had been written from it, so it was dropped to be rebuilt without it. */
  profileDropped: boolean;
}

/**
 * Deletes one of a member's interactions everywhere it is kept: its row (with the answer message
 * ids and stored replays that hang on it), its vector, its entries in the search indexes, and the profile
 * summary when that was written from it (the next refresh rebuilds it from what is left). Another
 * member's interaction is never touched.
 */
export function forgetOwnMemory(store: Store, memberId: number, interactionId: number): ForgetOutcome {
  return store.transaction(() => {
    const owner = store.db.prepare('SELECT member_id FROM interactions WHERE id = ?').pluck().get(interactionId) as number | undefined;
    if (owner !== memberId) return { removed: false, profileDropped: false };
    store.forgetInteraction(interactionId);
    const profile = store.db.prepare('DELETE FROM profiles WHERE member_id = ? AND through_interaction_id >= ?').run(memberId, interactionId);
    return { removed: true, profileDropped: profile.changes > 0 };
  });
}
