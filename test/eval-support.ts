import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { FakeOllama } from './fakes/fake-ollama.js';
import { FakeWikipedia } from './fakes/fake-wikipedia.js';
import { runEvalCommand } from '../src/eval/eval-command.js';
import type { ChatRequest, ChatResult, LanguageModel } from '../src/core/ports.js';
import type { OllamaChatBody, ScriptedReply } from './fakes/fake-ollama.js';
import { hashedEmbedding } from './fakes/hashed-embedding.js';

/** The fixtures folder of the LaMP tests. */
export const lampFixtures = new URL('./fixtures/lamp/', import.meta.url).pathname;

/** What `npm run eval` printed and returned. */
export interface EvalResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run eval -- <args>` in-process against the fakes; collects its output. */
export async function runEval(fakes: { ollama: FakeOllama; wikipedia?: FakeWikipedia }, args: string[], env: Record<string, string> = {}): Promise<EvalResult> {
  let stdout = '';
  let stderr = '';
  const settings = { OLLAMA_HOST: fakes.ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed', OLLAMA_TIMEOUT_MS: '5000', LOG_LEVEL: 'silent', ...(fakes.wikipedia ? { WIKIPEDIA_API_URL: fakes.wikipedia.url } : {}), ...env };
  const code = await runEvalCommand(args, { env: settings, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text), isTTY: false } });
  return { code, stdout, stderr };
}

/** The report files a run says it wrote (`Wrote <base>.md and <base>.json`). */
export function reportBase(result: EvalResult): string {
  const match = /Wrote (.+)\.md and \1\.json/.exec(result.stderr);
  if (!match) throw new Error(`no report written:\n${result.stderr}`);
  return match[1]!;
}

/** One method's part of the JSON report. */
export interface MethodReport {
  method: string;
  scores: Record<string, number>;
  failed: number;
  trimmed: number;
  rewrites?: Record<string, number>;
  files: { database: string; predictions: string };
  setups: Array<{ userId: string; memberId: number; imported: number; alignment?: { outcome: string; reason: string }; membank?: { portrait: string; summaries: string[]; kept: Array<{ id: number; period: number }> } }>;
  items: Array<{ questionId: string; userId: string; output: string; prediction: string; error?: string; trimmed?: string[]; retrievedIds: number[]; toolCalls: Array<{ name: string }>; usage: { chatCalls: number; promptTokens: number } }>;
}

/** The JSON report of a run. */
export interface ReportJson {
  split: { name: string; kind: string; warnings: string[] };
  methods: MethodReport[];
  perUserEffect?: { metric: string; users: number; mean: number; low: number; high: number; perUser: Array<{ userId: string; effect: number }> } | null;
}

/** Reads the JSON report a run wrote. */
export function readReport(result: EvalResult): ReportJson {
  return JSON.parse(readFileSync(`${reportBase(result)}.json`, 'utf8')) as ReportJson;
}

/** The text of the latest user message of a chat request. */
export function lastUserText(body: { messages: Array<{ role: string; content: string }> }): string {
  return [...body.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
}

const movieTags = ['sci-fi', 'based on a book', 'comedy', 'action', 'twist ending', 'dystopia', 'dark comedy', 'classic', 'psychology', 'fantasy', 'romance', 'thought-provoking', 'social commentary', 'violence', 'true story'];

/**
 * A scripted model for LaMP-2M: it answers with the tag the request shows most often as the member's
 * own (memories, profile, persona), else "comedy"; one question gets a wordy answer. Agents call
 * Wikipedia and then memory before answering; profile, feedback and rewrite prompts get short texts.
 */
export function movieTagger(body: OllamaChatBody): ScriptedReply {
  const text = body.messages.map((message) => message.content).join('\n');
  const prompt = body.messages.find((message) => message.role === 'user')?.content ?? '';
  const favourite = favouriteTag(text);
  if (body.format) return { content: JSON.stringify({ persona: `This member mostly tags ${favourite ?? 'comedy'}. ${workingRule(prompt)}` }) };
  if (/^(You maintain a short profile|You write the|Summarise one period|Below are summaries)/.test(prompt)) return { content: `This member mostly tags ${favourite ?? 'comedy'}.` };
  if (prompt.startsWith('You are a critical evaluator')) return { content: 'Search memory for the tags this member gave before.' };
  const offered = (body.tools ?? []).map((tool) => tool.function.name);
  const used = body.messages.filter((message) => message.role === 'tool').map((message) => message.tool_name);
  if (offered.includes('wikipedia') && !used.includes('wikipedia')) return { toolCalls: [{ name: 'wikipedia', arguments: { topic: 'Film genre' } }] };
  if (offered.includes('search_memory') && !used.includes('search_memory')) return { toolCalls: [{ name: 'search_memory', arguments: { query: 'movie tag description' } }] };
  if (prompt.includes('magician')) return { content: 'I think "twist ending".' };
  return { content: favourite ?? 'comedy' };
}

/** A rewrite keeps the working rules the update prompt gives: the tool it names first, or none. */
function workingRule(prompt: string): string {
  if (prompt.includes('search_memory')) return 'Always call search_memory first, then answer with one tag.';
  if (prompt.includes('wikipedia')) return 'Call wikipedia first, then answer with one tag.';
  return 'Answer with one tag straight away.';
}

function favouriteTag(text: string): string | undefined {
  const counts = new Map<string, number>();
  // The member's own tags: in memories, profiles and personas, or as the answers of in-context examples.
  for (const match of text.matchAll(/(?:confirmed as right: |confirmed: |mostly tags |→ )([a-z][a-z &-]*[a-z])|^([a-z][a-z &-]*[a-z])$/gm)) {
    const tag = match[1] ?? match[2]!;
    if (movieTags.includes(tag)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}


/** The fakes and the scratch folder of one evaluation test file. */
export interface EvalFakes {
  ollama: FakeOllama;
  wikipedia: FakeWikipedia;
  /** A fresh folder per test, removed after it. */
  dir: string;
}

/** Starts the scripted Ollama and Wikipedia for the file; each test gets a reset Ollama (scripted with `movieTagger`) and a fresh folder. */
export function useEvalFakes(): EvalFakes {
  const fakes = {} as EvalFakes;
  beforeAll(async () => {
    fakes.ollama = await FakeOllama.start();
    fakes.wikipedia = await FakeWikipedia.start({ 'Film genre': 'A film genre is a category of films.' });
  });
  afterAll(async () => Promise.all([fakes.ollama.close(), fakes.wikipedia.close()]));
  beforeEach(() => {
    fakes.ollama.reset();
    fakes.ollama.models = ['test-chat:latest', 'test-embed:latest'];
    // What a test may change about the model: its trained context and what it can do.
    fakes.ollama.contextLength = 32_768;
    fakes.ollama.capabilities = ['completion', 'tools'];
    fakes.ollama.respond(movieTagger);
  });
  const scratch = useTempDir();
  beforeEach(() => {
    fakes.dir = scratch.path;
  });
  return fakes;
}

/** A fresh folder for each test of the file, removed after it. */
export function useTempDir(): { path: string } {
  const folder = { path: '' };
  beforeEach(() => {
    folder.path = mkdtempSync(join(tmpdir(), 'persona-bot-eval-'));
    return () => rmSync(folder.path, { recursive: true, force: true });
  });
  return folder;
}

/** A model in process that records the prompts it is sent, answers `reply <n>`, and embeds texts as bags of words. */
export class RecordingWordModel implements LanguageModel {
  readonly modelName = 'words';
  readonly contextTokens = 8192;
  readonly prompts: string[] = [];

  async chat(request: ChatRequest): Promise<ChatResult> {
    this.prompts.push(request.messages.at(-1)!.content);
    return { content: `reply ${this.prompts.length}`, toolCalls: [], promptTokens: 1, completionTokens: 1 };
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((text) => Float32Array.from(hashedEmbedding(text)));
  }
}
