/** Runs the scripted Ollama on a fixed port for trying the bot by hand: `tsx test/fakes/serve-fake-ollama.ts 11999`. */
import { FakeOllama } from './fake-ollama.js';

const fake = await FakeOllama.start({ models: ['test-chat:latest', 'test-embed:latest'], port: Number(process.argv[2] ?? 11999) });
fake.respond((body) => {
  const last = body.messages.at(-1)!;
  if (body.tools && last.role === 'user') return { toolCalls: [{ name: 'search_memory', arguments: { query: last.content } }] };
  const memory = [...body.messages].reverse().find((message) => message.role === 'tool')?.content ?? '';
  const question = [...body.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  const confirmed = /confirmed as right: (.*)/.exec(memory)?.[1];
  return { content: confirmed ? `Last time you settled on: ${confirmed}` : `My best guess for "${question.slice(0, 60)}" is 42.` };
});
console.log(`fake Ollama on ${fake.url}`);
