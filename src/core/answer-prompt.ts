import { answerReserve, ContextTooSmallError, type TokenCounter } from './context-budget.js';
import type { ModelImage, ModelMessage, ToolSpec } from './ports.js';
import { CUT_MARK, withFiles, type QuotedFile } from './quoted-files.js';

/** What one image is counted as (vision models spend a few hundred tokens on a picture). */
const IMAGE_TOKENS = 768;

/** The parts of one answer's prompt, most important first. */
export interface AnswerParts {
  /** The member's persona (and any standing instructions): always sent whole. */
  system: string;
  tools: ToolSpec[];
  /** The question: always sent whole. */
  question: string;
  /** Text files attached to the question, quoted after it; cut at their end to fit, before memories and history are. */
  files?: QuotedFile[];
  /** Images sent with the question, to a model that reads them. */
  images?: ModelImage[];
  /**
   * Memories found before the first call, best first, each already rendered; sent as a finished memory
   * search, or (`inline`, for a model without tools) written before the question in its own message.
   */
  memories?: { query: string; rendered: string[]; render: (kept: string[]) => string; inline?: boolean };
  /** Earlier turns of the exchange, oldest first, as user/assistant pairs. */
  history: ModelMessage[];
  /** This answer's own tool calls and results so far. */
  steps: ModelMessage[];
}

/** What had to be left out to fit. */
export interface Trim {
  memories: number;
  historyTurns: number;
  /** Tool results cut short. */
  stepsClipped: number;
  /** Characters of attached files left out. */
  fileChars?: number;
}

/** The assembled prompt and what it left out. */
export interface AssembledPrompt {
  messages: ModelMessage[];
  estimate: number;
  trimmed: Trim;
}

/**
 * Builds the messages of one model call so the request fits the context with room left for the
 * answer: persona (with any standing instructions), question and this answer's steps first; then
 * the files attached to the question (cut at their end); then memories (lowest-ranked dropped
 * first); then earlier turns (oldest dropped first). Fails only when the persona and question
 * alone do not fit.
 */
export function assembleAnswerPrompt(parts: AnswerParts, counter: TokenCounter, contextTokens: number): AssembledPrompt {
  const budget = contextTokens - answerReserve(contextTokens);
  const trimmed: Trim = { memories: 0, historyTurns: 0, stepsClipped: 0 };
  const images = parts.images && parts.images.length > 0 ? { images: parts.images } : {};
  const inline = (kept: string[]) => (parts.memories?.inline ? `${parts.memories.render(kept)}\n\n` : '');
  const asked = (files: QuotedFile[], kept: string[]): ModelMessage => ({ role: 'user', content: inline(kept) + withFiles(parts.question, files), ...images });
  const steps = clipSteps(parts.steps, counter, Math.floor(budget / 4), trimmed);
  const memoryTurn = (kept: string[]): ModelMessage[] =>
    parts.memories && !parts.memories.inline
      ? [
          { role: 'assistant', content: '', toolCalls: [{ name: 'search_memory', arguments: { query: parts.memories.query } }] },
          { role: 'tool', toolName: 'search_memory', content: parts.memories.render(kept) },
        ]
      : [];
  let files: QuotedFile[] = [];
  const build = (history: ModelMessage[], kept: string[], quoted = files) => [...history, asked(quoted, kept), ...memoryTurn(kept), ...steps];
  const imageTokens = (parts.images?.length ?? 0) * IMAGE_TOKENS;
  const size = (messages: ModelMessage[]) => counter.request(parts.system, messages, parts.tools) + imageTokens;

  const fixed = size(build([], []));
  if (fixed > budget) throw new ContextTooSmallError(fixed, budget);
  files = fitFiles(parts.files ?? [], (candidate) => size(build([], [], candidate)) <= budget, trimmed);
  const kept: string[] = [];
  for (const memory of parts.memories?.rendered ?? []) {
    if (size(build([], [...kept, memory])) > budget) break;
    kept.push(memory);
  }
  trimmed.memories = (parts.memories?.rendered.length ?? 0) - kept.length;
  let history: ModelMessage[] = [];
  const pairs = toPairs(parts.history);
  for (let index = pairs.length - 1; index >= 0; index -= 1) {
    const candidate = [...pairs[index]!, ...history];
    if (size(build(candidate, kept)) > budget) break;
    history = candidate;
  }
  trimmed.historyTurns = pairs.length - history.length / 2;
  const messages = build(history, kept);
  return { messages, estimate: size(messages), trimmed };
}

/** Whether anything was left out. */
export function wasTrimmed(trim: Trim): boolean {
  return trim.memories + trim.historyTurns + trim.stepsClipped + (trim.fileChars ?? 0) > 0;
}

/**
 * Keeps the attached files whole while they fit; the first that does not is cut to the longest
 * beginning that fits (found by bisection on its length), and any after it keep only their name.
 */
function fitFiles(files: QuotedFile[], fits: (files: QuotedFile[]) => boolean, trimmed: Trim): QuotedFile[] {
  const kept: QuotedFile[] = [];
  for (const [index, file] of files.entries()) {
    if (fits([...kept, file])) {
      kept.push(file);
      continue;
    }
    const rest = files.slice(index + 1);
    const named = rest.map((other) => ({ name: other.name, content: CUT_MARK }));
    const cut = (length: number): QuotedFile => ({ name: file.name, content: `${file.content.slice(0, length)}${length > 0 ? '\n' : ''}${CUT_MARK}` });
    let [low, high] = [0, file.content.length - 1];
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (fits([...kept, cut(middle), ...named])) low = middle;
      else high = middle - 1;
    }
    trimmed.fileChars = file.content.length - low + rest.reduce((sum, other) => sum + other.content.length, 0);
    return [...kept, cut(low), ...named];
  }
  return kept;
}

/** A tool result longer than its share of the budget keeps its beginning. */
function clipSteps(steps: ModelMessage[], counter: TokenCounter, share: number, trimmed: Trim): ModelMessage[] {
  return steps.map((step) => {
    if (step.role !== 'tool' || counter.text(step.content) <= share) return step;
    trimmed.stepsClipped += 1;
    return { ...step, content: `${step.content.slice(0, share * 3)}…` };
  });
}

function toPairs(history: ModelMessage[]): ModelMessage[][] {
  const pairs: ModelMessage[][] = [];
  for (let index = 0; index + 1 < history.length; index += 2) pairs.push([history[index]!, history[index + 1]!]);
  return pairs;
}
