import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { z } from 'zod';
import { formatMemberKey, type InteractionRecord } from '../memory/records.js';
import type { Store } from '../memory/store.js';
import type { Agent } from './agent.js';
import { ModelError } from './errors.js';
import type { Personas } from './personas.js';
import { personaProblem } from './personas.js';
import type { ProfileWriter } from './profile.js';
import type { LanguageModel } from './ports.js';
import type { Prompts } from './prompts.js';
import { askStructured, StructuredAnswerError } from './structured.js';

/** Algorithm 1's knobs (n, E) and the guards around it. */
export interface AlignmentSettings {
  /** n: how many of the latest labelled interactions form the batch. */
  batchSize: number;
  /** E: how many feedback-and-rewrite rounds per run. */
  iterations: number;
  /** Replay the batch with the candidate and adopt it only if it does not score worse. */
  validate: boolean;
  /** Longest persona accepted, in characters. */
  maxChars: number;
  /** Model calls in flight at once, across all members of a run. */
  concurrency: number;
}

/** What happened to one member in one run. */
export interface AlignmentReport {
  memberId: number;
  /** `platform:workspace:user` */
  member: string;
  outcome: 'accepted' | 'rejected' | 'failed' | 'skipped';
  reason: string;
  modelCalls: number;
  ms: number;
  personaVersionId?: number;
  scoreBefore?: number;
  scoreAfter?: number;
}

/** What the aligner needs; all injected. */
export interface AlignerDeps {
  store: Store;
  model: LanguageModel;
  prompts: Prompts;
  agent: Agent;
  personas: Personas;
  profiles: ProfileWriter;
  logger: Logger;
  settings: AlignmentSettings;
  temperature: number;
  now?: () => Date;
}

/** A persona being evaluated: the stored version it is, if any, and its text. */
interface Candidate {
  versionId?: number;
  text: string;
}

/** The answers a persona gives to the batch, item by item. */
type Answers = string[];

/** Text this short is a label (a tag, a rating, a choice): compared by normalised match, not by a judge. */
const LABEL_MAX_CHARS = 40;
const LABEL_MAX_WORDS = 4;
/** How long a claim on a member lasts if its process dies mid-run. */
const CLAIM_MS = 60 * 60_000;

const judgeSchema = z.object({ score: z.number().int().min(0).max(10), reason: z.string() });
const updateSchema = z.object({ persona: z.string() });

/** Counts model calls for one member's run. */
class Calls {
  count = 0;
  add(calls: number): void {
    this.count += calls;
  }
}

/**
 * Test-time alignment (PersonaAgent, Algorithm 1): per member, simulate answers to the n latest
 * questions with ground truth using the current persona, get textual feedback per item, aggregate,
 * and have the model rewrite the persona. A candidate goes live only if it passes the guards and,
 * when validation is on, answers the same batch no worse than the live persona.
 */
export class Aligner {
  private readonly now: () => Date;
  private readonly limit: LimitFunction;

  constructor(private readonly deps: AlignerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.limit = pLimit(deps.settings.concurrency);
  }

  /** Aligns the given members, or those whose ground truth changed since their last alignment (at most `limit`). */
  async run(options: { memberIds?: number[]; limit?: number; signal?: AbortSignal; yieldTo?: () => Promise<void> } = {}): Promise<AlignmentReport[]> {
    const ids = options.memberIds ?? this.deps.store.membersDueForAlignment(options.limit ?? Number.MAX_SAFE_INTEGER);
    const members = pLimit(this.deps.settings.concurrency);
    // Between members, questions waiting for the model go first (`yieldTo` resolves once none wait).
    return Promise.all(ids.map((id) => members(async () => (await options.yieldTo?.(), this.alignMember(id, { signal: options.signal })))));
  }

  /** Algorithm 1 for one member. The live persona changes only when a candidate is accepted. */
  async alignMember(memberId: number, options: { signal?: AbortSignal } = {}): Promise<AlignmentReport> {
    const { store } = this.deps;
    const started = this.now();
    const calls = new Calls();
    let member = String(memberId);
    const report = (outcome: AlignmentReport['outcome'], reason: string, extra: Partial<AlignmentReport> = {}): AlignmentReport => {
      const result = { memberId, member, outcome, reason, modelCalls: calls.count, ms: Date.now() - started.getTime(), ...extra };
      this.deps.logger[outcome === 'failed' ? 'warn' : 'info']({ member, outcome, reason, modelCalls: calls.count, ms: result.ms, scoreBefore: extra.scoreBefore, scoreAfter: extra.scoreAfter }, 'alignment');
      return result;
    };
    let claim: string | null = null;
    try {
      const key = store.memberKey(memberId);
      if (!key) return report('skipped', 'no such member');
      member = formatMemberKey(key);
      claim = store.claimAlignment(memberId, started, new Date(started.getTime() + CLAIM_MS));
      if (!claim) return report('skipped', 'already being aligned');
      const result = await this.align(memberId, calls, options.signal);
      const token = claim;
      const written = store.transaction(() => {
        // A member forgotten mid-run, or a claim that expired and was taken over, gets nothing written.
        if (!store.holdsAlignment(memberId, token)) return null;
        const finishedAt = this.now();
        if (result.outcome === 'rejected') {
          store.recordAlignmentRun({ memberId, startedAt: started, finishedAt, outcome: 'rejected', detail: result.reason, modelCalls: calls.count });
          return { versionId: undefined };
        }
        const version = store.addPersonaVersion({
          memberId,
          text: result.text,
          reason: 'aligned',
          at: finishedAt,
          batchIds: result.batchIds,
          feedback: result.feedback,
          model: this.deps.model.modelName,
          promptVersions: this.deps.prompts.versions(['feedback', 'update', 'judge', 'profile', 'json-retry']),
          scoreBefore: result.scores.scoreBefore ?? null,
          scoreAfter: result.scores.scoreAfter ?? null,
        });
        store.recordAlignmentRun({ memberId, startedAt: started, finishedAt, outcome: 'accepted', detail: result.reason, modelCalls: calls.count, personaVersionId: version.id });
        return { versionId: version.id };
      });
      if (!written) return report('failed', 'the member was forgotten or another run took over');
      return report(result.outcome, result.reason, { ...result.scores, personaVersionId: written.versionId });
    } catch (error) {
      // Nothing was written: the live persona stays and the member is due again next run.
      const expected = error instanceof ModelError || error instanceof StructuredAnswerError || options.signal?.aborted;
      // Anything else (the member was forgotten mid-run, a locked database) is logged in full; other members go on.
      if (!expected) this.deps.logger.error({ err: error, memberId }, 'alignment crashed');
      return report('failed', error instanceof Error ? error.message : String(error));
    } finally {
      if (claim) {
        const token = claim;
        try {
          store.releaseAlignment(memberId, token);
        } catch (error) {
          // The claim expires on its own.
          this.deps.logger.warn({ err: error, memberId }, 'alignment claim not released');
        }
      }
    }
  }

  private async align(memberId: number, calls: Calls, signal?: AbortSignal): Promise<AlignOutcome> {
    const { store, settings, personas, profiles } = this.deps;
    calls.add((await profiles.refresh(memberId, signal)).modelCalls);
    const batch = store.listInteractions(memberId, { labelledOnly: true, limit: settings.batchSize }).reverse();
    if (batch.length === 0) return { outcome: 'rejected', reason: 'no ground truth to learn from', scores: {} };
    const live = personas.live(memberId);
    const profile = store.profile(memberId)?.summary ?? '(none yet)';
    let current: Candidate = { versionId: live.id, text: live.text };
    let answers = await this.simulate(memberId, current, batch, calls, signal);
    let answerScores: ItemScores | null = null;
    let adopted: Accepted | null = null;
    let rejection = '';
    let rejectedScores: Scores = {};
    const feedbackLog: string[] = [];
    for (let iteration = 1; iteration <= settings.iterations; iteration += 1) {
      const feedback = await Promise.all(batch.map((item, j) => this.limit(() => this.feedback(current.text, item, answers[j]!, calls, signal))));
      feedbackLog.push(...feedback);
      const text = await this.update(current.text, profile, feedback, calls, signal);
      const problem = personaProblem(text, settings.maxChars);
      if (problem) {
        rejection = `rewrite rejected: ${problem}`;
        break;
      }
      const candidate: Candidate = { text: text.trim() };
      const scores: Scores = {};
      if (settings.validate) {
        const replay = await this.simulate(memberId, candidate, batch, calls, signal);
        answerScores ??= await this.scoreItems(batch, answers, calls, signal);
        const replayScores = await this.scoreItems(batch, replay, calls, signal);
        const compared = compare(answerScores, replayScores);
        if (!compared) {
          rejection = 'rewrite rejected: the answers could not be scored';
          break;
        }
        if (compared.after < compared.before) {
          rejection = `rewrite rejected: it scored worse on the batch (${compared.before.toFixed(2)} → ${compared.after.toFixed(2)})`;
          rejectedScores = { scoreBefore: compared.before, scoreAfter: compared.after };
          break;
        }
        scores.scoreBefore = adopted?.scores.scoreBefore ?? compared.before;
        scores.scoreAfter = compared.after;
        answers = replay;
        answerScores = replayScores;
      } else if (iteration < settings.iterations) {
        answers = await this.simulate(memberId, candidate, batch, calls, signal);
      }
      adopted = { text: candidate.text, scores };
      current = candidate;
    }
    const batchIds = batch.map((item) => item.id);
    if (!adopted) return { outcome: 'rejected', reason: rejection, scores: rejectedScores };
    const reason = `learned from ${batch.length} labelled answer${batch.length === 1 ? '' : 's'}${rejection ? `; a later round was not kept (${rejection})` : ''}`;
    return { outcome: 'accepted', reason, text: adopted.text, batchIds, feedback: feedbackLog, scores: adopted.scores };
  }

  /**
   * r̂_j for each item with a persona. An answer stored with the same persona version is reused;
   * otherwise the agent answers again, seeing only memories older than the item (never its own row).
   */
  private async simulate(memberId: number, persona: Candidate, batch: InteractionRecord[], calls: Calls, signal?: AbortSignal): Promise<Answers> {
    return Promise.all(
      batch.map((item) => {
        if (persona.versionId !== undefined && item.personaVersionId === persona.versionId && item.answer) return item.answer;
        return this.limit(async () => {
          try {
            const result = await this.deps.agent.answer({ memberId, persona: persona.text, question: item.question, beforeId: item.id, signal });
            calls.add(result.modelCalls);
            return result.answer;
          } catch (error) {
            // A model that rambles into no answer gave a bad answer; Ollama failing is a failed run.
            if (error instanceof ModelError && error.code === 'MODEL_NO_ANSWER') {
              calls.add(1);
              return '';
            }
            throw error;
          }
        });
      }),
    );
  }

  /** The textual "gradient" for one item. */
  private async feedback(persona: string, item: InteractionRecord, response: string, calls: Calls, signal?: AbortSignal): Promise<string> {
    const prompt = this.deps.prompts.render('feedback', { persona, question: item.question, expected: item.groundTruth ?? '', response: response || '(no answer)' });
    const reply = await this.deps.model.chat({ system: '', messages: [{ role: 'user', content: prompt }], temperature: this.deps.temperature, signal });
    calls.add(1);
    return reply.content.trim();
  }

  /** The rewritten persona from the aggregated feedback. */
  private async update(persona: string, profile: string, feedback: string[], calls: Calls, signal?: AbortSignal): Promise<string> {
    const aggregated = feedback.map((text, index) => `${index + 1}. ${text}`).join('\n\n');
    const prompt = this.deps.prompts.render('update', { persona, profile, feedback: aggregated });
    try {
      const { value, modelCalls } = await askStructured({ model: this.deps.model, prompts: this.deps.prompts, prompt, schema: updateSchema, temperature: this.deps.temperature, signal });
      calls.add(modelCalls);
      return value.persona;
    } catch (error) {
      if (error instanceof StructuredAnswerError) calls.add(error.modelCalls);
      throw error;
    }
  }

  /**
   * Agreement (0–1) of each answer with the item's ground truth: normalised exact match when both
   * are short labels, the judge otherwise; null when the judge could not give a usable score.
   */
  private async scoreItems(batch: InteractionRecord[], answers: Answers, calls: Calls, signal?: AbortSignal): Promise<ItemScores> {
    return Promise.all(
      batch.map((item, j) => {
        const truth = item.groundTruth ?? '';
        const answer = answers[j] ?? '';
        if (isLabel(truth) && isLabel(answer)) return normalise(answer) === normalise(truth) ? 1 : 0;
        return this.limit(() => this.judge(item.question, truth, answer, calls, signal));
      }),
    );
  }

  /** The judge's 0–10 agreement, scaled to 0–1; null when the model cannot give valid JSON twice. */
  private async judge(question: string, expected: string, response: string, calls: Calls, signal?: AbortSignal): Promise<number | null> {
    const prompt = this.deps.prompts.render('judge', { question, expected, response: response || '(no answer)' });
    try {
      const { value, modelCalls } = await askStructured({ model: this.deps.model, prompts: this.deps.prompts, prompt, schema: judgeSchema, temperature: 0, signal });
      calls.add(modelCalls);
      return value.score / 10;
    } catch (error) {
      if (!(error instanceof StructuredAnswerError)) throw error;
      calls.add(error.modelCalls);
      this.deps.logger.warn({ modelCalls: error.modelCalls }, 'judge answer unusable; item not scored');
      return null;
    }
  }
}

/** Per item of the batch, in order. */
type ItemScores = Array<number | null>;

/** Mean scores before and after over the items scored on both sides; null when there are none. */
function compare(before: ItemScores, after: ItemScores): { before: number; after: number } | null {
  const both = before.flatMap((score, index) => (score !== null && after[index] !== null && after[index] !== undefined ? [[score, after[index]!] as const] : []));
  if (both.length === 0) return null;
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return { before: mean(both.map(([first]) => first)), after: mean(both.map(([, second]) => second)) };
}

interface Scores {
  scoreBefore?: number;
  scoreAfter?: number;
}

interface Accepted {
  text: string;
  scores: Scores;
}

type AlignOutcome =
  | { outcome: 'rejected'; reason: string; scores: Scores }
  | { outcome: 'accepted'; reason: string; text: string; batchIds: number[]; feedback: string[]; scores: Scores };

/** A short ground truth such as a tag, a rating or a choice. */
export function isLabel(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length > 0 && trimmed.length <= LABEL_MAX_CHARS && trimmed.split(/\s+/).length <= LABEL_MAX_WORDS;
}

/** Case, surrounding punctuation and spacing do not count when comparing labels. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s]+/g, ' ')
    .trim()
    .replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '');
}

/** How many members ended each way, and the model calls the run made. */
export function tally(reports: AlignmentReport[]): Record<AlignmentReport['outcome'], number> & { modelCalls: number } {
  const count = (outcome: AlignmentReport['outcome']) => reports.filter((report) => report.outcome === outcome).length;
  return { accepted: count('accepted'), rejected: count('rejected'), failed: count('failed'), skipped: count('skipped'), modelCalls: reports.reduce((sum, report) => sum + report.modelCalls, 0) };
}

/** One line per member for the CLI and the logs. */
export function formatReport(report: AlignmentReport): string {
  const scores = report.scoreBefore !== undefined && report.scoreAfter !== undefined ? `, score ${report.scoreBefore.toFixed(2)} → ${report.scoreAfter.toFixed(2)}` : '';
  const seconds = (report.ms / 1000).toFixed(1);
  return `${report.member}: ${report.outcome} (${report.reason}${scores}); ${report.modelCalls} model calls, ${seconds} s`;
}
