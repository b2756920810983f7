import type { ProfileSource } from '../core/profile.js';
import type { InteractionRecord } from '../memory/records.js';
import type { EvalPrompts } from './eval-prompts.js';
import { questionContent, type TaskSpec } from './tasks.js';

/**
 * The semantic profile as the evaluation writes it: the task's own prompt (what a LaMP-2M user's tags
 * say, what a LaMP-1 author works on) over the whole history, each item shown as its content and the
 * user's answer rather than the task's template.
 */
export function profileSource(task: TaskSpec, prompts: EvalPrompts): ProfileSource {
  return {
    render: (values) => prompts.render(task.profilePrompt, values),
    describe: (record) => describeItem(task, record),
    window: Number.POSITIVE_INFINITY,
  };
}

/** One history item for the profile prompt: `- <content> → <label>`, or a LaMP-1 paper's title and abstract. */
export function describeItem(task: TaskSpec, record: InteractionRecord): string {
  const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
  if (task.id === 'lamp1') {
    const quoted = [...record.question.matchAll(/"([^"]*)"/g)].map((match) => match[1]!);
    // A built citation item: the reference the author cites is the one its label points at.
    if (quoted.length >= 3) return `- cites "${record.groundTruth === '[2]' ? quoted[2] : quoted[1]}" in "${quoted[0]}"`;
    return `- "${quoted[0] ?? flat(record.question)}": ${flat(record.answer ?? record.groundTruth ?? '')}`;
  }
  return `- ${flat(questionContent(task, record.question))} → ${flat(record.groundTruth ?? record.answer ?? '')}`;
}
