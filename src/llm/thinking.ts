const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * A reply's text without the model's thinking: `<think>…</think>` blocks wherever they are, and
 * everything before a closing tag that has no opening one (DeepSeek-R1 distills: the chat template
 * writes the `<think>` itself, so only `</think>` comes back). A reply that opens a thinking block
 * and never closes it (cut off at the token limit) has no answer in it.
 */
export function stripThinking(text: string): string {
  // A block between two parts of the answer leaves one of the spaces around it, so the answer reads on.
  let rest = text.replace(/(\s*)<think>[\s\S]*?<\/think>(\s*)/g, (_block, before: string, after: string) => before || after);
  const close = rest.lastIndexOf(CLOSE);
  if (close >= 0) rest = rest.slice(close + CLOSE.length);
  const open = rest.indexOf(OPEN);
  if (open >= 0) rest = rest.slice(0, open);
  return rest === text ? text : rest.trim();
}

/**
 * Where the answer text in a streamed reply lies so far, thinking taken out: from `start` to `end`
 * (a trailing piece that may be the start of `</think>` is left out). Null while it cannot be told
 * yet: a reply that opens a thinking block not closed so far, or, with `closesOnly` (a model seen to
 * write only the closing tag), any text before that tag.
 */
export function answerSpan(raw: string, closesOnly: boolean): { start: number; end: number } | null {
  const lead = raw.length - raw.trimStart().length;
  if (raw.length - lead < OPEN.length && OPEN.startsWith(raw.slice(lead))) return null;
  let start = lead;
  if (raw.startsWith(OPEN, lead)) {
    const close = raw.indexOf(CLOSE, lead);
    if (close < 0) return null;
    start = close + CLOSE.length;
  }
  // A `<think>` later in the answer opens a block of its own: only a closing tag before it ends thinking the template opened.
  const open = raw.indexOf(OPEN, start);
  const lastClose = open >= 0 ? raw.lastIndexOf(CLOSE, open - 1) : raw.lastIndexOf(CLOSE);
  if (lastClose >= start) start = lastClose + CLOSE.length;
  else if (closesOnly && start === lead) return null;
  return { start, end: raw.length - partialTagLength(raw, CLOSE) };
}

/** How many characters at the end of `text` may be the start of `tag` (`</th` of `</think>`). */
export function partialTagLength(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length -= 1) {
    if (tag.startsWith(text.slice(-length))) return length;
  }
  return 0;
}
