import pino from 'pino';
import { Aligner, type AlignmentSettings } from '../../src/core/alignment.js';
import type { MemberKey } from '../../src/core/ports.js';
import { AlignmentRecords } from '../../src/memory/alignment-records.js';
import type { OllamaChatBody, ScriptedReply } from '../fakes/fake-ollama.js';
import { mention, reaction, reply } from './events.js';
import type { TestBot } from './harness.js';
import type { RecordingChat } from './recording-chat.js';

/** A question, the bot's wrong answer and the member's correction. */
export interface Lesson {
  question: string;
  answer: string;
  truth: string;
}

/** Alice's questions, the bot's wrong answers and her corrections, oldest first. */
export const foodLessons: Lesson[] = [
  { question: 'which cheese on my burger?', answer: 'cheddar', truth: 'blue cheese' },
  { question: 'which wine with fish?', answer: 'red', truth: 'white' },
  { question: 'how do I take my coffee?', answer: 'black', truth: 'flat white' },
  { question: 'which bread for toast?', answer: 'white', truth: 'sourdough' },
  { question: 'tea or coffee at night?', answer: 'coffee', truth: 'rooibos' },
  { question: 'which fruit for dessert?', answer: 'apple', truth: 'figs' },
];

/** What each request to the fake model was, from the prompt it carries. */
export type Kind = 'profile' | 'feedback' | 'feedback-batch' | 'update' | 'judge' | 'retry' | 'agent';

/** Replies that replace the scripted brain's, per kind of request; undefined falls through. */
export type Overrides = Partial<Record<Kind, (body: OllamaChatBody) => ScriptedReply | undefined>>;

/** Classifies a request to the fake model. */
export function kindOf(body: OllamaChatBody): Kind {
  if (body.messages.some((message) => message.content.startsWith('Your previous reply could not be used'))) return 'retry';
  return firstKind(body);
}

/** What a request was first asked for (a retry is classified by the request it retries). */
export function firstKind(body: OllamaChatBody): Exclude<Kind, 'retry'> {
  const first = body.messages.find((message) => message.role !== 'system')?.content ?? '';
  if (first.startsWith('You maintain a short profile')) return 'profile';
  if (first.startsWith('You are a critical evaluator')) return body.format ? 'feedback-batch' : 'feedback';
  if (first.startsWith('You are a prompt-engineering assistant')) return 'update';
  if (first.startsWith('Rate how well')) return 'judge';
  return 'agent';
}

/** The answers one judge call rates, in item order. */
export function judgedItems(body: OllamaChatBody): string[] {
  return [...body.messages[0]!.content.matchAll(/^Assistant's answer: (.*)$/gm)].map((match) => match[1]!);
}

/** The questions a judge or batched feedback request is about, in item order. */
export function itemQuestions(body: OllamaChatBody): string[] {
  return [...body.messages[0]!.content.matchAll(/^Question: (.*)$/gm)].map((match) => match[1]!);
}

/** The question an agent request is about (its first user message). */
export function questionOf(body: OllamaChatBody): string {
  return body.messages.find((message) => message.role === 'user')?.content ?? '';
}

/**
 * A model that plays every role: the agent answers right only under a persona starting with IMPROVED
 * (and with the stored wrong answer otherwise), feedback names the question, the update returns `persona()`.
 */
export function installBrain(t: TestBot, options: { lessons: Lesson[]; persona: () => string; overrides?: Overrides }): void {
  const { lessons, overrides = {} } = options;
  const lessonFor = (text: string) => lessons.find((lesson) => text.includes(lesson.question));
  t.ollama.respond((body) => {
    const kind = kindOf(body);
    const override = overrides[kind]?.(body);
    if (override) return override;
    switch (kind) {
      case 'profile':
        return { content: 'Alice is particular about food and drink.' };
      case 'feedback':
        return { content: feedbackOn(lessonFor(body.messages.at(-1)!.content)?.question) };
      case 'feedback-batch':
        return { content: batchFeedback(body) };
      case 'retry':
        if (firstKind(body) === 'feedback-batch') return { content: batchFeedback(body) };
        return { content: JSON.stringify({ persona: options.persona() }) };
      case 'update':
        return { content: JSON.stringify({ persona: options.persona() }) };
      case 'judge':
        return { content: JSON.stringify({ scores: judgedItems(body).map(() => 5) }) };
      default: {
        const system = body.messages.find((message) => message.role === 'system')?.content ?? '';
        const lesson = lessonFor([...body.messages].reverse().find((message) => message.role === 'user')?.content ?? '');
        return { content: system.startsWith('IMPROVED') ? (lesson?.truth ?? 'ok') : (lesson?.answer ?? 'ok') };
      }
    }
  });
}

function feedbackOn(question: string | undefined): string {
  return `Feedback: search for "${question}" and state her tastes.`;
}

/** The scripted brain's reply to a batched feedback request: one text per item, naming its question. */
export function batchFeedback(body: OllamaChatBody): string {
  return JSON.stringify({ feedback: itemQuestions(body).map(feedbackOn) });
}

/** `who` asks each question, gets the lesson's answer, 👎s it and replies with the right one. Returns the member id. */
export async function teach(t: TestBot, chat: RecordingChat, who: MemberKey, items: Lesson[]): Promise<number> {
  for (const lesson of items) {
    t.ollama.script({ content: lesson.answer });
    await t.bot.handle(mention(who, lesson.question), chat);
    const answerId = chat.last().messageIds[0]!;
    await t.bot.handle(reaction(who, answerId, '👎'), chat);
    await t.bot.handle(reply(who, answerId, lesson.truth), chat);
  }
  return t.store.findMember(who)!;
}

/** An aligner over the test bot's core with n = 3, three held out, E = 1, batched feedback, validated, unless `settings` says otherwise. */
export function alignerFor(t: TestBot, settings: Partial<AlignmentSettings> = {}): Aligner {
  const { core } = t;
  return new Aligner({
    store: core.store,
    records: new AlignmentRecords(core.store.db),
    model: core.model,
    prompts: core.prompts,
    agent: core.agent,
    personas: core.personas,
    profiles: core.profiles,
    logger: pino({ level: 'silent' }),
    temperature: 0.1,
    settings: { batchSize: 3, heldOutSize: 3, iterations: 1, feedback: 'batched', validate: true, maxChars: 4000, concurrency: 1, ...settings },
  });
}
