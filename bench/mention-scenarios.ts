/** The parts of an answer that are ours, through the Bot, with a model that answers instantly. */
import pino from 'pino';
import { Bot } from '../src/core/bot.js';
import { createLearning, type Learning } from '../src/core/learning.js';
import type { ChatRequest, ChatResult, LanguageModel } from '../src/core/ports.js';
import { defaultPromptsDir, Prompts } from '../src/core/prompts.js';
import { FairModelQueue } from '../src/llm/model-queue.js';
import type { Store } from '../src/memory/store.js';
import { randomUnitVectors } from '../test/support/vectors.js';
import { RecordingChat } from '../test/support/recording-chat.js';
import { DIMENSION } from './memory-layouts.js';
import type { LegacyStore } from './legacy/legacy-store.js';
import { corpus, ms, percentile, printTable, spread } from './support.js';

const { random, sentence } = corpus(9);
/** Embeddings come from a pool made beforehand, so the fake model's own arithmetic is not timed as ours. */
const pool = randomUnitVectors(256, DIMENSION, random);
let drawn = 0;

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
    return texts.map(() => pool[(drawn += 1) % pool.length]!);
  }
}

function learning(store: Store): Learning {
  return createLearning({
    store,
    model: new InstantModel(),
    prompts: Prompts.load(defaultPromptsDir),
    embedModel: 'bench-embed',
    topK: 4,
    temperature: 0.1,
    maxSteps: 4,
    logger: pino({ level: 'silent' }),
    alignment: { batchSize: 3, heldOutSize: 3, iterations: 1, feedback: 'batched', validate: true, maxChars: 4000, concurrency: 1 },
  });
}

/** The steps of the new layout's store work, in order, as the step table names them. */
const STEPS = ['member read', 'question write with claim', 'live persona read', 'top-4 search', 'answer, vector and measurement write'] as const;

/** Milliseconds per mention, in the old layout and the new, alternating so both meet the same machine load; `steps` splits the new layout's. */
function storeWork(store: Store, legacy: LegacyStore, userId: string): { old: number[]; ours: number[]; steps: number[][] } {
  const old: number[] = [];
  const ours: number[] = [];
  const steps: number[][] = STEPS.map(() => []);
  const key = { platform: 'discord', workspaceId: 'bench', userId } as const;
  for (let i = -20; i < 1_000; i += 1) {
    const text = sentence();
    const vector = pool[(drawn += 1) % pool.length]!;
    let started = performance.now();
    const marks = [started];
    const memberId = store.ensureMember(key);
    marks.push(performance.now());
    const { interaction } = store.recordQuestion({ memberId, channelId: 'c', conversationId: `work-${i}`, messageId: `work-${i}`, text, at: new Date() }, { token: 'bench', until: new Date(Date.now() + 30_000) });
    marks.push(performance.now());
    const persona = store.livePersona(memberId);
    marks.push(performance.now());
    store.searchMemory(memberId, { text, vector }, 4, interaction.id);
    marks.push(performance.now());
    store.transaction(() => {
      store.recordAnswer(interaction.id, 'an answer', persona?.id ?? null, new Date(), { vector, model: 'bench-embed' });
      store.recordAnswerMeasurement(interaction.id, { modelCalls: 1 });
    });
    marks.push(performance.now());
    if (i >= 0) {
      ours.push(marks[marks.length - 1]! - started);
      steps.forEach((samples, step) => samples.push(marks[step + 1]! - marks[step]!));
    }
    started = performance.now();
    const member = legacy.memberAndPersona(userId);
    const id = legacy.recordQuestion(member.memberId, `work-${i}`, text);
    legacy.searchMemory(member.memberId, { text, vector }, 4);
    legacy.recordAnswer(member.memberId, id, text, 'an answer', vector);
    if (i >= 0) old.push(performance.now() - started);
  }
  return { old, ours, steps };
}

/** The whole mention through the Bot and its model queue, with checkpoints in the background as in the bot (new layout). */
async function throughBot(store: Store, userId: string): Promise<number[]> {
  const { agent, personas } = learning(store);
  const bot = new Bot({ store, agent, personas, model: new InstantModel(), queue: new FairModelQueue(1), embedModel: 'bench-embed', logger: pino({ level: 'silent' }), answerTimeoutMs: 60_000, maxPendingPerMember: 3, maxMessageChars: 4000, feedback: { negative: ['👎'], positive: ['👍'], maxCorrectionChars: 4000 } });
  const chat = new RecordingChat();
  const samples: number[] = [];
  for (let i = -20; i < 1_000; i += 1) {
    const started = performance.now();
    await bot.handle({ kind: 'mention', member: { platform: 'discord', workspaceId: 'bench', userId }, channelId: 'c', messageId: `bench-${i}`, text: sentence(), at: new Date() }, chat);
    if (i >= 0) samples.push(performance.now() - started);
  }
  return samples;
}

/** Per-mention overhead outside the model for a member with `memories` memories: the old layout beside the new, with ratios. */
export async function mentionScenario(store: Store, legacy: LegacyStore, userId: string, memories: number): Promise<void> {
  const checkpoints = store.startBackgroundCheckpoints();
  const work = storeWork(store, legacy, userId);
  const bot = await throughBot(store, userId);
  await checkpoints.stop();
  const [old, ours] = [spread(work.old), spread(work.ours)];
  const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
  printTable(`Per mention, outside the model (member with ${memories.toLocaleString('en')} memories, 1,000 mentions each; old/new = how many times faster the new layout is)`, [
    ['', 'old p50 ms', 'old p99', 'new p50 ms', 'new p99', 'old/new p50', 'old/new p99'],
    ['store work: member and persona read, question write, top-4 search, answer and vector write', ms(old.p50), ms(old.p99), ms(ours.p50), ms(ours.p99), ratio(old.p50, ours.p50), ratio(old.p99, ours.p99)],
    ['the whole mention through the Bot and its model queue (the old store cannot run under the Bot)', '–', '–', ms(percentile(bot, 50)), ms(percentile(bot, 99)), '–', '–'],
  ]);
  printTable('The new layout\'s store work by step (same mentions; the steps\' p50s need not add up to the whole\'s)', [
    ['step', 'p50 ms', 'p99'],
    ...STEPS.map((name, step) => [name, ms(percentile(work.steps[step]!, 50)), ms(percentile(work.steps[step]!, 99))]),
  ]);
}

/** Finding members due for alignment, and one member's alignment outside the model. */
export async function alignmentScenario(store: Store, members: number): Promise<void> {
  const { personas, aligner } = learning(store);
  const labelled = store.listMembers().filter((member) => member.key.userId.startsWith('u')).slice(0, 20).map((member) => member.id);
  for (const memberId of labelled) {
    for (const item of store.listInteractions(memberId, { limit: 3 })) {
      store.applyFeedback(item.id, { feedback: 'negative_corrected', groundTruth: sentence(), correctionMessageId: null, candidateText: null, candidateMessageId: null, at: new Date() });
    }
  }
  const due: number[] = [];
  for (let i = 0; i < 300; i += 1) {
    const started = performance.now();
    store.membersDueForAlignment(50);
    due.push(performance.now() - started);
  }
  const aligned: number[] = [];
  for (const memberId of labelled) {
    personas.reset(memberId);
    const started = performance.now();
    await aligner.alignMember(memberId);
    aligned.push(performance.now() - started);
  }
  printTable('Alignment, outside the model', [
    ['', 'p50 ms', 'p99 / max ms'],
    [`members due (${labelled.length} of ${members} with new ground truth)`, ms(percentile(due, 50)), ms(percentile(due, 99))],
    ['one member\'s alignment (n = 3, E = 1, validated, answers simulated)', ms(percentile(aligned, 50)), ms(Math.max(...aligned))],
  ]);
}
