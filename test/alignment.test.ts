import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatReport, type Aligner, type AlignmentSettings } from '../src/core/alignment.js';
import type { MemberKey } from '../src/core/ports.js';
import { scheduleAlignment } from '../src/jobs/alignment-job.js';
import { mention, member } from './support/events.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { RecordingChat } from './support/recording-chat.js';
import { alignerFor, batchFeedback, foodLessons, installBrain, judgedItems, kindOf, teach as teachLessons, type Kind, type Overrides } from './support/scripted-alignment.js';

const alice = member('alice');
const bob = member('bob');
const silent = pino({ level: 'silent' });

/** Alice's three questions, the bot's wrong answers and her corrections. */
const lessons = foodLessons.slice(0, 3);

const improved = 'IMPROVED persona. Alice likes blue cheese, white wine with fish and flat whites. Call search_memory at least once.';

let t: TestBot;
let chat: RecordingChat;
let personaForUpdate: string;

function brain(overrides: Overrides = {}): void {
  installBrain(t, { lessons, persona: () => personaForUpdate, overrides });
}

function kinds(): Kind[] {
  return t.ollama.chats().map(kindOf);
}

function count(kind: Kind): number {
  return kinds().filter((found) => found === kind).length;
}

/** Alice (or `who`) asks each question, 👎s the answer and replies with the right one. */
function teach(who: MemberKey = alice, items = lessons): Promise<number> {
  return teachLessons(t, chat, who, items);
}

function aligner(settings: Partial<AlignmentSettings> = {}): Aligner {
  return alignerFor(t, settings);
}

beforeEach(async () => {
  t = await createTestBot();
  chat = new RecordingChat();
  personaForUpdate = improved;
});
afterEach(async () => t.close());

describe('test-time alignment', () => {
  it('rewrites the persona of a member with three corrections from prompts that carry them', async () => {
    const id = await teach();
    const before = t.store.livePersona(id)!;
    t.ollama.reset();
    brain();

    const reports = await t.core.aligner.run();

    expect(reports).toMatchObject([{ memberId: id, outcome: 'accepted', scoreBefore: 0, scoreAfter: 1 }]);
    const history = t.store.personaHistory(id, 10);
    expect(history).toHaveLength(2);
    const latest = history[0]!;
    expect(latest).toMatchObject({ text: improved, reason: 'aligned', model: 'test-chat', scoreBefore: 0, scoreAfter: 1, correctionsLearned: 3 });
    expect(latest.batchIds).toEqual(t.store.listInteractions(id).map((item) => item.id).reverse());
    // One feedback text per item, from one call for the whole batch (the bot's setting).
    expect(latest.feedback).toEqual(lessons.map((lesson) => `Feedback: search for "${lesson.question}" and state her tastes.`));
    expect(Object.keys(latest.promptVersions)).toEqual(expect.arrayContaining(['feedback-batch', 'update', 'judge']));

    const feedbackRequests = t.ollama.chats().filter((body) => kindOf(body) === 'feedback-batch');
    expect(feedbackRequests).toHaveLength(1);
    expect(feedbackRequests[0]!.format).toMatchObject({ type: 'object', required: ['feedback'], properties: { feedback: { type: 'array', minItems: 3, maxItems: 3 } } });
    const prompt = feedbackRequests[0]!.messages[0]!.content;
    expect(prompt).toContain(before.text);
    for (const [index, lesson] of lessons.entries()) {
      expect(prompt).toContain(`Item ${index + 1}\nQuestion: ${lesson.question}\nAnswer the member wanted: ${lesson.truth}\nAssistant's answer: ${lesson.answer}`);
    }
    const update = t.ollama.chats().find((body) => kindOf(body) === 'update')!;
    expect(update.format).toMatchObject({ type: 'object', required: ['persona'] });
    expect(update.messages[0]!.content).toContain(before.text);
    // Her three labels may be held out next time, so the profile does not fold them yet.
    expect(count('profile')).toBe(0);
    expect(update.messages[0]!.content).toContain('(none yet)');
    for (const lesson of lessons) expect(update.messages[0]!.content).toContain(lesson.question);

    // The ground truth is now taken into account: the next run does nothing.
    t.ollama.reset();
    expect(await t.core.aligner.run()).toEqual([]);
    expect(t.ollama.chats()).toHaveLength(0);
  });

  it('reuses answers the live persona gave and simulates the rest (n = 3, E = 1)', async () => {
    const id = await teach();
    t.ollama.reset();
    brain();
    const reused = await aligner().alignMember(id);
    // feedback 1 + update 1 + replay with the candidate 3; the live persona's answers are reused (the profile waits: see held-out.test.ts).
    expect({ profile: count('profile'), agent: count('agent'), feedback: count('feedback-batch'), update: count('update'), judge: count('judge') }).toEqual({ profile: 0, agent: 3, feedback: 1, update: 1, judge: 0 });
    expect(reused.modelCalls).toBe(5);

    // After a reset the stored answers came from another persona: all three are simulated again.
    t.core.personas.reset(id);
    t.ollama.reset();
    brain();
    const simulated = await aligner().alignMember(id);
    expect({ profile: count('profile'), agent: count('agent'), feedback: count('feedback-batch'), update: count('update') }).toEqual({ profile: 0, agent: 6, feedback: 1, update: 1 });
    expect(simulated.modelCalls).toBe(8);
    expect(simulated.modelCalls).toBe(t.ollama.chats().length);

    // Without validation and with one feedback call per item (the paper's plain Algorithm 1, as the evaluation runs it) there is no replay,
    // and nothing is held out, so the profile folds all three labels.
    t.core.personas.reset(id);
    t.ollama.reset();
    brain();
    const plain = await aligner({ validate: false, feedback: 'per-item' }).alignMember(id);
    expect(plain).toMatchObject({ outcome: 'accepted', modelCalls: 8, calls: { profile: 1, replay: 3, feedback: 3, rewrite: 1, judge: 0 } });
    const perItem = t.ollama.chats().filter((body) => kindOf(body) === 'feedback').map((body) => body.messages[0]!.content);
    expect(perItem).toHaveLength(3);
    for (const [index, lesson] of lessons.entries()) {
      expect(perItem[index]).toContain(`Question: ${lesson.question}\nAnswer the member wanted: ${lesson.truth}`);
      for (const other of lessons.filter((_, position) => position !== index)) expect(perItem[index]).not.toContain(other.question);
    }
    expect(Object.keys(t.store.livePersona(id)!.promptVersions)).toContain('feedback');
    expect(t.store.livePersona(id)).toMatchObject({ text: improved, scoreBefore: null, scoreAfter: null });
    // `/persona` says why it has no score, rather than nothing.
    await t.bot.handle({ kind: 'command', name: 'persona', member: alice, channelId: 'c1', args: ['view'], at: new Date() }, chat);
    expect(chat.privates.at(-1)!.text).toContain('Its score on the 3 questions it was written from was not measured: it went live without a replay, with ALIGN_VALIDATE=false.');
    await t.bot.handle({ kind: 'command', name: 'persona', member: alice, channelId: 'c1', args: ['history'], at: new Date() }, chat);
    expect(chat.privates.at(-1)!.text).toContain('· batch not measured (it went live without a replay, with ALIGN_VALIDATE=false)');
  });

  it('runs E rounds, each learning from the previous round\'s answers, and writes one version', async () => {
    const id = await teach();
    t.ollama.reset();
    let rounds = 0;
    brain({
      update: () => {
        rounds += 1;
        return { content: JSON.stringify({ persona: `${improved} Round ${rounds}.` }) };
      },
    });
    const report = await aligner({ iterations: 2 }).alignMember(id);
    expect(report).toMatchObject({ outcome: 'accepted', scoreBefore: 0, scoreAfter: 1 });
    expect(count('update')).toBe(2);
    // Round 2's feedback is about the round-1 persona's answers (the right ones), not the stored wrong ones.
    const feedback = t.ollama.chats().filter((body) => kindOf(body) === 'feedback-batch').map((body) => body.messages[0]!.content);
    expect(feedback).toHaveLength(2);
    for (const [index, lesson] of lessons.entries()) expect(feedback[1]).toContain(`Question: ${lesson.question}\nAnswer the member wanted: ${lesson.truth}\nAssistant's answer: ${lesson.truth}`);
    expect(feedback[1]).toContain('Round 1.');
    const history = t.store.personaHistory(id, 10);
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ text: `${improved} Round 2.` });
    expect(history[0]!.feedback).toHaveLength(6);
  });

  it("never lets a simulated question see its own row or later ones in memory", async () => {
    const id = await teach();
    t.core.personas.reset(id);
    t.ollama.reset();
    const toolResults = new Map<string, string>();
    brain({
      agent: (body) => {
        const question = body.messages.find((message) => message.role === 'user')!.content;
        const tool = body.messages.find((message) => message.role === 'tool');
        if (!tool) return { toolCalls: [{ name: 'search_memory', arguments: { query: question } }] };
        toolResults.set(question, tool.content);
        return { content: 'noted' };
      },
    });
    await aligner({ validate: false }).alignMember(id);

    expect([...toolResults.keys()].sort()).toEqual(lessons.map((lesson) => lesson.question).sort());
    for (const [index, lesson] of lessons.entries()) {
      const seen = toolResults.get(lesson.question)!;
      for (const [other, otherLesson] of lessons.entries()) {
        if (other < index) expect(seen).toContain(otherLesson.truth);
        else expect(seen).not.toContain(otherLesson.truth);
      }
    }
  });

  it('leaves members without new ground truth alone', async () => {
    await teach(alice);
    t.ollama.script({ content: 'an answer' });
    await t.bot.handle(mention(bob, 'a question without feedback'), chat);
    const bobId = t.store.findMember(bob)!;
    t.ollama.reset();
    brain();

    const reports = await t.core.aligner.run();

    expect(reports.map((report) => report.member)).toEqual(['discord:w1:alice']);
    expect(t.store.personaHistory(bobId, 10).map((version) => version.reason)).toEqual(['init']);
    expect(t.ollama.chats().some((body) => JSON.stringify(body).includes('a question without feedback'))).toBe(false);
  });

  it('aligns a member again only when new ground truth arrives', async () => {
    const id = await teach(alice, lessons.slice(0, 2));
    brain();
    await t.core.aligner.run();
    expect(t.store.membersDueForAlignment(10)).toEqual([]);
    await teach(alice, lessons.slice(2));
    expect(t.store.membersDueForAlignment(10)).toEqual([id]);
  });

  it('does not start a run while one is going: two overlapping ticks run once', async () => {
    await teach();
    t.ollama.reset();
    brain({ 'feedback-batch': (body) => ({ content: batchFeedback(body), delayMs: 50 }) });
    const job = scheduleAlignment({ aligner: t.core.aligner, cron: '0 0 1 1 *', logger: silent, maxMembers: 10, runTimeoutMs: 60_000 });
    try {
      const [first, second] = await Promise.all([job.runNow(), job.runNow()]);
      expect(second).toBe('busy');
      expect(first).toMatchObject([{ outcome: 'accepted' }]);
      expect(count('update')).toBe(1);
      expect(t.store.personaHistory(t.store.findMember(alice)!, 10)).toHaveLength(2);
    } finally {
      await job.stop();
    }
  });

  it('keeps the live persona when the model fails mid-run, and retries the member next run', async () => {
    const id = await teach();
    const live = t.store.livePersona(id)!;
    t.ollama.reset();
    brain({ update: () => ({ status: 500, error: 'model crashed' }) });

    const [failed] = await t.core.aligner.run();

    expect(failed).toMatchObject({ outcome: 'failed' });
    expect(t.store.livePersona(id)!.id).toBe(live.id);
    expect(t.store.lastAlignmentRun(id)).toBeUndefined();
    expect(t.store.membersDueForAlignment(10)).toEqual([id]);
    // Kept for the dashboard, apart from the runs that count as having taken the ground truth in.
    expect(t.store.db.prepare('SELECT member_id AS memberId, model_calls AS modelCalls FROM alignment_failures').all()).toEqual([{ memberId: id, modelCalls: failed!.modelCalls }]);

    t.ollama.reset();
    brain();
    expect(await t.core.aligner.run()).toMatchObject([{ outcome: 'accepted' }]);
  });

  it('cancels cleanly when the run is aborted', async () => {
    const id = await teach();
    const live = t.store.livePersona(id)!;
    t.ollama.reset();
    const cancel = new AbortController();
    brain({
      'feedback-batch': () => {
        cancel.abort(new Error('shutting down'));
        return { content: 'late', delayMs: 200 };
      },
    });
    const [report] = await t.core.aligner.run({ signal: cancel.signal });
    expect(report).toMatchObject({ outcome: 'failed' });
    expect(t.store.livePersona(id)!.id).toBe(live.id);
    expect(t.store.membersDueForAlignment(10)).toEqual([id]);
  });

  it.each([
    ['empty', '   ', 'empty'],
    ['too long', `Call search_memory. ${'x'.repeat(5000)}`, 'over the 4000 limit'],
    ['without the tool rules', 'Alice likes blue cheese. Answer briefly.', 'search_memory is not mentioned'],
  ])('rejects a rewrite that is %s', async (_name, rewrite, reason) => {
    const id = await teach();
    const live = t.store.livePersona(id)!;
    personaForUpdate = rewrite;
    t.ollama.reset();
    brain();

    const [report] = await t.core.aligner.run();

    expect(report).toMatchObject({ outcome: 'rejected' });
    expect(report!.reason).toContain(reason);
    // Nothing was replayed: the line `align` prints says why there is no score after the rewrite.
    expect(report).toMatchObject({ scoreAfterMissing: 'the rewrite was rejected before it answered any question' });
    expect(formatReport(report!)).toContain(', score not measured (the rewrite was rejected before it answered any question)); 2 model calls');
    expect(t.store.livePersona(id)!.id).toBe(live.id);
    expect(t.store.lastAlignmentRun(id)).toMatchObject({ outcome: 'rejected' });
    expect(t.store.membersDueForAlignment(10)).toEqual([]);
  });

  it('rejects a rewrite that answers the batch worse than the live persona', async () => {
    const id = await teach();
    const live = t.store.livePersona(id)!;
    personaForUpdate = 'WORSE persona. Call search_memory once.';
    t.ollama.reset();
    // The live persona's answers are right this time (👍 on each), the candidate's are not.
    brain({ agent: () => ({ content: 'something else' }) });
    for (const item of t.store.listInteractions(id)) {
      t.store.applyFeedback(item.id, { feedback: 'positive', groundTruth: item.answer, correctionMessageId: null, candidateText: null, candidateMessageId: null, at: new Date() });
    }

    const [report] = await t.core.aligner.run();

    expect(report).toMatchObject({ outcome: 'rejected', scoreBefore: 1, scoreAfter: 0 });
    expect(report!.reason).toContain('scored worse on the batch (1.00 → 0.00)');
    expect(t.store.livePersona(id)!.id).toBe(live.id);
  });

  it('asks a judge for long answers and scores with its structured reply', async () => {
    const long = [
      { question: 'plan my saturday', answer: 'sleep in', truth: 'a long hike in the hills then a big dinner with friends' },
      { question: 'suggest a book', answer: 'a thriller', truth: 'something slow and literary, ideally a Russian classic' },
      { question: 'what should I cook', answer: 'pasta', truth: 'a spicy curry with plenty of vegetables and rice' },
    ];
    const id = await teach(alice, long);
    t.ollama.reset();
    let judged = 0;
    brain({
      judge: (body) => {
        judged += 1;
        // The candidate's answers (under the improved persona) are judged better.
        return { content: JSON.stringify({ scores: judgedItems(body).map((answer) => (answer === 'ok' ? 8 : 2)) }) };
      },
    });
    const report = await aligner().alignMember(id);
    // One judge call for both personas, rating all six answers as one JSON list.
    expect(judged).toBe(1);
    const judges = t.ollama.chats().filter((body) => kindOf(body) === 'judge');
    expect(judges.map(judgedItems)).toEqual([['sleep in', 'a thriller', 'pasta', 'ok', 'ok', 'ok']]);
    expect(judges[0]!.format).toMatchObject({ type: 'object', required: ['scores'], properties: { scores: { type: 'array', minItems: 6, maxItems: 6 } } });
    expect(report.calls).toEqual({ profile: 0, replay: 3, feedback: 1, rewrite: 1, judge: 1 });
    expect(report).toMatchObject({ outcome: 'accepted' });
    expect(report.scoreBefore).toBeCloseTo(0.2);
    expect(report.scoreAfter).toBeCloseTo(0.8);
  });

  it('retries a structured answer once, showing the model its mistake', async () => {
    const id = await teach();
    t.ollama.reset();
    brain({ update: () => ({ content: 'Here is the new persona: be nice' }) });
    const report = await aligner().alignMember(id);
    expect(report).toMatchObject({ outcome: 'accepted' });
    const retry = t.ollama.chats().find((body) => kindOf(body) === 'retry')!;
    expect(retry.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(retry.messages[2]!.content).toContain('it was not valid JSON');
    expect(t.store.livePersona(id)!.text).toBe(improved);
  });

  it('asks again once for batched feedback that does not give one text per item', async () => {
    const id = await teach();
    t.ollama.reset();
    brain({ 'feedback-batch': () => ({ content: JSON.stringify({ feedback: ['only one'] }) }) });
    const report = await aligner().alignMember(id);
    expect(report).toMatchObject({ outcome: 'accepted', calls: { feedback: 2 }, structured: { retried: 1, failed: 0 } });
    const retry = t.ollama.chats().find((body) => kindOf(body) === 'retry')!;
    expect(retry.messages[2]!.content).toContain('feedback: Too small: expected array to have exactly 3 items');
    expect(t.store.livePersona(id)!.feedback).toEqual(lessons.map((lesson) => `Feedback: search for "${lesson.question}" and state her tastes.`));
  });

  it('gives up on an item after a second unusable structured answer, keeping the persona', async () => {
    const id = await teach();
    const live = t.store.livePersona(id)!;
    t.ollama.reset();
    brain({ update: () => ({ content: '{"persona": 3}' }), retry: () => ({ content: 'still not json' }) });
    const report = await aligner().alignMember(id);
    expect(report).toMatchObject({ outcome: 'failed' });
    expect(report.reason).toContain('did not follow the schema');
    expect(t.store.livePersona(id)!.id).toBe(live.id);
  });

  it('says why there is no score after the rewrite when the judge cannot score its answers', async () => {
    const id = await teach();
    const live = t.store.livePersona(id)!;
    t.ollama.reset();
    brain({ agent: () => ({ content: 'a long answer that is no label and needs the judge' }), judge: () => ({ content: 'no scores today' }), retry: () => ({ content: 'still none' }) });
    const report = await aligner().alignMember(id);
    expect(report).toMatchObject({ outcome: 'rejected', reason: 'rewrite rejected: the answers could not be scored', scoreAfterMissing: 'the judge could not score the answers' });
    expect(formatReport(report)).toContain('(rewrite rejected: the answers could not be scored, score not measured (the judge could not score the answers)); ');
    expect(t.store.livePersona(id)!.id).toBe(live.id);
  });

  it("keeps members apart: aligning Alice never reads or changes Bob's memory", async () => {
    await teach(alice);
    const bobLessons = [{ question: 'favourite football team?', answer: 'Arsenal', truth: 'Celtic' }];
    const bobId = await teach(bob, bobLessons);
    const bobPersona = t.store.livePersona(bobId)!;
    t.ollama.reset();
    brain();
    await aligner().alignMember(t.store.findMember(alice)!);
    expect(JSON.stringify(t.ollama.chats())).not.toContain('Celtic');
    expect(t.store.livePersona(bobId)!.id).toBe(bobPersona.id);
    expect(t.store.profile(bobId)).toBeUndefined();
  });
});

describe('alignment faults', () => {
  it('goes on with other members when one is forgotten mid-run', async () => {
    const aliceId = await teach(alice);
    const bobId = await teach(bob, [{ question: 'favourite football team?', answer: 'Arsenal', truth: 'Celtic' }]);
    t.ollama.reset();
    brain({
      update: (body) => {
        // Alice asks the bot to forget her while her rewrite is being written.
        if (body.messages.some((message) => message.content.includes('which cheese on my burger?'))) t.store.forgetMember(aliceId);
        return undefined;
      },
    });
    const reports = await t.core.aligner.run();
    expect(reports.map((report) => [report.memberId, report.outcome])).toEqual([
      [aliceId, 'failed'],
      [bobId, 'accepted'],
    ]);
    expect(t.store.findMember(alice)).toBeUndefined();
    expect(t.store.livePersona(bobId)!.reason).toBe('aligned');
  });

  it("never gives a forgotten member's rewrite to the next member to arrive", async () => {
    const aliceId = await teach(alice);
    t.ollama.reset();
    const carol = member('carol');
    brain({
      update: () => {
        // Alice is forgotten and Carol speaks for the first time while Alice's rewrite is written.
        t.store.forgetMember(aliceId);
        t.store.ensureMember(carol);
        return undefined;
      },
    });
    expect(await aligner().alignMember(aliceId)).toMatchObject({ outcome: 'failed' });
    const carolId = t.store.findMember(carol)!;
    expect(carolId).not.toBe(aliceId);
    expect(t.store.personaHistory(carolId, 10)).toEqual([]);
    expect(t.store.profile(carolId)).toBeUndefined();
  });

  it('counts an Ollama failure while replaying as a failed run, not as an empty answer', async () => {
    const id = await teach();
    const live = t.store.livePersona(id)!;
    t.ollama.reset();
    brain({ agent: () => ({ status: 500, error: 'out of memory' }) });
    t.core.personas.reset(id);
    const resetVersion = t.store.livePersona(id)!;
    const report = await aligner().alignMember(id);
    expect(report).toMatchObject({ outcome: 'failed' });
    expect(t.store.livePersona(id)!.id).toBe(resetVersion.id);
    expect(live.id).not.toBe(resetVersion.id);
    expect(t.store.lastAlignmentRun(id)).toBeUndefined();
  });

  it('judges answers that are not short labels even when the ground truth is one', async () => {
    const id = await teach();
    t.ollama.reset();
    let judged = 0;
    brain({
      agent: (body) => {
        const system = body.messages.find((message) => message.role === 'system')?.content ?? '';
        return { content: system.startsWith('IMPROVED') ? 'I would go for the one you always pick, as before' : 'unused: the live answers are reused' };
      },
      judge: (body) => {
        judged += 1;
        return { content: JSON.stringify({ scores: judgedItems(body).map((answer) => (answer.includes('as before') ? 3 : 9)) }) };
      },
    });
    const report = await aligner().alignMember(id);
    // The stored answers (cheddar, red, black) are labels and compare exactly (0); the wordy candidate answers go to the judge (3/10) in one call.
    expect(judged).toBe(1);
    expect(report).toMatchObject({ outcome: 'accepted' });
    expect(report.scoreBefore).toBe(0);
    expect(report.scoreAfter).toBeCloseTo(0.3);
  });
});

describe('alignment across processes', () => {
  it('skips a member another process is aligning, and takes them once the claim is released or stale', async () => {
    const id = await teach();
    const now = new Date();
    // Another process (the bot's schedule, or `align` from the CLI) holds Alice.
    const other = t.store.claimAlignment(id, now, new Date(now.getTime() + 60_000));
    expect(other).toEqual(expect.any(String));
    t.ollama.reset();
    brain();
    expect(await aligner().alignMember(id)).toMatchObject({ outcome: 'skipped', reason: 'already being aligned', modelCalls: 0 });
    expect(t.ollama.chats()).toHaveLength(0);
    expect(t.store.membersDueForAlignment(10)).toEqual([id]);

    // Releasing with someone else's token does nothing; the holder's own release does.
    t.store.releaseAlignment(id, 'not-the-holder');
    expect(await aligner().alignMember(id)).toMatchObject({ outcome: 'skipped' });
    t.store.releaseAlignment(id, other!);
    expect(await aligner().alignMember(id)).toMatchObject({ outcome: 'accepted' });
    // The aligner let go of its own claim; a claim whose holder died expires.
    expect(t.store.claimAlignment(id, new Date(), new Date(Date.now() + 1))).not.toBeNull();
    expect(t.store.claimAlignment(id, new Date(Date.now() + 10), new Date(Date.now() + 60_000))).not.toBeNull();
  });

  it('writes nothing when its claim was taken over by another run mid-way', async () => {
    const id = await teach();
    const live = t.store.livePersona(id)!;
    t.ollama.reset();
    brain({
      update: () => {
        // The claim expired and another process took the member over while the rewrite was written.
        t.store.db.prepare("UPDATE members SET aligning_by = 'other', aligning_until = '2999-01-01T00:00:00.000Z' WHERE id = ?").run(id);
        return undefined;
      },
    });
    expect(await aligner().alignMember(id)).toMatchObject({ outcome: 'failed', reason: 'the member was forgotten or another run took over' });
    expect(t.store.livePersona(id)!.id).toBe(live.id);
    expect(t.store.lastAlignmentRun(id)).toBeUndefined();
    expect(t.store.holdsAlignment(id, 'other')).toBe(true);
  });
});
