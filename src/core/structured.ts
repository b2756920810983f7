import { z } from 'zod';
import type { LanguageModel, ModelMessage } from './ports.js';
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

/** What `askStructured` needs. */
export interface StructuredRequest<T> {
  model: LanguageModel;
  prompts: Prompts;
  /** The instruction, sent as the user message. */
  prompt: string;
  schema: z.ZodType<T>;
  temperature: number;
  system?: string;
  signal?: AbortSignal;
}

/**
 * Asks for JSON that follows `schema`: the schema goes to Ollama as `format`, the reply is
 * validated with zod, and a reply that fails is retried once with the error shown to the model.
 * Model failures (down, timeout) are not retried here; they propagate as `ModelError`.
 */
export async function askStructured<T>(request: StructuredRequest<T>): Promise<{ value: T; modelCalls: number }> {
  const format = z.toJSONSchema(request.schema) as Record<string, unknown>;
  const messages: ModelMessage[] = [{ role: 'user', content: request.prompt }];
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    const reply = await request.model.chat({ system: request.system ?? '', messages, temperature: request.temperature, format, signal: request.signal });
    const parsed = parseReply(reply.content, request.schema);
    if (parsed.ok) return { value: parsed.value, modelCalls: attempt };
    problem = parsed.problem;
    messages.push({ role: 'assistant', content: reply.content }, { role: 'user', content: request.prompts.render('json-retry', { error: problem }) });
  }
  throw new StructuredAnswerError(`The model's answer did not follow the schema twice: ${problem}`, 2);
}

function parseReply<T>(content: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(stripFence(content));
  } catch {
    return { ok: false, problem: 'it was not valid JSON' };
  }
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problem: result.error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ') };
}

/** Some models wrap JSON in a markdown fence even when asked for JSON only. */
function stripFence(content: string): string {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(content);
  return fenced ? fenced[1]! : content.trim();
}
