/**
 * `npm run bench:attachments`: what an attached file costs the prompt assembly of one model call
 * (OLLAMA_NUM_CTX 8192), beside a question without one: a 4 KB file that fits, and a file at the
 * ATTACHMENT_MAX_KB default (256 KB) that must be cut to fit (found by bisection on its length).
 */
import { assembleAnswerPrompt, type AnswerParts } from '../src/core/answer-prompt.js';
import { TokenCounter } from '../src/core/context-budget.js';

const CONTEXT = 8_192;
const RUNS = 40;
const rows = Array.from({ length: 40_000 }, (_, index) => `row ${index},value ${index * 7},a short note`).join('\n');
const base: AnswerParts = { system: 'A persona of about two thousand characters. '.repeat(45), tools: [], question: 'What stands out in this file?', history: [], steps: [] };

/** Median milliseconds of one assembly, after a warm-up. */
function median(parts: AnswerParts): number {
  for (let index = 0; index < 3; index += 1) assembleAnswerPrompt(parts, new TokenCounter(), CONTEXT);
  const times: number[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    const started = performance.now();
    assembleAnswerPrompt(parts, new TokenCounter(), CONTEXT);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const none = median(base);
const cases: Array<[string, AnswerParts]> = [
  ['no file', base],
  ['4 KB file (fits)', { ...base, files: [{ name: 'notes.csv', content: rows.slice(0, 4 * 1024) }] }],
  ['256 KB file (cut to fit)', { ...base, files: [{ name: 'data.csv', content: rows.slice(0, 256 * 1024) }] }],
];
console.log(`prompt assembly per model call, context ${CONTEXT}, median of ${RUNS}`);
console.log('case                         ms      × no file');
for (const [label, parts] of cases) {
  const ms = median(parts);
  console.log(`${label.padEnd(28)} ${ms.toFixed(2).padStart(6)}  ${(ms / none).toFixed(1).padStart(8)}`);
}
