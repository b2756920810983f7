/**
 * Memory search in three layouts on the same data: the old one (vec0 partitions + FTS5, bench/legacy),
 * the new one (float32 rows + in-process BM25 and int8 index), and raw sqlite-vec float32 KNN over the
 * member's vec0 partition as the anchor every ratio is taken against.
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { KeywordIndex } from '../src/memory/keyword-index.js';
import { queryTerms } from '../src/memory/tokenizer.js';
import { exactNearest } from '../test/support/vectors.js';
import { buildLayouts, type BenchMember, type LayoutPair } from './memory-layouts.js';
import { corpus, ms, printTable, size, spread, timed } from './support.js';

const K = 4;

/** Builds the databases for `total` interactions and prints latency, recall, BM25 agreement and bytes. Returns the main pair. */
export function memoryLayoutScenarios(dir: string, total: number): LayoutPair {
  const members = Math.max(10, Math.min(1_000, Math.floor(total / 100)));
  const labelled = [
    { label: '1k', memories: 1_000, kind: 'random' as const },
    { label: '10k', memories: 10_000, kind: 'random' as const },
    { label: '10k clustered', memories: 10_000, kind: 'clustered' as const },
  ].filter((member) => member.memories * 2 <= total);
  const spreadOver = Math.max(total - labelled.reduce((sum, member) => sum + member.memories, 0), members - labelled.length);
  const pair = buildLayouts(dir, 'layout', labelled, { members: members - labelled.length, memories: spreadOver }, 1);
  console.log(`database: ${pair.interactions.toLocaleString('en')} interactions, ${members} members, 768-d vectors; built in ${pair.buildSeconds.legacy.toFixed(1)} s (old layout), ${pair.buildSeconds.store.toFixed(1)} s (new)`);
  const huge = total >= 100_000 ? buildLayouts(dir, 'single', [{ label: '100k', memories: 100_000, kind: 'random' }], { members: 0, memories: 0 }, 2) : null;
  const searched = [...pair.members.filter((member) => member.kind === 'random').map((member) => ({ pair, member })), ...(huge ? [{ pair: huge, member: huge.members[0]! }] : [])];
  latencyTable(searched);
  recallTable(pair);
  keywordTable(pair);
  bytesTable(dir, pair, members);
  huge?.store.close();
  huge?.legacy.close();
  return pair;
}

function latencyTable(searched: Array<{ pair: LayoutPair; member: BenchMember }>): void {
  const rows = [['top-4 hybrid retrieval, ms', 'old p50', 'p99', '×raw', 'new p50', 'p99', '×raw', 'raw vec0 p50', 'p99', 'new index built in']];
  for (const { pair, member } of searched) {
    const { sentence } = corpus(100 + member.memories);
    const runs = member.memories >= 100_000 ? 100 : 300;
    const queries = member.queries(runs + 1).map((vector) => ({ text: sentence(), vector }));
    const raw = pair.legacy.db.prepare('SELECT rowid FROM interaction_vectors WHERE embedding MATCH ? AND k = ? AND member_id = ? ORDER BY distance');
    const anchor = spread(timed(runs, (run) => raw.all(queries[run + 1]!.vector, K, BigInt(member.memberId))));
    const old = spread(timed(member.memories >= 100_000 ? 20 : runs, (run) => pair.legacy.searchMemory(member.memberId, queries[run + 1]!, K)));
    const started = performance.now();
    pair.store.searchMemory(member.memberId, queries[0]!, K);
    const built = performance.now() - started;
    const ours = spread(timed(runs, (run) => pair.store.searchMemory(member.memberId, queries[run + 1]!, K)));
    rows.push([`member with ${member.label} memories`, ms(old.p50), ms(old.p99), `${(old.p50 / anchor.p50).toFixed(2)}`, ms(ours.p50), ms(ours.p99), `${(ours.p50 / anchor.p50).toFixed(2)}`, ms(anchor.p50), ms(anchor.p99), `${ms(built)} ms`]);
  }
  printTable('Retrieval latency (p50/p99 ms; ×raw = p50 against raw sqlite-vec float32 KNN on the same member)', rows);
}

function recallTable(pair: LayoutPair): void {
  const rows = [['recall@4 vs exact float32 search', 'old', 'new', 'raw vec0']];
  for (const member of pair.members.filter((candidate) => candidate.memories === 10_000)) {
    const raw = pair.legacy.db.prepare('SELECT rowid FROM interaction_vectors WHERE embedding MATCH ? AND k = ? AND member_id = ? ORDER BY distance').pluck();
    const found = { old: 0, ours: 0, raw: 0 };
    const queries = member.queries(100);
    for (const vector of queries) {
      const exact = new Set(exactNearest(member.vectors, vector, K));
      const count = (ids: number[]) => ids.filter((id) => exact.has(id)).length;
      found.old += count(pair.legacy.index.search(member.memberId, { text: '', vector }, K).map((hit) => hit.id));
      found.ours += count(pair.store.index.search(member.memberId, { text: '', vector }, K).map((hit) => hit.id));
      found.raw += count((raw.all(vector, K, BigInt(member.memberId)) as Array<number | bigint>).map(Number));
    }
    const recall = (hits: number) => (hits / (K * queries.length)).toFixed(3);
    rows.push([`${member.kind} unit vectors, 10k memories, 100 queries`, recall(found.old), recall(found.ours), recall(found.raw)]);
  }
  printTable('Vector recall (the vector ranking alone, seeded data)', rows);
}

function keywordTable(pair: LayoutPair): void {
  const rows = [['BM25 per member vs FTS5 bm25 on that member\'s rows', 'same top 16 (set)', 'same top 16 (order)', 'same top 4', 'FTS5 p50 ms', 'in-process p50 ms']];
  for (const member of pair.members.filter((candidate) => candidate.kind === 'random')) {
    const texts = pair.store.listInteractions(member.memberId).map((item) => ({ id: item.id, text: `${item.question}\n${item.answer}` }));
    const fts = new Database(':memory:');
    fts.exec("CREATE VIRTUAL TABLE f USING fts5(body, tokenize = 'porter unicode61')");
    const insert = fts.prepare('INSERT INTO f (rowid, body) VALUES (?, ?)');
    fts.transaction(() => texts.forEach(({ id, text }) => insert.run(id, text)))();
    const index = new KeywordIndex();
    for (const { id, text } of [...texts].reverse()) index.put(id, text);
    const { sentence } = corpus(7);
    const queries = Array.from({ length: 100 }, () => sentence());
    const match = fts.prepare('SELECT rowid FROM f WHERE f MATCH ? ORDER BY rank, rowid LIMIT 16').pluck();
    const ftsQuery = (query: string) => [...new Map(query.split(' ').flatMap((word) => queryTerms(word).map((stem) => [stem, word] as const)).reverse()).values()].map((word) => `"${word}"`).join(' OR ');
    let sets = 0;
    let orders = 0;
    let tops = 0;
    for (const query of queries) {
      const expected = match.all(ftsQuery(query)) as number[];
      const ranked = index.search(queryTerms(query), 16);
      if (new Set(ranked).size === new Set([...ranked, ...expected]).size && ranked.length === expected.length) sets += 1;
      if (ranked.join() === expected.join()) orders += 1;
      if (ranked.slice(0, K).join() === expected.slice(0, K).join()) tops += 1;
    }
    const ftsTime = spread(timed(queries.length, (run) => match.all(ftsQuery(queries[Math.max(run, 0)]!))));
    const ourTime = spread(timed(queries.length, (run) => index.search(queryTerms(queries[Math.max(run, 0)]!), 16)));
    rows.push([`member with ${member.label} memories, 100 queries`, `${sets}%`, `${orders}%`, `${tops}%`, ms(ftsTime.p50), ms(ourTime.p50)]);
    fts.close();
  }
  printTable('Keyword ranking agreement', rows);
}

function bytesTable(dir: string, pair: LayoutPair, members: number): void {
  const fileSize = (path: string) => statSync(path).size;
  const empty = buildLayouts(dir, 'empty', [], { members: 0, memories: 0 }, 3);
  const emptySize = { store: fileSize(empty.paths.store), legacy: fileSize(empty.paths.legacy) };
  const single = buildLayouts(dir, 'one-each', [], { members: 200, memories: 200 }, 4);
  const rows = [['database on disk', 'old layout', 'new layout']];
  rows.push([`bytes per interaction (${pair.interactions.toLocaleString('en')} interactions, ${members} members, all in)`, size(fileSize(pair.paths.legacy) / pair.interactions), size(fileSize(pair.paths.store) / pair.interactions)]);
  rows.push(['whole file', size(fileSize(pair.paths.legacy)), size(fileSize(pair.paths.store))]);
  rows.push(['bytes per member with one interaction (200 members)', size((fileSize(single.paths.legacy) - emptySize.legacy) / 200), size((fileSize(single.paths.store) - emptySize.store) / 200)]);
  printTable('Bytes', rows);
  for (const done of [empty, single]) {
    done.store.close();
    done.legacy.close();
  }
}
