import { jsonrepair } from 'jsonrepair';

/** A JSON value found in a model's text, and where it was. */
export interface FoundJson {
  value: unknown;
  start: number;
  end: number;
  /** The text was not valid JSON as written (single quotes, a trailing comma, Python constants…). */
  mended: boolean;
}

/**
 * Parses text that should be one JSON value, mending the slips small models make (single quotes,
 * trailing commas, `True`/`None`, unquoted keys) with jsonrepair. Null when it is not JSON at all.
 */
export function parseLenient(text: string): { value: unknown; mended: boolean } | null {
  try {
    return { value: JSON.parse(text), mended: false };
  } catch {
    // Only text that opens like an object or array is mended: jsonrepair would turn prose into a string.
    if (!/^\s*[{[]/.test(text)) return null;
    try {
      return { value: JSON.parse(jsonrepair(text)), mended: true };
    } catch {
      return null;
    }
  }
}

/** Fenced code blocks (```json … ``` or ``` … ```), with where their content starts and ends. */
export function fencedBlocks(text: string): Array<{ body: string; start: number; end: number; bodyStart: number }> {
  const blocks: Array<{ body: string; start: number; end: number; bodyStart: number }> = [];
  const fence = /```[\w-]*[ \t]*\n?([\s\S]*?)```/g;
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    blocks.push({ body: match[1]!, start: match.index, end: match.index + match[0].length, bodyStart: match.index + match[0].indexOf(match[1]!) });
  }
  return blocks;
}

/**
 * The end (exclusive) of the balanced object or array that opens at `start`, strings and escapes
 * respected; the text's length when it never closes (an answer cut off mid-way).
 */
export function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{' || char === '[') {
      depth += 1;
    } else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
  }
  return text.length;
}

/**
 * The first JSON object or array in `text` that parses (mended if need be), whether it stands
 * alone, sits in a code fence, or is wrapped in prose. `accept` can pass over values of the wrong
 * shape; null when there is none.
 */
export function findJson(text: string, accept: (value: unknown) => boolean = () => true): FoundJson | null {
  const whole = parseLenient(text.trim());
  if (whole && isContainer(whole.value) && accept(whole.value)) {
    const start = text.length - text.trimStart().length;
    return { value: whole.value, start, end: text.trimEnd().length, mended: whole.mended };
  }
  for (const block of fencedBlocks(text)) {
    const parsed = parseLenient(block.body.trim());
    if (parsed && isContainer(parsed.value) && accept(parsed.value)) return { value: parsed.value, start: block.start, end: block.end, mended: true };
  }
  for (let start = text.search(/[{[]/); start >= 0; start = nextOpening(text, start + 1)) {
    const end = balancedEnd(text, start);
    const parsed = parseLenient(text.slice(start, end));
    if (parsed && isContainer(parsed.value) && accept(parsed.value)) return { value: parsed.value, start, end, mended: true };
  }
  return null;
}

function nextOpening(text: string, from: number): number {
  const found = text.slice(from).search(/[{[]/);
  return found < 0 ? -1 : from + found;
}

function isContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}
