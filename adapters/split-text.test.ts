import { describe, expect, it } from 'vitest';
import { splitText } from './split-text.js';

/** Every fence line in a chunk, so a test can check that blocks open and close in pairs. */
function fenceLines(chunk: string): string[] {
  return chunk.split('\n').filter((line) => line.trim().startsWith('```'));
}

/** Words of a text, ignoring fences and whitespace, to check that nothing is lost or duplicated. */
function words(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trim().startsWith('```'))
    .join(' ')
    .split(/\s+/)
    .filter((word) => word.length > 0);
}

describe('splitText', () => {
  it('returns no chunk for empty or blank input', () => {
    expect(splitText('', 2000)).toEqual([]);
    expect(splitText('  \n\t ', 2000)).toEqual([]);
  });

  it('keeps short text whole (trimmed)', () => {
    expect(splitText('  hello there  ', 2000)).toEqual(['hello there']);
  });

  it('splits on line boundaries', () => {
    const text = ['first line of text', 'second line of text', 'third line of text'].join('\n');
    expect(splitText(text, 40)).toEqual(['first line of text\nsecond line of text', 'third line of text']);
  });

  it('splits a long paragraph on sentence boundaries', () => {
    const text = 'One short sentence here. Another sentence follows it! Does a third one fit? No.';
    const chunks = splitText(text, 60);
    expect(chunks).toEqual(['One short sentence here. Another sentence follows it!', 'Does a third one fit? No.']);
  });

  it('falls back to word boundaries, then hard-splits a word longer than the limit', () => {
    expect(splitText('alpha beta gamma delta', 11)).toEqual(['alpha beta', 'gamma delta']);
    const word = 'x'.repeat(25);
    expect(splitText(word, 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('closes a code block at a cut and reopens it with its language', () => {
    const code = Array.from({ length: 12 }, (_, index) => `  const value${index} = ${index};`).join('\n');
    const text = `Here is the code:\n\`\`\`ts\n${code}\n\`\`\`\nThat is all.`;
    const chunks = splitText(text, 120);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(120);
      expect(fenceLines(chunk).length % 2).toBe(0);
    }
    expect(chunks[1]?.startsWith('```ts\n')).toBe(true);
    expect(chunks.slice(1, -1).every((chunk) => chunk.endsWith('\n```'))).toBe(true);
    // Indentation inside the block survives the cut.
    expect(chunks[1]?.split('\n')[1]?.startsWith('  const')).toBe(true);
    expect(words(chunks.join('\n'))).toEqual(words(text));
  });

  it('keeps a 5 000-character mixed answer within Discord limits without losing words', () => {
    const prose = 'This is a sentence about something interesting. '.repeat(40);
    const code = Array.from({ length: 60 }, (_, index) => `print(${index}) # a line of python`).join('\n');
    const text = `${prose}\n\n\`\`\`python\n${code}\n\`\`\`\n\n${prose}`;
    expect(text.length).toBeGreaterThan(4000);
    const chunks = splitText(text, 2000);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(2000);
      expect(chunk.trim()).toBe(chunk);
      expect(fenceLines(chunk).length % 2).toBe(0);
    }
    expect(words(chunks.join('\n'))).toEqual(words(text));
  });
});
