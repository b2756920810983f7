import { z } from 'zod';
import type { InteractionRecord } from '../../memory/records.js';
import { renderWithin } from '../context-budget.js';
import { askStructured, StructuredAnswerError } from '../structured.js';
import type { RunContext } from './run-context.js';
import type { Contender } from './simulation.js';

/** How the feedback step asks: the whole batch in one call, or one call per item as the paper does. */
export type FeedbackMode = 'batched' | 'per-item';

/**
 * The textual "gradient" for each batch item (PersonaAgent's loss feedback), comparing the
 * contender's answer with the member's ground truth, in batch order: one text per item either way.
 */
export async function feedbackFor(ctx: RunContext, contender: Contender, batch: InteractionRecord[], mode: FeedbackMode): Promise<string[]> {
  if (feedbackPrompt(mode, batch.length) === 'feedback-batch') return ctx.limit(() => feedbackOnBatch(ctx, contender, batch));
  return Promise.all(batch.map((item) => ctx.limit(() => feedbackOn(ctx, contender, item))));
}

/** The prompt the feedback step uses: a batch of one is asked about on its own. */
export function feedbackPrompt(mode: FeedbackMode, batchSize: number): 'feedback' | 'feedback-batch' {
  return mode === 'batched' && batchSize > 1 ? 'feedback-batch' : 'feedback';
}

function fieldsOf(contender: Contender, item: InteractionRecord): { question: string; expected: string; response: string } {
  return { question: item.question, expected: item.groundTruth ?? '', response: contender.answers.get(item.id) || '(no answer)' };
}

async function feedbackOn(ctx: RunContext, contender: Contender, item: InteractionRecord): Promise<string> {
  // Long answers, corrections or questions are cut to fit the context, never the persona the feedback is about.
  const fields = { persona: contender.text, ...fieldsOf(contender, item) };
  const prompt = renderWithin(ctx.model, (values) => ctx.prompts.render('feedback', values), fields, ['response', 'expected', 'question']);
  const reply = await ctx.model.chat({ system: '', messages: [{ role: 'user', content: prompt }], temperature: ctx.temperature, signal: ctx.signal });
  ctx.calls.add('feedback', 1);
  return reply.content.trim();
}

/** One call for the whole batch, answered as a JSON list with one feedback text per item (asked again once if unusable). */
async function feedbackOnBatch(ctx: RunContext, contender: Contender, batch: InteractionRecord[]): Promise<string[]> {
  // Each item gets an equal share of half the context; the persona and the instructions take the rest, uncut.
  const share = 0.5 / batch.length;
  const items = batch.map((item, index) =>
    renderWithin(ctx.model, (values) => ctx.prompts.render('judge-item', values), { number: String(index + 1), ...fieldsOf(contender, item) }, ['response', 'expected', 'question'], share),
  );
  const fields = { persona: contender.text, count: String(batch.length), items: items.join('\n\n') };
  const prompt = renderWithin(ctx.model, (values) => ctx.prompts.render('feedback-batch', values), fields, []);
  const schema = z.object({ feedback: z.array(z.string().trim().min(1)).length(batch.length) });
  try {
    const { value, modelCalls } = await askStructured({ model: ctx.model, prompts: ctx.prompts, prompt, schema, temperature: ctx.temperature, signal: ctx.signal, tally: ctx.structured });
    ctx.calls.add('feedback', modelCalls);
    return value.feedback;
  } catch (error) {
    if (error instanceof StructuredAnswerError) ctx.calls.add('feedback', error.modelCalls);
    throw error;
  }
}
