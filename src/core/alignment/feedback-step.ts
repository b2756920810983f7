import type { InteractionRecord } from '../../memory/records.js';
import { renderWithin } from '../context-budget.js';
import type { RunContext } from './run-context.js';
import type { Contender } from './simulation.js';

/**
 * The textual "gradient" for each batch item (PersonaAgent's loss feedback): one model call per item
 * comparing the contender's answer with the member's ground truth, in batch order.
 */
export async function feedbackFor(ctx: RunContext, contender: Contender, batch: InteractionRecord[]): Promise<string[]> {
  return Promise.all(batch.map((item) => ctx.limit(() => feedbackOn(ctx, contender, item))));
}

async function feedbackOn(ctx: RunContext, contender: Contender, item: InteractionRecord): Promise<string> {
  const response = contender.answers.get(item.id) || '(no answer)';
  // Long answers, corrections or questions are cut to fit the context, never the persona the feedback is about.
  const fields = { persona: contender.text, question: item.question, expected: item.groundTruth ?? '', response };
  const prompt = renderWithin(ctx.model, (values) => ctx.prompts.render('feedback', values), fields, ['response', 'expected', 'question']);
  const reply = await ctx.model.chat({ system: '', messages: [{ role: 'user', content: prompt }], temperature: ctx.temperature, signal: ctx.signal });
  ctx.calls.add('feedback', 1);
  return reply.content.trim();
}
