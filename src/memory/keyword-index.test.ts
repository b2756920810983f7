import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/support/vectors.js';
import { KeywordIndex, MAX_QUERY_TERMS } from './keyword-index.js';
import { queryTerms } from './tokenizer.js';

const vocabulary = (
  'tea brewing brewed brews kettle leaves oolong green black jasmine chess opening openings gambit knight bishop castle castling ' +
  'gliding glider gliders thermal thermals weekend lessons marmalade oranges orange sugar jam jams toast running runner runs ran ' +
  'happiness happy relational conditional generously caresses ponies cats feeding agreed plastered motoring singing troubling ' +
  'the a of and to in is it for on with as was at by my your what how which'
).split(' ');

function texts(count: number, random: () => number, skew = 2): string[] {
  // Zipf-like: early words far more often than late ones (with a high skew, in most documents).
  const word = () => vocabulary[Math.floor(vocabulary.length * random() ** skew)]!;
  return Array.from({ length: count }, () => Array.from({ length: 4 + Math.floor(random() * 20) }, word).join(' '));
}

describe('keyword index', () => {
  it.each([
    ['varied words', 2],
    ['words most documents share', 6],
  ])('ranks as FTS5 bm25 does over the same documents (porter unicode61): %s', (_, skew) => {
    const random = seededRandom(3);
    const documents = texts(400, random, skew);
    const index = new KeywordIndex();
    const fts = new Database(':memory:');
    fts.exec("CREATE VIRTUAL TABLE f USING fts5(body, tokenize = 'porter unicode61')");
    documents.forEach((text, i) => {
      index.put(i + 1, text);
      fts.prepare('INSERT INTO f (rowid, body) VALUES (?, ?)').run(i + 1, text);
    });
    let same = 0;
    const queries = texts(60, random, skew);
    for (const query of queries) {
      // One word per distinct stem: FTS5 would count "runs OR running" twice, the index counts the term once.
      const byStem = new Map(query.split(' ').flatMap((word) => queryTerms(word).map((stem) => [stem, word] as const)).reverse());
      const words = [...byStem.values()];
      const expected = fts.prepare('SELECT rowid FROM f WHERE f MATCH ? ORDER BY rank, rowid LIMIT 16').pluck().all(words.map((word) => `"${word}"`).join(' OR '));
      const ranked = index.search(queryTerms(query), 16);
      expect(new Set(ranked)).toEqual(new Set(expected));
      if (JSON.stringify(ranked) === JSON.stringify(expected)) same += 1;
    }
    // Equal scores summed in another order may differ in the last bit and swap two neighbours.
    expect(same / queries.length).toBeGreaterThanOrEqual(0.9);
    fts.close();
  });

  it('keeps the rarest query terms in the member\'s history when a query has too many, wherever they stand', () => {
    const index = new KeywordIndex();
    const common = Array.from({ length: MAX_QUERY_TERMS + 8 }, (_, i) => `word${i}`);
    for (let id = 1; id <= 50; id += 1) index.put(id, common.join(' '));
    index.put(51, 'quetzalcoatl');
    index.put(52, `${common.join(' ')} quetzalcoatl`);
    expect(index.search(queryTerms(`${common.join(' ')} quetzalcoatl`), 2)).toEqual([51, 52]);
  });

  it('replaces a document\'s text and hides documents from `beforeId` on', () => {
    const index = new KeywordIndex();
    index.put(1, 'green tea with jasmine');
    index.put(2, 'black tea');
    index.put(3, 'chess gambit');
    index.put(1, 'a knight opening');
    expect(index.search(queryTerms('jasmine'), 4)).toEqual([]);
    expect(index.search(queryTerms('knight'), 4)).toEqual([1]);
    expect(index.search(queryTerms('tea chess'), 4, 3)).toEqual([2]);
    index.remove(2);
    expect(index.search(queryTerms('tea'), 4)).toEqual([]);
    expect(index.size).toBe(2);
    expect(index.put(0, 'older than the newest')).toBe(false);
  });
});
