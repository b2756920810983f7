import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatReport } from '../src/core/alignment.js';
import { selectItems } from '../src/core/alignment/batch-selection.js';
import { AlignmentRecords } from '../src/memory/alignment-records.js';
import { member } from './support/events.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { RecordingChat } from './support/recording-chat.js';
import { alignerFor, firstKind, foodLessons, installBrain, itemQuestions, judgedItems, kindOf, questionOf, teach, type Kind, type Overrides } from './support/scripted-alignment.js';

const alice = member('alice');
const heldOutOnly = 'the new persona answered only the held-out questions, which saves a model call per batch question';
/** A label older than the six of `lessons`. */
const earlier = { question: 'which jam on my toast?', answer: 'strawberry', truth: 'bitter orange marmalade' };

/** Six questions: the first three become the held-out set, the last three the batch. */
const lessons = foodLessons;
const improved = 'IMPROVED persona. Alice likes blue cheese, white wine, flat whites, sourdough, rooibos and figs. Call search_memory.';

let t: TestBot;
let chat: RecordingChat;
let records: AlignmentRecords;
let persona: string;

function brain(overrides: Overrides = {}): void {
  t.ollama.reset();
  installBrain(t, { lessons, persona: () => persona, overrides });
}

function requests(kind: ReturnType<typeof kindOf>): string[] {
  return t.ollama.chats().filter((body) => kindOf(body) === kind).map(questionOf);
}

beforeEach(async () => {
  t = await createTestBot();
  chat = new RecordingChat();
  records = new AlignmentRecords(t.store.db);
  persona = improved;
});
afterEach(async () => t.close());

describe('held-out selection', () => {
  it('never puts a batch item in the held-out set, whatever the number of labelled answers', async () => {
    const id = await teach(t, chat, alice, lessons);
    const ids = t.store.listInteractions(id).map((item) => item.id).reverse();
    for (const [batchSize, heldOutSize] of [[3, 3], [2, 3], [4, 2], [6, 3], [1, 5]] as const) {
      const { batch, heldOut, heldOutNote } = selectItems(t.store, id, batchSize, heldOutSize);
      expect(batch.map((item) => item.id)).toEqual(ids.slice(-batchSize));
      expect(heldOut.some((item) => batch.some((other) => other.id === item.id))).toBe(false);
      if (batchSize + heldOutSize <= lessons.length) {
        // The next-latest labelled answers, oldest first.
        expect(heldOut.map((item) => item.id)).toEqual(ids.slice(-(batchSize + heldOutSize), -batchSize));
        expect(heldOutNote).toBeNull();
      } else {
        expect(heldOut).toEqual([]);
        expect(heldOutNote).toBe(`too few labelled answers to hold any out: 6 labelled, ${batchSize + heldOutSize} needed`);
      }
    }
  });

  it('orders by when an answer was labelled: a late label on an old answer puts it in the batch', async () => {
    const id = await teach(t, chat, alice, lessons);
    const oldest = t.store.listInteractions(id).at(-1)!;
    // Later than every label teach() gave, even when they fell in the same millisecond.
    const later = new Date(Math.max(...t.store.listInteractions(id).map((item) => item.feedbackAt?.getTime() ?? 0)) + 1_000);
    t.store.applyFeedback(oldest.id, { feedback: 'positive', groundTruth: oldest.answer, correctionMessageId: null, candidateText: null, candidateMessageId: null, at: later });
    const { batch, heldOut } = selectItems(t.store, id, 3, 3);
    expect(batch.at(-1)!.id).toBe(oldest.id);
    expect(heldOut.map((item) => item.id)).not.toContain(oldest.id);
  });
});

describe('held-out validation', () => {
  it('checks a rewrite on questions it was not written from, in at most 8 model calls (n = 3, short labels)', async () => {
    // One label older than the six, so the profile has something it may fold, as it does once a member has a history.
    const id = await teach(t, chat, alice, [earlier, ...lessons]);
    const items = t.store.listInteractions(id).reverse().slice(1);
    const ids = items.map((item) => item.id);
    const live = t.store.livePersona(id)!;
    brain();

    const report = await alignerFor(t).alignMember(id);

    expect(report).toMatchObject({ outcome: 'accepted', heldOutBefore: 0, heldOutAfter: 1, scoreBefore: 0 });
    expect(report.scoreAfter).toBeUndefined();
    // The live persona's answers are the stored ones; only the candidate answers again, and only the held-out questions.
    expect(report.calls).toEqual({ profile: 1, replay: 3, feedback: 1, rewrite: 1, judge: 0 });
    // What the model was asked, counted at the model: within 8.
    expect(t.ollama.chats()).toHaveLength(report.modelCalls);
    expect(report.modelCalls).toBe(6);
    expect(report.modelCalls).toBeLessThanOrEqual(8);
    expect(requests('agent')).toEqual(lessons.slice(0, 3).map((lesson) => lesson.question));
    expect(t.ollama.chats().filter((body) => kindOf(body) === 'feedback-batch').map(itemQuestions)).toEqual([lessons.slice(3).map((lesson) => lesson.question)]);
    expect(t.ollama.chats().find((body) => kindOf(body) === 'profile')!.messages[0]!.content).toContain(`corrected to: ${earlier.truth}`);
    expect(formatReport(report)).toMatch(
      /: accepted \(learned from 3 labelled answers, held out 0\.00 → 1\.00, batch 0\.00 → not measured \(the new persona answered only the held-out questions, which saves a model call per batch question\)\); 6 model calls \(profile 1, replay 3, feedback 1, rewrite 1, judge 0\), \d+\.\d s$/,
    );

    const version = t.store.livePersona(id)!;
    expect(version).toMatchObject({ text: improved, scoreBefore: 0, scoreAfter: null, batchIds: ids.slice(3) });
    expect(records.validations(id).get(version.id)).toEqual({ versionId: version.id, heldOutIds: ids.slice(0, 3), heldOutBefore: 0, heldOutAfter: 1, note: null });
    // Kept for the next run: the old persona's answers and scores on all six, the new one's on the three it answered.
    expect([...records.answers(live.id, items).values()].map((row) => [row.answer, row.score])).toEqual(lessons.map((lesson) => [lesson.answer, 0]));
    expect([...records.answers(version.id, items).values()].map((row) => [row.answer, row.score])).toEqual(lessons.slice(0, 3).map((lesson) => [lesson.truth, 1]));
    // Scores stand against the ground truth they were given on, which is kept only as a hash.
    const liveRows = JSON.stringify(t.store.db.prepare('SELECT * FROM persona_answers WHERE persona_version_id = ?').all(live.id));
    for (const truth of ['blue cheese', 'flat white', 'sourdough', 'rooibos', 'figs']) expect(liveRows).not.toContain(truth);
    expect(records.answers(version.id, items.map((item) => ({ ...item, groundTruth: `${item.groundTruth}, edited` }))).get(ids[0]!)).toMatchObject({ score: null });

    await t.bot.handle({ kind: 'command', name: 'persona', member: alice, channelId: 'c1', args: ['view'], at: new Date() }, chat);
    expect(chat.privates.at(-1)!.text).toContain(
      `Before it went live it was checked on 3 labelled questions it was not written from: 0.00 → 1.00 (out of 1); on the 3 it was written from the old one scored 0.00, and the new one was not measured (${heldOutOnly}).`,
    );
    await t.bot.handle({ kind: 'command', name: 'persona', member: alice, channelId: 'c1', args: ['history'], at: new Date() }, chat);
    expect(chat.privates.at(-1)!.text).toContain(`held out 0.00 → 1.00 · batch 0.00 → not measured (${heldOutOnly})`);
  });

  it('rejects a rewrite that does worse on the held-out questions', async () => {
    const id = await teach(t, chat, alice, lessons);
    const live = t.store.livePersona(id)!;
    // 👍 on the three held-out answers: the live persona had them right; the candidate does not.
    for (const item of t.store.listInteractions(id).slice(3)) {
      t.store.applyFeedback(item.id, { feedback: 'positive', groundTruth: item.answer, correctionMessageId: null, candidateText: null, candidateMessageId: null, at: new Date(0) });
    }
    persona = 'WORSE persona. Call search_memory.';
    brain({ agent: () => ({ content: 'no idea' }) });
    const report = await alignerFor(t).alignMember(id);
    expect(report).toMatchObject({ outcome: 'rejected', heldOutBefore: 1, heldOutAfter: 0 });
    expect(report.reason).toBe('rewrite rejected: it scored worse on the held-out questions (1.00 → 0.00)');
    expect(formatReport(report)).toContain(`, held out 1.00 → 0.00, batch 0.00 → not measured (${heldOutOnly})); `);
    expect(t.store.livePersona(id)!.id).toBe(live.id);
  });

  it('says so, and checks on the batch, when the member has too few labelled answers to hold any out', async () => {
    const id = await teach(t, chat, alice, lessons.slice(0, 4));
    brain();
    const report = await alignerFor(t).alignMember(id);
    expect(report).toMatchObject({ outcome: 'accepted', scoreBefore: 0, scoreAfter: 1 });
    expect(report.heldOutBefore).toBeUndefined();
    expect(report.reason).toBe('learned from 3 labelled answers; checked on the batch (too few labelled answers to hold any out: 4 labelled, 6 needed)');
    const version = t.store.livePersona(id)!;
    expect(records.validations(id).get(version.id)).toMatchObject({ heldOutIds: [], heldOutBefore: null, heldOutAfter: null, note: 'too few labelled answers to hold any out: 4 labelled, 6 needed' });
  });

  it('judges both personas in one call and reuses the live persona\'s scores on the next run', async () => {
    const wordy = lessons.map((lesson) => ({ ...lesson, truth: `${lesson.truth}, as always, every single time` }));
    const id = await teach(t, chat, alice, wordy);
    persona = 'WORSE persona. Call search_memory.';
    const judgeScores = (body: Parameters<typeof judgedItems>[0]) => ({ content: JSON.stringify({ scores: judgedItems(body).map((answer) => (answer === 'no idea' ? 1 : 4)) }) });
    brain({ agent: () => ({ content: 'no idea' }), judge: judgeScores });

    const first = await alignerFor(t).alignMember(id);
    expect(first).toMatchObject({ outcome: 'rejected' });
    expect(first.heldOutBefore).toBeCloseTo(0.4);
    expect(first.heldOutAfter).toBeCloseTo(0.1);
    // One call for the live persona's six answers and the candidate's three.
    expect(t.ollama.chats().filter((body) => kindOf(body) === 'judge').map((body) => judgedItems(body).length)).toEqual([9]);
    expect(first.calls).toEqual({ profile: 0, replay: 3, feedback: 1, rewrite: 1, judge: 1 });

    // An edited correction invalidates that one score; the others are reused.
    const edited = t.store.listInteractions(id).at(-1)!;
    t.store.applyFeedback(edited.id, { feedback: 'negative_corrected', groundTruth: 'blue cheese, but only on Sundays', correctionMessageId: edited.correctionMessageId, candidateText: null, candidateMessageId: null, at: new Date() });
    brain({ agent: () => ({ content: 'no idea' }), judge: judgeScores });
    const second = await alignerFor(t).alignMember(id);
    expect(second.calls).toEqual({ profile: 0, replay: 3, feedback: 1, rewrite: 1, judge: 1 });
    expect(t.ollama.chats().filter((body) => kindOf(body) === 'judge').map(judgedItems)).toEqual([['cheddar', 'no idea', 'no idea', 'no idea']]);
  });
});

/** Nine questions answered with free text, oldest first. */
const freeText = [
  { question: 'what should I drink at the wedding?', answer: 'champagne', truth: 'a smoky mezcal negroni with an orange twist, never anything sparkling' },
  { question: 'how should I spend a rainy sunday?', answer: 'watch a film', truth: 'repotting the monstera while old Fela Kuti records play all afternoon' },
  { question: 'what pudding for the dinner party?', answer: 'tiramisu', truth: 'a quince and cardamom tarte tatin, served warm with crème fraîche' },
  { question: 'plan my saturday', answer: 'sleep in', truth: 'a long hike in the hills then a big dinner with friends' },
  { question: 'suggest a book', answer: 'a thriller', truth: 'something slow and literary, ideally a Russian classic' },
  { question: 'what should I cook tonight?', answer: 'pasta', truth: 'a spicy curry with plenty of vegetables and rice' },
  { question: 'where should we go on holiday?', answer: 'a beach resort', truth: 'a walking tour of the Scottish islands, staying in bothies' },
  { question: 'what film for friday night?', answer: 'a superhero film', truth: 'an old Kurosawa samurai epic with subtitles' },
  { question: 'what present for my sister?', answer: 'flowers', truth: 'a pottery class at the studio by the canal' },
];

/** Every request made while writing a candidate (profile, feedback, rewrite and their retries), as one text each. */
function writingPrompts(): string[] {
  return t.ollama
    .chats()
    .filter((body) => !['agent', 'judge'].includes(firstKind(body)))
    .map((body) => body.messages.map((message) => message.content).join('\n'));
}

describe('held-out validation with free-text corrections', () => {
  it('never shows a held-out correction to the rewrite: not in this run, nor in the next, when this batch is held out', async () => {
    // A profile that repeats what it was shown: whatever reaches the profile reaches the rewrite.
    const echo: Overrides = { profile: (body) => ({ content: `Seen: ${body.messages[0]!.content}` }) };
    const run = async (heldOut: typeof freeText, batch: typeof freeText) => {
      t.ollama.reset();
      installBrain(t, { lessons: freeText, persona: () => persona, overrides: echo });
      const report = await alignerFor(t).alignMember(id);
      expect(report.outcome).toBe('accepted');
      const version = t.store.livePersona(id)!;
      expect(t.store.interactions(records.validations(id).get(version.id)!.heldOutIds).map((item) => item.question)).toEqual(heldOut.map((lesson) => lesson.question));
      const prompts = writingPrompts();
      expect(prompts.some((prompt) => prompt.startsWith('You are a prompt-engineering assistant'))).toBe(true);
      for (const lesson of heldOut) for (const prompt of prompts) expect(prompt).not.toContain(lesson.truth);
      // The batch reaches the rewrite through the feedback.
      for (const lesson of batch) expect(prompts.join('\n')).toContain(lesson.truth);
      return prompts.find((prompt) => prompt.startsWith('You are a prompt-engineering assistant'))!;
    };
    const id = await teach(t, chat, alice, freeText.slice(0, 6));
    const first = await run(freeText.slice(0, 3), freeText.slice(3, 6));
    expect(first).toContain('(none yet)');

    // Three more labels: the first run's batch is now held out, and the first run's held-out questions are history.
    await teach(t, chat, alice, freeText.slice(6));
    const second = await run(freeText.slice(3, 6), freeText.slice(6));
    for (const lesson of freeText.slice(0, 3)) expect(second).toContain(`corrected to: ${lesson.truth}`);
  });

  it('costs at most 8 model calls with n = 3, as the bot is set up (batched feedback, memory prefetched before a replay)', async () => {
    // Three older labels for the profile to fold, the six of the check, with free-text corrections that need the judge.
    const id = await teach(t, chat, alice, freeText);
    expect(t.config.MEMORY_PREFETCH).toBe(true);
    brain({
      // A model that searches the member's memory first unless it was searched already.
      agent: (body) => (body.messages.some((message) => message.role === 'tool') ? { content: 'I would go for what you told me last time' } : { toolCalls: [{ name: 'search_memory', arguments: { query: questionOf(body) } }] }),
      judge: (body) => ({ content: JSON.stringify({ scores: judgedItems(body).map((answer) => (answer.includes('last time') ? 6 : 2)) }) }),
    });

    const report = await t.core.aligner.alignMember(id);

    expect(report.outcome).toBe('accepted');
    expect(report.heldOutBefore).toBeCloseTo(0.2);
    expect(report.heldOutAfter).toBeCloseTo(0.6);
    expect(report.calls).toEqual({ profile: 1, replay: 3, feedback: 1, rewrite: 1, judge: 1 });
    // What the model was asked, counted at the model: within 8, and what `align` prints.
    const asked = t.ollama.chats().map(kindOf);
    expect(asked).toHaveLength(report.modelCalls);
    expect(asked.length).toBeLessThanOrEqual(8);
    const counted = (kind: Kind) => asked.filter((found) => found === kind).length;
    expect({ profile: counted('profile'), replay: counted('agent'), feedback: counted('feedback-batch'), rewrite: counted('update'), judge: counted('judge') }).toEqual(report.calls);
    expect(formatReport(report)).toContain('; 7 model calls (profile 1, replay 3, feedback 1, rewrite 1, judge 1), ');
    // Each replay was one call: the memory was searched before it, as for a live answer.
    for (const body of t.ollama.chats().filter((body) => kindOf(body) === 'agent')) expect(body.messages.find((message) => message.role === 'tool')!.content).toContain("This member's memory was already searched");
    // The live persona's six stored answers and the candidate's three, in one judge call.
    expect(t.ollama.chats().filter((body) => kindOf(body) === 'judge').map(judgedItems)).toEqual([[...freeText.slice(3).map((lesson) => lesson.answer), ...Array(3).fill('I would go for what you told me last time')]]);
  });
});
