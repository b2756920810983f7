/** A text file as it is quoted in a question: its name and its text. */
export interface QuotedFile {
  name: string;
  content: string;
}

/** Said at the end of a file that was cut to fit the model's context. */
export const CUT_MARK = '[… the rest of this file did not fit]';

const HEADER = /\n\n\[attached file: ([^\]\n]*)\]\n(`{3,})\n/y;

/**
 * A text file quoted after the question: its name on a line of its own, then its text in a code
 * fence longer than any run of backticks inside it, so the quote always ends where it should.
 */
export function quoteFile(file: QuotedFile): string {
  const longestRun = Math.max(0, ...(file.content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `[attached file: ${file.name.replace(/[\]\n\r]/g, ' ')}]\n${fence}\n${file.content}\n${fence}`;
}

/** The question as stored: the member's text, then each file quoted. */
export function withFiles(text: string, files: QuotedFile[]): string {
  return [...(text === '' ? [] : [text]), ...files.map(quoteFile)].join('\n\n');
}

/**
 * Reads a stored question back into the member's text and the files quoted after it, so the files
 * can be trimmed to fit while the text is always sent whole. Text that merely looks like a quote
 * but does not run to the end of the question stays part of the text.
 */
export function splitQuestion(stored: string): { text: string; files: QuotedFile[] } {
  // A question of files alone starts with the first quote.
  const alone = stored.startsWith('[attached file: ') ? readQuotes(`\n\n${stored}`, 0) : null;
  if (alone) return { text: '', files: alone };
  for (const match of stored.matchAll(/\n\n\[attached file: /g)) {
    const files = readQuotes(stored, match.index);
    if (files) return { text: stored.slice(0, match.index), files };
  }
  return { text: stored, files: [] };
}

/** The member's words without the files' text, naming each file (for memories shown to the model). */
export function questionWithoutFiles(stored: string): string {
  const { text, files } = splitQuestion(stored);
  return files.length === 0 ? text : `${text}\n${files.map((file) => `[attached file: ${file.name}]`).join('\n')}`;
}

function readQuotes(stored: string, start: number): QuotedFile[] | null {
  const files: QuotedFile[] = [];
  let position = start;
  while (position < stored.length) {
    HEADER.lastIndex = position;
    const header = HEADER.exec(stored);
    if (!header) return null;
    const fence = header[2]!;
    const bodyStart = position + header[0].length;
    const close = stored.indexOf(`\n${fence}`, bodyStart - 1);
    if (close < 0) return null;
    files.push({ name: header[1]!, content: stored.slice(bodyStart, Math.max(bodyStart, close)) });
    position = close + 1 + fence.length;
  }
  return files;
}
