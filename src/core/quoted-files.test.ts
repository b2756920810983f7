import { describe, expect, it } from 'vitest';
import { questionWithoutFiles, splitQuestion, withFiles } from './quoted-files.js';

describe('files quoted in a question', () => {
  it('reads back the text and every file, whatever the files contain', () => {
    const files = [
      { name: 'notes.md', content: '# Title\n```js\nconst a = 1;\n```\nend' },
      { name: 'empty.txt', content: '' },
      { name: 'odd]name\n.csv', content: 'a,b\n1,2\n' },
    ];
    const stored = withFiles('what is wrong here?', files);
    expect(splitQuestion(stored)).toEqual({ text: 'what is wrong here?', files: [files[0], files[1], { name: 'odd name .csv', content: 'a,b\n1,2\n' }] });
  });

  it('reads a question made of files alone', () => {
    const stored = withFiles('', [{ name: 'a.txt', content: 'hello' }]);
    expect(stored.startsWith('[attached file: a.txt]')).toBe(true);
    expect(splitQuestion(stored)).toEqual({ text: '', files: [{ name: 'a.txt', content: 'hello' }] });
  });

  it('leaves text that only looks like a quote in the question', () => {
    const typed = 'see this:\n\n[attached file: x.txt]\n```\nnot closed';
    expect(splitQuestion(typed)).toEqual({ text: typed, files: [] });
    const followed = 'a\n\n[attached file: x.txt]\n```\nbody\n```\nand more words';
    expect(splitQuestion(followed)).toEqual({ text: followed, files: [] });
  });

  it('names the files without their text for memories', () => {
    expect(questionWithoutFiles(withFiles('summarise', [{ name: 'r.md', content: 'long text' }]))).toBe('summarise\n[attached file: r.md]');
    expect(questionWithoutFiles('plain question')).toBe('plain question');
  });
});
