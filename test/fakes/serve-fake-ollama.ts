/**
 * Runs the scripted Ollama on a fixed port for trying the bot by hand: `tsx test/fakes/serve-fake-ollama.ts 11999`.
 * `FAKE_SPEED=30,8` makes it as slow as a small model on a CPU (prompt tokens/s, generated tokens/s), one request at a time.
 */
import { FakeOllama } from './fake-ollama.js';

const [promptTokensPerSecond, tokensPerSecond] = (process.env.FAKE_SPEED ?? '').split(',').map(Number);
const speed = promptTokensPerSecond && tokensPerSecond ? { promptTokensPerSecond, tokensPerSecond } : undefined;
const fake = await FakeOllama.start({ models: ['test-chat:latest', 'test-embed:latest'], port: Number(process.argv[2] ?? 11999), speed, parallel: speed ? 1 : undefined });
fake.respond((body) => {
  const last = body.messages.at(-1)!;
  const prompt = body.messages.find((message) => message.role === 'user')?.content ?? '';
  if (prompt.startsWith('You maintain a short profile')) return { content: 'Cares about food and wine pairings; accepts short, definite answers.' };
  const feedback = 'Search memory for earlier pairings and answer with the pairing the member settled on.';
  if (prompt.startsWith('You are a critical evaluator')) return { content: body.format ? JSON.stringify({ feedback: (prompt.match(/^Item \d+$/gm) ?? []).map(() => feedback) }) : feedback };
  if (body.format && prompt.startsWith('You are a prompt-engineering assistant')) {
    const persona = /Current persona:\n([\s\S]*?)\n\nWhat the member's history/.exec(prompt)?.[1] ?? '';
    return { content: JSON.stringify({ persona: `${persona}\n\nThis member prefers dry white wine with fish; answer with their pairing.` }) };
  }
  if (body.format && prompt.startsWith('Rate how well')) return { content: JSON.stringify({ scores: (prompt.match(/^Item \d+$/gm) ?? []).map(() => 7) }) };
  if (body.tools && last.role === 'user') return { toolCalls: [{ name: 'search_memory', arguments: { query: last.content } }] };
  const memory = [...body.messages].reverse().find((message) => message.role === 'tool')?.content ?? '';
  const question = [...body.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  const confirmed = /confirmed as right: (.*)/.exec(memory)?.[1];
  return { content: confirmed ? `Last time you settled on: ${confirmed}. I would go with that again tonight.` : `My best guess for "${question.slice(0, 60)}" is 42, though tell me what you really prefer and I will remember it.` };
});
console.log(`fake Ollama on ${fake.url}`);
