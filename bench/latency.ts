/**
 * The answer path against a model at small-CPU speed: 50 mentions from 20 members within 2 s (one
 * member sends 10), one model request at a time (Ollama's default OLLAMA_NUM_PARALLEL=1). Prints,
 * per answer, time to first visible text and to the full answer, model calls, prompt tokens, the
 * longest wait of a member with one question, with memory prefetch on and off side by side.
 * BENCH_TIME_SCALE (default 10) runs the model that many times faster; times are scaled back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import type { MentionEvent } from '../src/core/ports.js';
import { buildCore } from '../src/main.js';
import { FakeOllama, type OllamaChatBody } from '../test/fakes/fake-ollama.js';
import { StreamingChat } from '../test/support/recording-chat.js';

const PROMPT_TOKENS_PER_SECOND = 400;
const TOKENS_PER_SECOND = 25;
const SCALE = Number(process.env.BENCH_TIME_SCALE ?? 10);
const MEMBERS = 20;
const HISTORY = 12;

interface Figures {
  firstText: number[];
  full: number[];
  calls: number[];
  promptTokens: number[];
  /** Per answer: time to first text minus (queue wait + one prompt evaluation). */
  slack: number[];
  longestSingleWait: number;
  mostAheadFromOneMember: number;
}

/** Runs the scenario once; `prefetch` switches MEMORY_PREFETCH. */
async function scenario(prefetch: boolean): Promise<Figures> {
  const ollama = await FakeOllama.start({ speed: { promptTokensPerSecond: PROMPT_TOKENS_PER_SECOND * SCALE, tokensPerSecond: TOKENS_PER_SECOND * SCALE }, parallel: 1 });
  // Without prefetch the model does as the paper's persona says: it searches memory, then answers.
  ollama.respond((body: OllamaChatBody) => {
    if (body.tools && !body.messages.some((message) => message.role === 'tool')) return { toolCalls: [{ name: 'search_memory', arguments: { query: body.messages.at(-1)!.content } }] };
    return { content: 'A considered answer that fits what you told me before, in a couple of sentences, the way you like it.' };
  });
  const dir = mkdtempSync(join(tmpdir(), 'persona-bot-latency-'));
  const config = loadConfig({ OLLAMA_HOST: ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed', DATABASE_PATH: join(dir, 'bench.db'), WIKIPEDIA_ENABLED: 'false', MEMORY_PREFETCH: String(prefetch), MODEL_CONCURRENCY: '1', MAX_PENDING_PER_MEMBER: '10', ANSWER_TIMEOUT_MS: '600000', LOG_LEVEL: 'silent' });
  const core = buildCore(config, pino({ level: 'silent' }));
  try {
    const members = Array.from({ length: MEMBERS }, (_, index) => ({ platform: 'discord' as const, workspaceId: 'bench', userId: `m${index}` }));
    seedHistory(core.store, members);
    const chat = new StreamingChat();
    const mentions = schedule(members);
    const sentAt = new Map<string, number>();
    const started = Date.now();
    await Promise.all(
      mentions.map(async ({ event, delayMs }) => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        sentAt.set(event.messageId, Date.now());
        await core.bot.handle({ ...event, at: new Date() }, chat);
      }),
    );
    const figures = measure(mentions.map((item) => item.event), sentAt, chat, ollama);
    process.stderr.write(`  (${prefetch ? 'prefetch on' : 'prefetch off'}: ${mentions.length} answers in ${((Date.now() - started) / 1000).toFixed(1)} s wall time)\n`);
    return figures;
  } finally {
    await core.bot.drain(0);
    core.close();
    await ollama.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every member has a labelled history, so prefetched memories have something to show. */
function seedHistory(store: ReturnType<typeof buildCore>['store'], members: Array<{ platform: 'discord'; workspaceId: string; userId: string }>): void {
  for (const key of members) {
    const memberId = store.ensureMember(key);
    for (let index = 0; index < HISTORY; index += 1) {
      const { interaction } = store.recordQuestion({ memberId, channelId: 'c', conversationId: `seed-${key.userId}-${index}`, messageId: `seed-${key.userId}-${index}`, text: `what about topic ${index} for ${key.userId}?`, at: new Date() });
      store.recordAnswer(interaction.id, `an earlier answer about topic ${index}`, null, new Date());
      store.applyFeedback(interaction.id, { feedback: 'positive', groundTruth: `an earlier answer about topic ${index}`, correctionMessageId: null, candidateText: null, candidateMessageId: null, at: new Date() });
    }
  }
}

/** 50 mentions within 2 s: member 0 sends 10 first; members 1–9 one each, 10–18 three each, 19 four, interleaved. */
function schedule(members: Array<{ platform: 'discord'; workspaceId: string; userId: string }>): Array<{ event: MentionEvent; delayMs: number }> {
  const rest = members.slice(1).map((member, index) => Array.from({ length: index < 9 ? 1 : index < 18 ? 3 : 4 }, () => member));
  const interleaved: typeof members = [];
  for (let round = 0; round < 4; round += 1) for (const list of rest) if (list[round]) interleaved.push(list[round]!);
  const senders = [...Array.from({ length: 10 }, () => members[0]!), ...interleaved];
  return senders.map((member, index) => ({
    delayMs: Math.round((index / 50) * 2000),
    event: { kind: 'mention', member, channelId: 'c', messageId: `q-${index}`, text: `question ${index} from ${member.userId}: what should I try next?`, at: new Date() },
  }));
}

function measure(events: MentionEvent[], sentAt: Map<string, number>, chat: StreamingChat, ollama: FakeOllama): Figures {
  const figures: Figures = { firstText: [], full: [], calls: [], promptTokens: [], slack: [], longestSingleWait: 0, mostAheadFromOneMember: 0 };
  const chats = ollama.requests.filter((request) => request.path === '/api/chat');
  const arrivals = new Map<string, number>();
  for (const event of events) {
    const stream = chat.streamFor(event.messageId)!;
    const sent = sentAt.get(event.messageId)!;
    const own = chats.filter((request) => (request.body as OllamaChatBody).messages.some((message) => message.content === event.text));
    const firstAppend = stream.events.find((item) => item.kind === 'append')?.at ?? stream.events.at(-1)!.at;
    const promptTokens = own.reduce((sum, request) => sum + (request.prompt?.promptTokens ?? 0), 0);
    const arrival = own[0]?.at ?? sent;
    arrivals.set(event.messageId, arrival);
    figures.firstText.push((firstAppend - sent) * SCALE);
    figures.full.push((stream.events.at(-1)!.at - sent) * SCALE);
    figures.calls.push(own.length);
    figures.promptTokens.push(promptTokens);
    const onePrompt = ((own.at(-1)?.prompt?.promptTokens ?? 0) / (PROMPT_TOKENS_PER_SECOND * SCALE)) * 1000;
    figures.slack.push((firstAppend - arrival - onePrompt) * SCALE);
  }
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.member.userId, (counts.get(event.member.userId) ?? 0) + 1);
  for (const event of events.filter((item) => counts.get(item.member.userId) === 1)) {
    const sent = sentAt.get(event.messageId)!;
    const served = arrivals.get(event.messageId)!;
    figures.longestSingleWait = Math.max(figures.longestSingleWait, (served - sent) * SCALE);
    const ahead = new Map<string, number>();
    for (const other of events) {
      const at = arrivals.get(other.messageId)!;
      if (other.member.userId !== event.member.userId && sentAt.get(other.messageId)! <= sent && at > sent && at < served) ahead.set(other.member.userId, (ahead.get(other.member.userId) ?? 0) + 1);
    }
    figures.mostAheadFromOneMember = Math.max(figures.mostAheadFromOneMember, ...ahead.values(), 0);
  }
  return figures;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs the latency scenario with prefetch on and off and prints both side by side. */
export async function latencyBench(): Promise<void> {
  console.log(`\nAnswer latency with a model at ${PROMPT_TOKENS_PER_SECOND} prompt tokens/s and ${TOKENS_PER_SECOND} generated tokens/s, one request at a time (run ${SCALE}× faster, times scaled back): 50 mentions from ${MEMBERS} members within 2 s, one member sends 10`);
  const on = await scenario(true);
  const off = await scenario(false);
  const rows: Array<[string, (figures: Figures) => string]> = [
    ['time to first visible text, p50 / p99', (f) => `${seconds(percentile(f.firstText, 50))} / ${seconds(percentile(f.firstText, 99))}`],
    ['time to the full answer, p50 / p99', (f) => `${seconds(percentile(f.full, 50))} / ${seconds(percentile(f.full, 99))}`],
    ['model calls per answer, median / p90', (f) => `${percentile(f.calls, 50)} / ${percentile(f.calls, 90)}`],
    ['prompt tokens per answer, median', (f) => `${percentile(f.promptTokens, 50)}`],
    ['first text after queue wait + one prompt evaluation, max', (f) => seconds(Math.max(...f.slack))],
    ['longest wait of a member with one question', (f) => seconds(f.longestSingleWait)],
    ['most questions of one other member served ahead of a single question', (f) => String(f.mostAheadFromOneMember)],
  ];
  console.log(`| figure | MEMORY_PREFETCH=true | MEMORY_PREFETCH=false |\n| --- | --- | --- |`);
  for (const [label, show] of rows) console.log(`| ${label} | ${show(on)} | ${show(off)} |`);
}

if (import.meta.url === `file://${process.argv[1]}`) await latencyBench();
