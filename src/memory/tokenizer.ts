import { stemmer } from 'stemmer';

/** Words too common to search by; the query leaves them out (documents keep them, as FTS5 did). */
const STOPWORDS = new Set(
  'a an and are as at be but by can do does for from had has have he her his how i if in is it its me my no not of on or our she so that the their them then there they this to was we were what when where which who why will with would you your'.split(' '),
);
/** Letters, numbers and private-use characters make tokens; everything else separates them (FTS5 unicode61). */
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;
const MARKS = /\p{M}/gu;
/** Porter leaves longer tokens alone in FTS5, and so do we. */
const MAX_STEMMED = 64;

/** Folds case and strips diacritics, as FTS5's unicode61 tokenizer does by default. */
function fold(text: string): string {
  return text.normalize('NFD').replace(MARKS, '').toLowerCase();
}

function stem(token: string): string {
  return token.length > MAX_STEMMED ? token : stemmer(token);
}

/** A text's tokens in order, as FTS5's `porter unicode61` tokenizer makes them; `stems` remembers words already stemmed. */
export function tokenize(text: string, stems?: Map<string, string>): string[] {
  const words = fold(text).match(TOKEN) ?? [];
  if (!stems) return words.map(stem);
  return words.map((word) => {
    let stemmed = stems.get(word);
    if (stemmed === undefined) stems.set(word, (stemmed = stem(word)));
    return stemmed;
  });
}

/** The distinct searchable terms of a query: words of two or more characters that are not stopwords, stemmed. */
export function queryTerms(text: string): string[] {
  const words = text.toLowerCase().match(TOKEN) ?? [];
  const terms = words.filter((word) => word.length >= 2 && !STOPWORDS.has(word)).flatMap((word) => tokenize(word));
  return [...new Set(terms)];
}
