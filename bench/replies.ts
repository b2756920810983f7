/**
 * `npm run bench:replies`: what reading a streamed answer costs the bot, beside passing the text on
 * untouched. Answers of 2k and 8k characters arrive in pieces of about four characters (a token);
 * "ours" runs each piece through ReplyStream (thinking held back, tool calls written as text held)
 * and cleans the whole reply at the end, "raw" only concatenates. Also a reply whose thinking comes first.
 */
import { cleanReply } from '../src/llm/reply-cleanup.js';
import { ReplyStream } from '../src/llm/reply-stream.js';

const RUNS = 200;

function answer(chars: number): string {
  const words = ['the', 'member', 'likes', 'Earl', 'Grey', 'with', 'lemon,', 'and', 'a', 'biscuit.', 'Brew', 'it', 'for', 'three', 'minutes.'];
  let text = '';
  for (let index = 0; text.length < chars; index += 1) text += `${words[index % words.length]} `;
  return text.slice(0, chars);
}

function pieces(text: string): string[] {
  return text.match(/[\s\S]{1,4}/g) ?? [];
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(run: () => void): number {
  const samples: number[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

function ours(parts: string[]): void {
  let shown = '';
  const stream = new ReplyStream({ onText: (delta) => (shown += delta), onRetract: () => (shown = '') }, { closesThinkingOnly: false, known: true });
  for (const part of parts) stream.push(part);
  stream.end(cleanReply({ content: parts.join(''), toolCalls: [], promptTokens: 0, completionTokens: 0, truncated: false }, { tools: [] }));
}

function raw(parts: string[]): void {
  let shown = '';
  for (const part of parts) shown += part;
  if (shown.length === 0) throw new Error('nothing streamed');
}

console.log('streamed answer, median of 200 runs: raw pass-through | ReplyStream + cleanReply | ratio');
for (const [label, text] of [
  ['2k characters', answer(2_000)],
  ['8k characters', answer(8_000)],
  ['2k after 2k of <think>', `<think>${answer(2_000)}</think>\n\n${answer(2_000)}`],
] as const) {
  const parts = pieces(text);
  const base = time(() => raw(parts));
  const ourTime = time(() => ours(parts));
  console.log(`${label.padEnd(24)} (${parts.length} pieces): ${base.toFixed(3)} ms | ${ourTime.toFixed(3)} ms | ×${(ourTime / base).toFixed(0)}, ${((ourTime / parts.length) * 1000).toFixed(2)} µs a piece`);
}
