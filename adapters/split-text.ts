/** Closes a code block that a chunk leaves open; the next chunk reopens it. */
const closingFence = '\n```';

/** A piece cut from the front of the text and what is left after it. */
interface Cut {
  piece: string;
  remainder: string;
}

/**
 * Splits text into chunks of at most `limit` characters, preferring line, then sentence,
 * then word boundaries; a ``` code block cut in two is closed and reopened with its language.
 */
export function splitText(text: string, limit: number): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  let open: string | null = null;
  while (rest.length > 0) {
    const next = nextChunk(rest, limit, open);
    if (next.chunk !== null) chunks.push(next.chunk);
    rest = next.remainder;
    open = next.open;
  }
  return chunks;
}

/** Takes one chunk; if it ends inside a code block, room is made for the closing fence. */
function nextChunk(rest: string, limit: number, open: string | null): { chunk: string | null; remainder: string; open: string | null } {
  const prefix = open === null ? '' : `${open}\n`;
  let attempt = build(rest, Math.max(1, limit - prefix.length), prefix, open);
  if (attempt.chunk !== null && attempt.chunk.length > limit) {
    attempt = build(rest, Math.max(1, limit - prefix.length - closingFence.length), prefix, open);
  }
  return attempt;
}

/** Cuts `rest` to `budget` characters and wraps the piece in the fences it needs. */
function build(rest: string, budget: number, prefix: string, open: string | null): { chunk: string | null; remainder: string; open: string | null } {
  const { piece, remainder } = cut(rest, budget);
  const after = fenceAfter(piece, open);
  // Whitespace-only pieces are dropped; the fence state cannot change inside them.
  if (piece.trim() === '') return { chunk: null, remainder, open };
  const chunk = prefix + piece + (after === null ? '' : closingFence);
  return { chunk, remainder, open: after };
}

/** Cuts at the best boundary within `budget` characters. */
function cut(rest: string, budget: number): Cut {
  if (rest.length <= budget) return { piece: rest.trimEnd(), remainder: '' };
  const window = rest.slice(0, budget + 1);
  const line = window.lastIndexOf('\n');
  const sentence = lastSentenceEnd(window);
  const half = budget / 2;
  if (line >= half || (line > 0 && sentence < half)) return atLine(rest, line);
  if (sentence > 0) return atSpace(rest, sentence);
  const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
  if (space > 0) return atSpace(rest, space);
  return { piece: rest.slice(0, budget), remainder: rest.slice(budget) };
}

/** Index of the whitespace after the last sentence end (`.`, `!`, `?`, optionally closed by quotes or brackets). */
function lastSentenceEnd(window: string): number {
  let last = -1;
  for (const match of window.matchAll(/[.!?]["')\]]*(?=\s)/g)) last = match.index + match[0].length;
  return last;
}

/** Cut at a newline: the next line keeps its indentation, blank lines between are dropped. */
function atLine(rest: string, index: number): Cut {
  return { piece: rest.slice(0, index).trimEnd(), remainder: rest.slice(index + 1).replace(/^(?:[ \t]*\n)+/, '') };
}

/** Cut at a space inside a line: the space goes (and a line break right after it). */
function atSpace(rest: string, index: number): Cut {
  const remainder = rest.slice(index).replace(/^[ \t]+/, '');
  if (!remainder.startsWith('\n')) return { piece: rest.slice(0, index).trimEnd(), remainder };
  return atLine(rest, index + rest.slice(index).indexOf('\n'));
}

/** The fence line still open after `piece` (e.g. "```ts"), or null when every block is closed. */
function fenceAfter(piece: string, open: string | null): string | null {
  let state = open;
  for (const line of piece.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('```')) continue;
    state = state === null ? trimmed : null;
  }
  return state;
}
