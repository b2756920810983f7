/**
 * How a real Ollama treats a prompt, for the scripted server: a tokenizer that splits text about as
 * finely as a BPE vocabulary does (about four characters a token on English), and Ollama's handling
 * of a prompt longer than num_ctx (oldest messages dropped, then the prompt cut to its head and tail).
 */

/** Tokens a chat template adds around each message. */
const MESSAGE_OVERHEAD = 4;
/** Ollama's default num_keep: the first tokens kept when a prompt is cut. */
const NUM_KEEP = 4;

/** Splits text into tokens: short word pieces, digits in threes, punctuation in pairs, any other character alone. */
export function tokenize(text: string): string[] {
  return text.match(/\s?[A-Za-z]{1,5}|\s?\d{1,3}|\s?[!-/:-@[-`{-~]{1,2}|\s+|[^\x00-\x7f]/g) ?? [];
}

/** A message as the server sees it. */
export interface PromptMessage {
  role: string;
  content: string;
  tool_calls?: unknown[];
}

/** Tokens of one message in the prompt. */
export function messageTokens(message: PromptMessage): number {
  return tokenize(message.content).length + tokenize(JSON.stringify(message.tool_calls ?? '')).length + MESSAGE_OVERHEAD;
}

/** What the server made of a prompt against its context. */
export interface FittedPrompt {
  messages: PromptMessage[];
  promptTokens: number;
  /** `messages`: oldest messages were dropped; `tokens`: the prompt itself was cut (the system prompt is lost). */
  truncated: false | 'messages' | 'tokens';
  /** The text the model actually reads, after any cut. */
  seen: string;
}

/**
 * Ollama's behaviour past num_ctx (server/prompt.go, the runner's truncation): drop the oldest
 * non-system messages, always keeping system messages and the last one; if the prompt still does
 * not fit, keep its first NUM_KEEP tokens and as much of its tail as fits.
 */
export function fitToContext(messages: PromptMessage[], toolTokens: number, numCtx: number): FittedPrompt {
  let kept = [...messages];
  const total = (list: PromptMessage[]) => list.reduce((sum, message) => sum + messageTokens(message), toolTokens);
  let truncated: FittedPrompt['truncated'] = false;
  while (total(kept) > numCtx) {
    const index = kept.findIndex((message, position) => message.role !== 'system' && position < kept.length - 1);
    if (index < 0) break;
    kept.splice(index, 1);
    truncated = 'messages';
  }
  const tokens = kept.flatMap((message) => tokenize(message.content));
  if (total(kept) <= numCtx) return { messages: kept, promptTokens: total(kept), truncated, seen: tokens.join('') };
  const room = Math.max(NUM_KEEP, numCtx - toolTokens - MESSAGE_OVERHEAD * kept.length);
  const seen = [...tokens.slice(0, NUM_KEEP), ...tokens.slice(tokens.length - (room - NUM_KEEP))];
  return { messages: kept, promptTokens: numCtx, truncated: 'tokens', seen: seen.join('') };
}
