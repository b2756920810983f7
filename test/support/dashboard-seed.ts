import { AlignmentRecords } from '../../src/memory/alignment-records.js';
import type { MemberKey } from '../../src/core/ports.js';
import { mention, member, reply } from './events.js';
import type { TestBot } from './harness.js';
import type { RecordingChat } from './recording-chat.js';
import { alignerFor, foodLessons, installBrain } from './scripted-alignment.js';

/** Alice's first six questions (corrected): the rewrite learns from the last three and is checked on the first three. */
export const lessons = foodLessons;
/** The rewrite keeps the first persona and adds what Alice likes, so its diff is a readable one. */
export function rewrite(first: string): string {
  return `IMPROVED persona.\n${first}\nWhat this member likes: blue cheese, white wine with fish, flat whites, sourdough, rooibos and figs. Call search_memory first.`;
}
export const alice = member('alice');
export const bob = member('bob');
export const carol = member('carol');

const DAY = 86_400_000;

/** Members whose personas were rewritten earlier, so the persona map has neighbours to show. */
const others: Array<{ key: MemberKey; name?: string; persona: string }> = [
  { key: member('dave'), persona: 'Dave supports Celtic, follows Scottish football closely and wants match scores first. Call search_memory first.' },
  { key: member('heidi'), name: 'Heidi', persona: 'Heidi follows football, supports Arsenal and wants match scores and transfer news first. Call search_memory first.' },
  { key: member('erin', 'w2'), persona: 'Erin cooks vegetarian food, loves spicy curries, figs and sourdough bread. Call search_memory first.' },
  { key: member('grace', 'w2'), name: 'Grace Hopper', persona: 'Grace cooks Italian food and likes white wine with fish, blue cheese and figs. Call search_memory first.' },
  { key: member('frank', 'w2'), persona: 'Frank rides steel road bikes, plans long cycling tours and fixes his own gears. Call search_memory first.' },
];

/** Seeds a database a dashboard can show: three members over five days, one accepted rewrite, a failed run, measurements. */
export async function seedDashboard(t: TestBot, chat: RecordingChat, now: Date): Promise<{ aliceId: number; bobId: number; carolId: number }> {
  const at = (daysAgo: number, minute = 0) => new Date(now.getTime() - daysAgo * DAY + minute * 60_000);
  const ask = async (who: MemberKey, question: string, answer: string, when: Date): Promise<string> => {
    t.ollama.script({ content: answer });
    await t.bot.handle(mention(who, question, { at: when }), chat);
    return chat.last().messageIds[0]!;
  };
  const react = (who: MemberKey, messageId: string, emoji: string, when: Date) => t.bot.handle({ kind: 'reaction', member: who, channelId: 'c1', messageId, emoji, added: true, at: when }, chat);
  for (const [index, lesson] of lessons.entries()) {
    const answer = await ask(alice, lesson.question, lesson.answer, at(5 - Math.floor(index / 2), index));
    await react(alice, answer, '👎', at(5 - Math.floor(index / 2), index + 1));
    await t.bot.handle(reply(alice, answer, lesson.truth, { at: at(5 - Math.floor(index / 2), index + 2) }), chat);
  }
  await react(alice, await ask(alice, 'a good film tonight?', 'Paris, Texas', at(3, 30)), '👍', at(3, 31));
  const aliceId = t.store.findMember(alice)!;
  const first = t.store.livePersona(aliceId)!.text;
  installBrain(t, { lessons, persona: () => rewrite(first) });
  const report = await alignerFor(t).alignMember(aliceId);
  if (report.outcome !== 'accepted') throw new Error(`the seed's rewrite was not accepted: ${report.reason}`);
  t.ollama.reset();
  for (const [index, question] of ['which cheese for a salad?', 'wine with salmon?', 'coffee after lunch?', 'bread for soup?', 'a snack for the train?'].entries()) {
    const answer = await ask(alice, question, `an answer about ${question}`, at(2 - Math.floor(index / 3), index));
    if (index < 4) await react(alice, answer, '👍', at(2 - Math.floor(index / 3), index + 1));
    else {
      await react(alice, answer, '👎', at(1, 20));
      await t.bot.handle(reply(alice, answer, 'dried figs', { at: at(1, 21) }), chat);
    }
  }
  await react(bob, await ask(bob, 'favourite football team?', 'Arsenal', at(4, 5)), '👍', at(4, 6));
  await react(bob, await ask(bob, 'best away kit?', 'the yellow one', at(2, 5)), '👎', at(2, 6));
  await ask(carol, 'what is a good first bike?', 'a used steel road bike', at(1, 40));
  const bobId = t.store.findMember(bob)!;
  const carolId = t.store.findMember(carol)!;
  t.store.recordDisplayName(alice, 'Alice Liddell');
  for (const [index, other] of others.entries()) {
    const id = t.store.ensureMember(other.key, at(6));
    t.store.addPersonaVersion({ memberId: id, text: other.persona, reason: 'aligned', at: at(3 - index / 2) });
    if (other.name) t.store.recordDisplayName(other.key, other.name);
  }
  // The answer path's own measurements on a few answers, on two days (known figures instead of the timings of this run).
  t.store.db.prepare('UPDATE interactions SET model_calls = NULL, answer_ms = NULL, first_text_ms = NULL, wait_ms = NULL, prompt_tokens = NULL, completion_tokens = NULL').run();
  for (const [index, item] of t.store.listInteractions(aliceId).slice(0, 4).entries()) t.store.recordAnswerMeasurement(item.id, { modelCalls: 1 + (index % 2), answerMs: 1800 + index * 200, firstTextMs: 400 + index * 50, waitMs: 60 * index, promptTokens: 900 });
  for (const item of t.store.listInteractions(aliceId).slice(6, 8)) t.store.recordAnswerMeasurement(item.id, { modelCalls: 2, answerMs: 3200, firstTextMs: 900, waitMs: 400, promptTokens: 1100 });
  new AlignmentRecords(t.store.db).recordFailure({ memberId: bobId, startedAt: at(1, 50), finishedAt: at(1, 51), detail: 'My language model is not reachable', modelCalls: 1 });
  // Persona versions were written just now; put them where they belong in the story.
  const versions = t.store.personaHistory(aliceId, -1).reverse();
  t.store.db.prepare('UPDATE persona_versions SET created_at = ? WHERE id = ?').run(at(6).toISOString(), versions[0]!.id);
  t.store.db.prepare('UPDATE persona_versions SET created_at = ? WHERE id = ?').run(at(2, -60).toISOString(), versions[1]!.id);
  return { aliceId, bobId, carolId };
}
