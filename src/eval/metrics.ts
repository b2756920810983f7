/**
 * LaMP's official metrics, as in LaMP's eval/evaluation.py:
 * - classification (LaMP-1, LaMP-2M, LaMP-2N): the stripped output is matched exactly against the
 *   label set; an output that matches no label maps to -1, which is wrong for every gold and is not
 *   one of the averaged labels. Accuracy is the share of predictions equal to the gold. F1 is
 *   sklearn's `f1_score(average='macro', labels=all labels)`: the unweighted mean over every label of
 *   the task, where a label with no gold and no prediction scores 0 (sklearn's zero_division default).
 * - rating (LaMP-3): MAE and RMSE of `float(output)` against the gold; an output that is not a number
 *   counts as the worst value for that gold: 1 if |1 − gold| > |5 − gold|, else 5.
 *   Python's float() also reads "nan", "inf" and digit-grouping underscores; those count as
 *   unparseable here, so one such reply cannot turn the whole MAE into NaN or infinity.
 */

/** Accuracy and macro-F1 of a classification task. */
export interface ClassificationScores {
  kind: 'classification';
  accuracy: number;
  f1: number;
}

/** Mean absolute and root mean squared error of a rating task (lower is better). */
export interface RatingScores {
  kind: 'rating';
  mae: number;
  rmse: number;
}

/** The scores of one task. */
export type TaskScores = ClassificationScores | RatingScores;

/** The index of the stripped text in the label set, or -1 (LaMP's `create_mapping`). */
export function labelIndex(text: string, labels: readonly string[]): number {
  return labels.indexOf(text.trim());
}

/** Accuracy and macro-F1 over all `labels`, computed as LaMP's official evaluation does. */
export function classificationScores(predictions: readonly string[], golds: readonly string[], labels: readonly string[]): ClassificationScores {
  assertSameLength(predictions, golds);
  const predicted = predictions.map((text) => labelIndex(text, labels));
  const gold = golds.map((text) => labelIndex(text, labels));
  const correct = predicted.filter((value, index) => value === gold[index]).length;
  const perLabel = labels.map((_, label) => {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    predicted.forEach((value, index) => {
      if (value === label && gold[index] === label) truePositives += 1;
      else if (value === label) falsePositives += 1;
      else if (gold[index] === label) falseNegatives += 1;
    });
    const denominator = 2 * truePositives + falsePositives + falseNegatives;
    return denominator === 0 ? 0 : (2 * truePositives) / denominator;
  });
  return { kind: 'classification', accuracy: correct / predicted.length, f1: mean(perLabel) };
}

/** The number Python's float() would read from the stripped text, or null (see the module note). */
export function parseRating(text: string): number | null {
  const stripped = text.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(stripped) ? Number(stripped) : null;
}

/** The value an unparseable prediction counts as: the rating furthest from the gold. */
export function worstRating(gold: number): 1 | 5 {
  return Math.abs(1 - gold) > Math.abs(5 - gold) ? 1 : 5;
}

/** MAE and RMSE, computed as LaMP's official evaluation does. Golds must be numbers. */
export function ratingScores(predictions: readonly string[], golds: readonly string[]): RatingScores {
  assertSameLength(predictions, golds);
  const errors = predictions.map((text, index) => {
    const gold = parseRating(golds[index]!);
    if (gold === null) throw new RangeError(`The gold rating ${JSON.stringify(golds[index])} is not a number.`);
    return (parseRating(text) ?? worstRating(gold)) - gold;
  });
  return { kind: 'rating', mae: mean(errors.map(Math.abs)), rmse: Math.sqrt(mean(errors.map((error) => error * error))) };
}

/** The official scores of a task's predictions. */
export function officialScores(kind: 'classification' | 'rating', predictions: readonly string[], golds: readonly string[], labels: readonly string[]): TaskScores {
  return kind === 'classification' ? classificationScores(predictions, golds, labels) : ratingScores(predictions, golds);
}

/**
 * Not LaMP's metric: the answer pulled out of a wordy output, for a second, lenient score.
 * LaMP-1: the first "[1]" or "[2]" anywhere; LaMP-2: the label named first (case-insensitive, whole
 * words, the longer label when two start at the same place); LaMP-3: the first digit 1–5 standing alone.
 * Returns '' when nothing can be extracted, which then scores as an unmatched prediction.
 */
export function extractLenient(output: string, kind: 'classification' | 'rating', labels: readonly string[]): string {
  if (kind === 'rating') return /(?<![\d.])[1-5](?!\d)/.exec(output)?.[0] ?? '';
  const text = output.toLowerCase();
  let best: { at: number; label: string } | null = null;
  for (const label of labels) {
    const at = findWord(text, label.toLowerCase());
    if (at === -1) continue;
    if (!best || at < best.at || (at === best.at && label.length > best.label.length)) best = { at, label };
  }
  return best?.label ?? '';
}

/** Where `word` first stands alone in `text`; edges that are not word characters (`[1]`) need no boundary. */
function findWord(text: string, word: string): number {
  const wordChar = /[\p{L}\p{N}-]/u;
  const needsBefore = wordChar.test(word[0] ?? '');
  const needsAfter = wordChar.test(word.at(-1) ?? '');
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + word.length] ?? ' ';
    if ((!needsBefore || !wordChar.test(before)) && (!needsAfter || !wordChar.test(after))) return at;
  }
  return -1;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function assertSameLength(predictions: readonly string[], golds: readonly string[]): void {
  if (predictions.length !== golds.length) throw new RangeError(`${predictions.length} predictions for ${golds.length} golds.`);
}
