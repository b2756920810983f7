import type { InteractionRecord } from '../../memory/records.js';
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
  const prompt = ctx.prompts.render('feedback', { persona: contender.text, question: item.question, expected: item.groundTruth ?? '', response });
  const reply = await ctx.model.chat({ system: '', messages: [{ role: 'user', content: prompt }], temperature: ctx.temperature, signal: ctx.signal });
  ctx.calls.add('feedback', 1);
  return reply.content.trim();
}
