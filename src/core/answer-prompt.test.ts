import { describe, expect, it } from 'vitest';
import { assembleAnswerPrompt, wasTrimmed } from './answer-prompt.js';
import { answerReserve, TokenCounter } from './context-budget.js';
import { CUT_MARK, splitQuestion } from './quoted-files.js';

const CONTEXT = 2_048;
const parts = { system: 'You answer briefly.', tools: [], question: 'What does the file say about May?', history: [], steps: [] };
const file = (name: string, length: number) => ({ name, content: Array.from({ length: Math.ceil(length / 10) }, (_, index) => `line ${String(index).padStart(4, '0')}`).join('\n').slice(0, length) });
const asked = (messages: Array<{ role: string; content: string }>) => messages.find((message) => message.role === 'user')!.content;

describe('a question with files, assembled to fit the context', () => {
  it('quotes small files whole after the question', () => {
    const prompt = assembleAnswerPrompt({ ...parts, files: [file('a.txt', 200)] }, new TokenCounter(), CONTEXT);
    expect(splitQuestion(asked(prompt.messages))).toEqual({ text: parts.question, files: [file('a.txt', 200)] });
    expect(wasTrimmed(prompt.trimmed)).toBe(false);
  });

  it('cuts a file too large for the context at its end, keeps the question whole, and says how much was left out', () => {
    const counter = new TokenCounter();
    const big = file('big.txt', 40_000);
    const after = file('after.txt', 500);
    const prompt = assembleAnswerPrompt({ ...parts, files: [big, after] }, counter, CONTEXT);
    const { text, files } = splitQuestion(asked(prompt.messages));
    expect(text).toBe(parts.question);
    expect(files[0]!.content.endsWith(CUT_MARK)).toBe(true);
    expect(big.content.startsWith(files[0]!.content.slice(0, -CUT_MARK.length - 1))).toBe(true);
    expect(files[1]).toEqual({ name: 'after.txt', content: CUT_MARK });
    expect(prompt.estimate).toBeLessThanOrEqual(CONTEXT - answerReserve(CONTEXT));
    // What fits is used: the cut leaves less than a line's worth of room.
    expect(CONTEXT - answerReserve(CONTEXT) - prompt.estimate).toBeLessThan(20);
    expect(prompt.trimmed.fileChars).toBe(big.content.length + after.content.length - (files[0]!.content.length - CUT_MARK.length - 1));
  });

  it('gives files room before memories and earlier turns', () => {
    const memories = { query: 'may', rendered: ['an earlier memory about May'], render: (kept: string[]) => kept.join('\n') };
    const history = [
      { role: 'user' as const, content: 'an earlier question' },
      { role: 'assistant' as const, content: 'an earlier answer' },
    ];
    const prompt = assembleAnswerPrompt({ ...parts, files: [file('big.txt', 40_000)], memories, history }, new TokenCounter(), CONTEXT);
    expect(prompt.trimmed).toMatchObject({ memories: 1, historyTurns: 1 });
  });

  it('counts images sent with the question', () => {
    const image = { mimeType: 'image/png', base64: 'iVBORw0KGgo=' };
    const without = assembleAnswerPrompt(parts, new TokenCounter(), CONTEXT);
    const withImage = assembleAnswerPrompt({ ...parts, images: [image] }, new TokenCounter(), CONTEXT);
    expect(withImage.estimate - without.estimate).toBe(768);
    expect(withImage.messages.find((message) => message.role === 'user')!.images).toEqual([image]);
  });
});
