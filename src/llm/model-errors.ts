import { ModelError } from '../core/errors.js';

/** Which server a failure came from, for messages that say what to do. */
export interface FailureContext {
  /** The model the call was for. */
  model: string;
  /** "Ollama" or "the OpenAI-compatible server", as messages name it. */
  server: string;
  /** How to get the model onto the server, e.g. "Run: ollama pull qwen2.5:3b". */
  missingHint: string;
  /** Which setting holds the API key, when the server takes one. */
  keySetting?: string;
}

/** The state of a call's deadline and cancellation when it failed. */
export interface AbortState {
  /** The client's own per-call deadline passed. */
  timedOut: boolean;
  timeoutMs: number;
  /** The caller's signal, if it gave one. */
  signal?: AbortSignal;
}

/**
 * A deadline or cancellation as a ModelError, or null when the call was neither. A caller's signal
 * aborted with a TimeoutError (the one deadline of an answer) is a timeout, not a cancellation.
 */
export function abortFailure(state: AbortState, model: string, cause: unknown): ModelError | null {
  const signal = state.signal;
  if (signal?.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError') {
    return new ModelError('MODEL_TIMEOUT', 'The answer took longer than its deadline.', model, true, { cause });
  }
  if (signal?.aborted) return new ModelError('MODEL_ABORTED', 'The model call was cancelled.', model, false, { cause });
  if (state.timedOut) return new ModelError('MODEL_TIMEOUT', `The model did not answer within ${state.timeoutMs} ms.`, model, true, { cause });
  return null;
}

/** Words servers use when a prompt is longer than the context (llama.cpp, vLLM, Ollama with truncation off). */
const OVERFLOW = /exceeds? the available context|maximum context length|context length|context size|input length exceeds|prompt is longer than the context|too many tokens|context window/i;
/** Words servers use when the model does not take tools (Ollama, Ollama /v1, vLLM without a tool parser). */
const NO_TOOLS = /does not support tools|tool choice requires --enable-auto-tool-choice|tools? (?:are|is) not supported|does not support function calling/i;

/** Whether a refusal says the model does not take tools (the call can be made again without them). */
export function refusesTools(status: number | undefined, message: string): boolean {
  return (status === 400 || status === 500 || status === 501) && NO_TOOLS.test(message);
}

/**
 * An HTTP failure from a model server as a ModelError with the same code whichever server sent it:
 * unauthorised (401/403), model missing (404), rate limited (429, with its Retry-After), context too
 * long (the servers' overflow messages), still loading (503 "Loading model"), else a bad response.
 */
export function httpFailure(status: number, message: string, context: FailureContext, extra: { retryAfterMs?: number; cause?: unknown } = {}): ModelError {
  const { model, server } = context;
  const detail = message.slice(0, 300);
  const options = { cause: extra.cause };
  if (status === 401 || status === 403) {
    const fix = context.keySetting ? ` Check ${context.keySetting}.` : '';
    return new ModelError('MODEL_UNAUTHORISED', `${capitalise(server)} refused the request (${status}): ${detail}.${fix}`, model, false, options);
  }
  if (status === 404 && /not found|does not exist|no such model|unknown model/i.test(message)) {
    return new ModelError('MODEL_MISSING', `The model ${model} is not on ${server}. ${context.missingHint}`, model, false, options);
  }
  if (status === 429 || (status === 503 && /server busy|maximum pending/i.test(message))) {
    const wait = extra.retryAfterMs !== undefined ? ` It asks to wait ${Math.ceil(extra.retryAfterMs / 1000)} s.` : '';
    return new ModelError('MODEL_RATE_LIMITED', `${capitalise(server)} is busy or rate limited (${status}).${wait}`, model, true, { ...options, retryAfterMs: extra.retryAfterMs });
  }
  if ((status === 400 || status === 413 || status === 422 || status === 500) && OVERFLOW.test(message)) {
    return new ModelError('MODEL_CONTEXT_TOO_LONG', `The prompt is longer than the model's context: ${detail}`, model, false, options);
  }
  if (status === 503 && /loading/i.test(message)) {
    return new ModelError('MODEL_UNREACHABLE', `${capitalise(server)} is still loading the model.`, model, true, options);
  }
  return new ModelError('MODEL_BAD_RESPONSE', `${capitalise(server)} answered ${status}: ${detail}`, model, status >= 500, options);
}

/** The context size a server's overflow message names ("available context size (4096 tokens)", "maximum context length is 2048 tokens"). */
export function contextFromOverflow(message: string): number | null {
  const match = /(?:available context size|maximum context length is|context length (?:is|of))\s*\(?(\d+)\s*tokens?/i.exec(message);
  return match ? Number(match[1]) : null;
}

/** Retry-After as milliseconds: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const millis = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(millis) && millis >= 0) return millis;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
