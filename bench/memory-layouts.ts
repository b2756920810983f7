import { join } from 'node:path';
import { Store } from '../src/memory/store.js';
import { clusteredSource, randomUnitVectors } from '../test/support/vectors.js';
import { LegacyStore } from './legacy/legacy-store.js';
import { corpus } from './support.js';

/** nomic-embed-text's dimension. */
export const DIMENSION = 768;
const EMBED_MODEL = 'bench-embed';
const PERSONA = 'You answer briefly and warmly, in the member\'s own words where you can. Call search_memory first. '.repeat(6);

/** One member whose memories the benchmark searches, with their vectors kept for exact search. */
export interface BenchMember {
  label: string;
  memberId: number;
  memories: number;
  kind: 'random' | 'clustered';
  vectors: Array<{ id: number; vector: Float32Array }>;
  /** Queries drawn like the member's vectors. */
  queries: (count: number) => Float32Array[];
}

/** The same members and memories, written in the old layout and in the new one. */
export interface LayoutPair {
  store: Store;
  legacy: LegacyStore;
  paths: { store: string; legacy: string };
  members: BenchMember[];
  interactions: number;
  buildSeconds: { store: number; legacy: number };
}

/** Writes `count` memories of one member into both layouts; vectors come from `draw`. */
function fill(pair: Pick<LayoutPair, 'store' | 'legacy' | 'buildSeconds'>, userId: string, count: number, draw: (n: number) => Float32Array[], sentence: () => string): Array<{ id: number; vector: Float32Array }> {
  const kept: Array<{ id: number; vector: Float32Array }> = [];
  const vectors = draw(count);
  const texts = vectors.map(() => ({ question: sentence(), answer: sentence() }));
  let started = performance.now();
  const memberId = pair.store.ensureMember({ platform: 'discord', workspaceId: 'bench', userId });
  pair.store.addPersonaVersion({ memberId, text: PERSONA, reason: 'init', at: new Date() });
  pair.store.transaction(() =>
    vectors.forEach((vector, i) => {
      const { interaction } = pair.store.recordQuestion({ memberId, channelId: 'c', conversationId: `${userId}-${i}`, messageId: `${userId}-${i}`, text: texts[i]!.question, at: new Date() });
      pair.store.recordAnswer(interaction.id, texts[i]!.answer, null, new Date(), { vector, model: EMBED_MODEL });
      kept.push({ id: interaction.id, vector });
    }),
  );
  pair.buildSeconds.store += (performance.now() - started) / 1000;
  started = performance.now();
  const legacyMember = pair.legacy.addMember(userId);
  pair.legacy.addPersona(legacyMember, PERSONA);
  pair.legacy.transaction(() => vectors.forEach((vector, i) => pair.legacy.remember(legacyMember, `${userId}-${i}`, texts[i]!.question, texts[i]!.answer, vector)));
  pair.buildSeconds.legacy += (performance.now() - started) / 1000;
  if (legacyMember !== memberId) throw new Error('both layouts must give the member the same id');
  return kept;
}

/**
 * Builds both layouts in `dir` with `labelled` members (kept for searching) and `others` members
 * sharing `otherMemories` memories, all with random unit vectors except the clustered member's.
 */
export function buildLayouts(dir: string, name: string, labelled: Array<{ label: string; memories: number; kind: 'random' | 'clustered' }>, others: { members: number; memories: number }, seed: number): LayoutPair {
  const { random, sentence } = corpus(seed);
  const paths = { store: join(dir, `${name}.db`), legacy: join(dir, `${name}-legacy.db`) };
  const pair: LayoutPair = { store: Store.open(paths.store), legacy: LegacyStore.open(paths.legacy), paths, members: [], interactions: 0, buildSeconds: { store: 0, legacy: 0 } };
  const uniform = (n: number) => randomUnitVectors(n, DIMENSION, random);
  for (const member of labelled) {
    const draw = member.kind === 'clustered' ? clusteredSource(DIMENSION, random, 50, 0.5) : uniform;
    const vectors = fill(pair, member.label, member.memories, draw, sentence);
    pair.members.push({ ...member, memberId: pair.store.findMember({ platform: 'discord', workspaceId: 'bench', userId: member.label })!, vectors, queries: draw });
    pair.interactions += member.memories;
  }
  for (let i = 0; i < others.members; i += 1) {
    const count = Math.floor(others.memories / others.members) + (i < others.memories % others.members ? 1 : 0);
    fill(pair, `u${i}`, count, uniform, sentence);
    pair.interactions += count;
  }
  for (const db of [pair.store.db, pair.legacy.db]) db.pragma('wal_checkpoint(TRUNCATE)');
  return pair;
}
