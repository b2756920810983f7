import { z } from 'zod';
import { renderWithin } from '../context-budget.js';
import { personaProblem, type ToolRules } from '../personas.js';
import { askStructured, StructuredAnswerError } from '../structured.js';
import type { RunContext } from './run-context.js';

const updateSchema = z.object({ persona: z.string() });

/** A rewrite: the candidate text, or why it may not go live. */
export type Rewrite = { text: string } | { problem: string };

/**
 * The update step: the model rewrites the persona from the aggregated feedback and the member's
 * profile; a rewrite that is empty, too long or drops the tool rules (of the agent's own tools) is refused
 * here, before any replay.
 */
export async function rewritePersona(ctx: RunContext, input: { persona: string; profile: string; feedback: string[]; maxChars: number; toolRules?: ToolRules }): Promise<Rewrite> {
  const aggregated = input.feedback.map((text, index) => `${index + 1}. ${text}`).join('\n\n');
  const fields = { persona: input.persona, profile: input.profile, feedback: aggregated, ...(input.toolRules ? { toolRules: input.toolRules.text } : {}) };
  const prompt = renderWithin(ctx.model, (values) => ctx.prompts.render('update', values), fields, ['feedback', 'profile']);
  let text: string;
  try {
    const { value, modelCalls } = await askStructured({ model: ctx.model, prompts: ctx.prompts, prompt, schema: updateSchema, temperature: ctx.temperature, signal: ctx.signal, tally: ctx.structured });
    ctx.calls.add('rewrite', modelCalls);
    text = value.persona;
  } catch (error) {
    if (error instanceof StructuredAnswerError) ctx.calls.add('rewrite', error.modelCalls);
    throw error;
  }
  const problem = personaProblem(text, input.maxChars, input.toolRules?.required);
  return problem ? { problem } : { text: text.trim() };
}
