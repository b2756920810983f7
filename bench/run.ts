/**
 * `npm run bench`: figures for the parts of an answer that are ours, with a model that answers instantly.
 *  1. per-mention overhead outside the model (store, persona, memory search, agent loop), p50/p99;
 *  2. top-K hybrid retrieval for one member with 1k and 10k memories, in a database of 100k
 *     interactions across 1k members (768-dimension vectors, as nomic-embed-text gives);
 *  3. finding the members due for alignment when 20 of the 1k have new ground truth, and one
 *     member's alignment (n = 3, E = 1, validated) outside the model.
 *  4. answer latency with a model at small-CPU speed (bench/latency.ts), memory prefetch on and off.
 * Set BENCH_TOTAL to change the database size (default 100000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Bot } from '../src/core/bot.js';
import { createLearning } from '../src/core/learning.js';
import type { ChatRequest, ChatResult, LanguageModel } from '../src/core/ports.js';
import { defaultPromptsDir, Prompts } from '../src/core/prompts.js';
import { FairModelQueue } from '../src/llm/model-queue.js';
import { latencyBench } from './latency.js';
import { Store } from '../src/memory/store.js';
import { RecordingChat } from '../test/support/recording-chat.js';

const DIMENSION = 768;
const TOTAL = Number(process.env.BENCH_TOTAL ?? 100_000);
const MEMBERS = 1_000;
/** A 5 000-word vocabulary drawn with Zipf frequencies, like real chat text. */
const words = Array.from({ length: 5_000 }, (_, rank) => `w${rank.toString(36)}x`);
const zipf = words.map((_, rank) => 1 / (rank + 1));
const zipfTotal = zipf.reduce((sum, weight) => sum + weight, 0);

/** A model that answers at once: one memory search, then an answer. Embeddings are random unit vectors. */
class InstantModel implements LanguageModel {
  readonly modelName = 'instant';
  readonly contextTokens = 8192;
  async chat(request: ChatRequest): Promise<ChatResult> {
    if (request.format) return { content: JSON.stringify({ persona: 'A rewritten persona. Call search_memory first.', score: 5, reason: 'ok' }), toolCalls: [], promptTokens: 0, completionTokens: 0 };
    const used = request.messages.some((message) => message.role === 'tool');
    return used || !request.tools
      ? { content: 'an answer', toolCalls: [], promptTokens: 0, completionTokens: 0 }
      : { content: '', toolCalls: [{ name: 'search_memory', arguments: { query: 'tea and jazz' } }], promptTokens: 0, completionTokens: 0 };
  }
  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map(() => randomVector());
  }
}

function randomVector(): Float32Array {
  const vector = Float32Array.from({ length: DIMENSION }, () => Math.random() - 0.5);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function word(): string {
  let target = Math.random() * zipfTotal;
  for (let rank = 0; rank < words.length; rank += 1) {
    target -= zipf[rank]!;
    if (target <= 0) return words[rank]!;
  }
  return words.at(-1)!;
}

function sentence(): string {
  return Array.from({ length: 10 }, word).join(' ');
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function fill(store: Store, memberId: number, count: number): void {
  const at = new Date();
  store.transaction(() => {
    for (let i = 0; i < count; i += 1) {
      const { interaction } = store.recordQuestion({ memberId, channelId: 'c', conversationId: `m${memberId}-${i}`, messageId: `m${memberId}-${i}`, text: sentence(), at });
      store.recordAnswer(interaction.id, sentence(), null, at);
      store.recordVector(interaction.id, memberId, randomVector(), 'bench-embed');
    }
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'persona-bot-bench-'));
  const store = Store.open(join(dir, 'bench.db'));
  const started = performance.now();
  const big = store.ensureMember({ platform: 'discord', workspaceId: 'w', userId: 'big' });
  const medium = store.ensureMember({ platform: 'discord', workspaceId: 'w', userId: 'medium' });
  fill(store, big, 10_000);
  fill(store, medium, 1_000);
  const perOther = Math.floor((TOTAL - 11_000) / (MEMBERS - 2));
  for (let i = 0; i < MEMBERS - 2; i += 1) fill(store, store.ensureMember({ platform: 'slack', workspaceId: 'T', userId: `u${i}` }), perOther);
  const count = store.db.prepare('SELECT count(*) FROM interactions').pluck().get() as number;
  console.log(`database: ${count.toLocaleString('en')} interactions, ${MEMBERS} members, ${DIMENSION}-d vectors, built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  for (const [label, memberId] of [['1k memories', medium], ['10k memories', big]] as const) {
    const samples: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const query = { text: sentence(), vector: randomVector() };
      const t0 = performance.now();
      store.searchMemory(memberId, query, 4);
      samples.push(performance.now() - t0);
    }
    console.log(`top-4 hybrid retrieval, member with ${label}: p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms`);
  }

  const prompts = Prompts.load(defaultPromptsDir);
  const model = new InstantModel();
  const { agent, personas, aligner } = createLearning({
    store,
    model,
    prompts,
    embedModel: 'bench-embed',
    topK: 4,
    temperature: 0.1,
    maxSteps: 4,
    logger: pino({ level: 'silent' }),
    alignment: { batchSize: 3, heldOutSize: 3, iterations: 1, validate: true, maxChars: 4000, concurrency: 1 },
  });
  const queue = new FairModelQueue(1);
  const bot = new Bot({ store, agent, personas, model, queue, embedModel: 'bench-embed', logger: pino({ level: 'silent' }), answerTimeoutMs: 60_000, maxPendingPerMember: 3, maxMessageChars: 4000, feedback: { negative: ['👎'], positive: ['👍'], maxCorrectionChars: 4000 } });
  const chat = new RecordingChat();
  const samples: number[] = [];
  for (let i = 0; i < 500; i += 1) {
    const t0 = performance.now();
    await bot.handle({ kind: 'mention', member: { platform: 'discord', workspaceId: 'w', userId: 'medium' }, channelId: 'c', messageId: `bench-${i}`, text: sentence(), at: new Date() }, chat);
    samples.push(performance.now() - t0);
  }
  console.log(`per-mention overhead outside the model (member with 1k memories, one memory search): p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms`);
  const labelled = store.db.prepare("SELECT id FROM members WHERE user_id LIKE 'u%' ORDER BY id LIMIT 20").pluck().all() as number[];
  for (const memberId of [medium, ...labelled]) {
    for (const item of store.listInteractions(memberId, { limit: 3 })) {
      store.applyFeedback(item.id, { feedback: 'negative_corrected', groundTruth: sentence(), correctionMessageId: null, candidateText: null, candidateMessageId: null, at: new Date() });
    }
  }
  const due: number[] = [];
  for (let i = 0; i < 300; i += 1) {
    const t0 = performance.now();
    store.membersDueForAlignment(50);
    due.push(performance.now() - t0);
  }
  console.log(`members due for alignment (21 of ${MEMBERS} with new ground truth): p50 ${percentile(due, 50).toFixed(3)} ms, p99 ${percentile(due, 99).toFixed(3)} ms`);
  const aligned: number[] = [];
  for (const memberId of labelled) {
    personas.reset(memberId);
    const t0 = performance.now();
    await aligner.alignMember(memberId);
    aligned.push(performance.now() - t0);
  }
  console.log(`one member's alignment outside the model (n = 3, E = 1, validated, answers simulated): p50 ${percentile(aligned, 50).toFixed(2)} ms, max ${Math.max(...aligned).toFixed(2)} ms`);
  console.log(`process RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  store.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
await latencyBench();
