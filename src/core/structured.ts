import { z } from 'zod';
import type { ChatResult, LanguageModel, ModelMessage } from './ports.js';
import type { Prompts } from './prompts.js';

/** A structured answer the model could not give, even after being shown its mistake once. */
export class StructuredAnswerError extends Error {
  constructor(
    message: string,
    readonly modelCalls: number,
  ) {
    super(message);
    this.name = 'StructuredAnswerError';
  }
}

/** How structured answers went over a run: mended by the client, asked again, or given up on. */
export interface StructuredTally {
  /** Valid once the client took the JSON out of prose or a fence, or removed thinking. */
  repaired: number;
  /** Asked again, with the validation error shown to the model. */
  retried: number;
  /** Still unusable after the retry. */
  failed: number;
}

/** A tally at zero. */
export function emptyTally(): StructuredTally {
  return { repaired: 0, retried: 0, failed: 0 };
}

/** Several tallies added up (the members of one alignment run). */
export function sumTallies(tallies: StructuredTally[]): StructuredTally {
  return tallies.reduce((sum, tally) => ({ repaired: sum.repaired + tally.repaired, retried: sum.retried + tally.retried, failed: sum.failed + tally.failed }), emptyTally());
}

/** What `askStructured` needs. */
export interface StructuredRequest<T> {
  model: LanguageModel;
  prompts: Prompts;
  /** The instruction, sent as the user message; it says what JSON to write, for servers that cannot be given the schema. */
  prompt: string;
  schema: z.ZodType<T>;
  temperature: number;
  system?: string;
  signal?: AbortSignal;
  /** Counts this answer's repairs, retries and failure. */
  tally?: StructuredTally;
}

/**
 * Asks for JSON that follows `schema`: the schema goes to the server (Ollama's `format`, an
 * OpenAI-compatible `response_format`), the client hands back the JSON alone (taken out of prose, a
 * fence or thinking), the reply is validated with zod, and a reply that fails is retried once with
 * the error shown to the model. Model failures (down, timeout) are not retried here; they propagate as `ModelError`.
 */
export async function askStructured<T>(request: StructuredRequest<T>): Promise<{ value: T; modelCalls: number; repaired: boolean }> {
  const format = z.toJSONSchema(request.schema) as Record<string, unknown>;
  const messages: ModelMessage[] = [{ role: 'user', content: request.prompt }];
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    if (attempt === 2 && request.tally) request.tally.retried += 1;
    const reply = await request.model.chat({ system: request.system ?? '', messages, temperature: request.temperature, format, signal: request.signal });
    const parsed = parseReply(reply, request.schema);
    if (parsed.ok) {
      const repaired = (reply.repaired ?? []).some((kind) => kind === 'json' || kind === 'thinking');
      if (repaired && request.tally) request.tally.repaired += 1;
      return { value: parsed.value, modelCalls: attempt, repaired };
    }
    problem = parsed.problem;
    messages.push({ role: 'assistant', content: reply.content }, { role: 'user', content: request.prompts.render('json-retry', { error: problem }) });
  }
  if (request.tally) request.tally.failed += 1;
  throw new StructuredAnswerError(`The model's answer did not follow the schema twice: ${problem}`, 2);
}

function parseReply<T>(reply: ChatResult, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; problem: string } {
  // A cut-off answer could be mended into valid JSON that says less than the model meant.
  if (reply.truncated) return { ok: false, problem: 'it was cut off before it ended; write a shorter answer' };
  let data: unknown;
  try {
    data = JSON.parse(reply.content);
  } catch {
    return { ok: false, problem: 'it was not valid JSON' };
  }
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problem: result.error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ') };
}
