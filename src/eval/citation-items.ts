import { createHash } from 'node:crypto';
import type { EvalPrompts } from './eval-prompts.js';
import type { EvalUser } from './lamp-data.js';

/** A paper title from some user's profile, offered as the reference a user would not cite. */
export interface PoolTitle {
  userId: string;
  title: string;
}

/** A LaMP-1 question built from a profile, in the test's own form, with the right choice as its label. */
export interface CitationItem {
  /** The profile item whose title is the paper written. */
  sourceId: string;
  question: string;
  truth: '[1]' | '[2]';
  /** The two reference titles (LaMP's retrieval query for a LaMP-1 question). */
  content: string;
}

/** A stable number in [0, 1) from the parts, so the same data always builds the same items. */
export function stableFraction(...parts: string[]): number {
  return createHash('sha256').update(parts.join('\0')).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * LaMP-1 alignment items in the test's form, built from the user's own profile: for each of their
 * `count` newest papers, the question "which reference is related" offers another of their own paper
 * titles (the reference they would cite) and a title from another user's profile, in a stably shuffled
 * order. A user with fewer than two titled papers gets none.
 * Alignment then trains on the choice the test asks for, not on writing abstracts.
 */
export function citationItems(user: EvalUser, pool: readonly PoolTitle[], count: number, prompts: EvalPrompts): CitationItem[] {
  const own = user.profile.filter((item) => (item.fields.title ?? '').trim() !== '');
  const others = pool.filter((entry) => entry.userId !== user.userId);
  if (own.length < 2 || others.length === 0) return [];
  const written = own.slice(Math.max(0, own.length - count));
  return written.map((paper) => {
    // The cited paper is another of their own, chosen stably; the distractor is someone else's.
    const rest = own.filter((item) => item !== paper);
    const cited = rest[Math.floor(stableFraction(user.userId, paper.id, 'cited') * rest.length)]!;
    const distractor = others[Math.floor(stableFraction(user.userId, paper.id, 'distractor') * others.length)]!;
    const citedFirst = stableFraction(user.userId, paper.id, 'order') < 0.5;
    const [ref1, ref2] = citedFirst ? [cited.fields.title!, distractor.title] : [distractor.title, cited.fields.title!];
    return {
      sourceId: paper.id,
      question: prompts.render('eval-input-lamp1-citation', { title: paper.fields.title!, ref1, ref2 }),
      truth: citedFirst ? '[1]' : '[2]',
      content: `${ref1} ${ref2}`,
    };
  });
}
