import type { EvalUser } from './lamp-data.js';
import { parseDate } from './profile-dates.js';

/** Which of LaMP's splits a data set is, and what in it looks wrong for that split. */
export interface SplitReport {
  /** time: questions grouped by user_id (LaMP's time-based split); user: one user per question (user-based). */
  kind: 'time-based' | 'user-based' | 'mixed' | 'per-user file';
  /** How the kind was told. */
  why: string;
  warnings: string[];
}

/** How many warnings of one kind are listed before they are counted instead. */
const LISTED = 5;

/**
 * Tells the split from the questions file as published (LaMP's time-based files carry `user_id`, its
 * user-based files do not; a per-user file is split as its publisher made it), and warns when a user's
 * memory holds profile items dated after one of their test questions: with the user's questions merged
 * into one member, such items would let a question see its own future.
 */
export function checkSplit(entries: ReadonlyArray<Record<string, unknown>>, users: readonly EvalUser[]): SplitReport {
  const perUser = entries.length > 0 && 'query' in entries[0]!;
  const withUser = entries.filter((entry) => entry.user_id !== undefined).length;
  const kind: SplitReport['kind'] = perUser ? 'per-user file' : withUser === entries.length ? 'time-based' : withUser === 0 ? 'user-based' : 'mixed';
  const why = perUser
    ? 'users with their queries ([{user_id, profile, query}])'
    : kind === 'mixed'
      ? `${withUser} of ${entries.length} questions carry user_id`
      : kind === 'time-based'
        ? 'every question carries user_id'
        : 'no question carries user_id (one user per question)';
  const warnings: string[] = [];
  if (kind === 'mixed') warnings.push(`Only ${why}: the time-based split gives every question a user_id, the user-based split none; the others are read as one user each.`);
  const leaks = users.flatMap((user) =>
    user.questions.flatMap((question) => {
      if (question.asOf === undefined) return [];
      const later = user.profile.filter((item) => item.date !== null && parseDate(item.date) > question.asOf!);
      return later.length === 0 ? [] : [`user ${user.userId}: ${later.length} profile item(s) dated after question ${question.id} (${new Date(question.asOf).toISOString().slice(0, 10)}), e.g. ${later[0]!.id}`];
    }),
  );
  warnings.push(...leaks.slice(0, LISTED));
  if (leaks.length > LISTED) warnings.push(`… and ${leaks.length - LISTED} more questions whose user's history runs past them.`);
  return { kind, why, warnings };
}
