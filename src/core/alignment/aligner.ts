import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import type { AlignmentRecords } from '../../memory/alignment-records.js';
import { formatMemberKey, type InteractionRecord } from '../../memory/records.js';
import type { Store } from '../../memory/store.js';
import type { Agent } from '../agent.js';
import { ModelError } from '../errors.js';
import type { Personas, ToolRules } from '../personas.js';
import type { ProfileWriter } from '../profile.js';
import type { LanguageModel } from '../ports.js';
import type { Prompts } from '../prompts.js';
import { emptyTally, StructuredAnswerError, sumTallies, type StructuredTally } from '../structured.js';
import { batchAfterMissing } from './batch-after.js';
import { selectItems, type AlignmentItems } from './batch-selection.js';
import { feedbackFor, feedbackPrompt, type FeedbackMode } from './feedback-step.js';
import { figureFields, withFigures, type AlignmentReport } from './report.js';
import { rewritePersona } from './rewrite.js';
import { Calls, type RunContext } from './run-context.js';
import { Contender, simulate } from './simulation.js';
import { validate, type Figure, type Figures } from './validation.js';

/** Algorithm 1's knobs (n, E) and the guards around it. */
export interface AlignmentSettings {
  /** n: how many of the latest labelled interactions form the batch. */
  batchSize: number;
  /** How many labelled interactions before the batch are held out to check a rewrite (0: check on the batch). */
  heldOutSize: number;
  /** E: how many feedback-and-rewrite rounds per run. */
  iterations: number;
  /** The feedback step: the whole batch in one call (JSON list), or one call per item (the paper's). */
  feedback: FeedbackMode;
  /** Replay before adopting: a candidate goes live only if it does not score worse than the live persona. */
  validate: boolean;
  /** Longest persona accepted, in characters. */
  maxChars: number;
  /** Model calls in flight at once, across all members of a run. */
  concurrency: number;
}

/** What the aligner needs; all injected. */
export interface AlignerDeps {
  store: Store;
  records: AlignmentRecords;
  model: LanguageModel;
  prompts: Prompts;
  agent: Agent;
  personas: Personas;
  profiles: ProfileWriter;
  logger: Logger;
  settings: AlignmentSettings;
  temperature: number;
  /** The rules of the agent's tools, when they are not the bot's own (the update prompt gets them, the guard checks them). */
  toolRules?: ToolRules;
  now?: () => Date;
}

/** What the rounds of one run produced: the last adopted candidate, the rejection that stopped them, all feedback. */
interface Rounds {
  adopted: { contender: Contender; figures: Figures | null } | null;
  rejection: { reason: string; figures: Figures | null; replayed: boolean } | null;
  feedback: string[];
}

/** How long a claim on a member lasts if its process dies mid-run. */
const CLAIM_MS = 60 * 60_000;

/** How one member's run ended, before anything is written. */
type AlignOutcome = {
  items: AlignmentItems;
  live: Contender;
  figures: Figures | null;
  /** Why the batch score after the rewrite is missing, when it is. */
  batchAfterMissing: string | null;
  reason: string;
} & ({ outcome: 'rejected' } | { outcome: 'accepted'; adopted: Contender; feedback: string[] });

/**
 * Test-time alignment (PersonaAgent, Algorithm 1), one member at a time: select the batch, simulate
 * the live persona's answers, get feedback per item, rewrite, and validate the candidate before it
 * goes live. Each step lives in its own file beside this one; this class runs them and writes the result.
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
    const reports = await Promise.all(ids.map((id) => members(async () => (await options.yieldTo?.(), this.alignMember(id, { signal: options.signal })))));
    if (reports.length > 0) this.deps.logger.info({ members: reports.length, structured: sumTallies(reports.map((report) => report.structured)) }, 'alignment run');
    return reports;
  }

  /** Algorithm 1 for one member. The live persona changes only when a candidate is accepted. */
  async alignMember(memberId: number, options: { signal?: AbortSignal } = {}): Promise<AlignmentReport> {
    const { store } = this.deps;
    const started = this.now();
    const calls = new Calls();
    const structured = emptyTally();
    let member = String(memberId);
    const report = (outcome: AlignmentReport['outcome'], reason: string, extra: Partial<AlignmentReport> = {}): AlignmentReport => {
      const result: AlignmentReport = { memberId, member, outcome, reason, modelCalls: calls.total, calls: { ...calls.byStep }, structured: { ...structured }, ms: Date.now() - started.getTime(), ...extra };
      const { calls: byStep, scoreBefore, scoreAfter, heldOutBefore, heldOutAfter } = result;
      this.deps.logger[outcome === 'failed' ? 'warn' : 'info']({ member, outcome, reason, modelCalls: calls.total, byStep, structured, ms: result.ms, scoreBefore, scoreAfter, heldOutBefore, heldOutAfter }, 'alignment');
      if (outcome === 'failed') this.recordFailure(memberId, started, reason, calls.total);
      return result;
    };
    let claim: string | null = null;
    try {
      const key = store.memberKey(memberId);
      if (!key) return report('skipped', 'no such member');
      member = formatMemberKey(key);
      claim = store.claimAlignment(memberId, started, new Date(started.getTime() + CLAIM_MS));
      if (!claim) return report('skipped', 'already being aligned');
      const result = await this.align({ ...this.context(memberId, calls, structured), signal: options.signal });
      const written = this.write(memberId, claim, started, result, calls);
      if (!written) return report('failed', 'the member was forgotten or another run took over');
      return report(result.outcome, result.reason, { ...reportFigures(result), personaVersionId: written.versionId });
    } catch (error) {
      // Nothing was written: the live persona stays and the member is due again next run.
      const expected = error instanceof ModelError || error instanceof StructuredAnswerError || options.signal?.aborted;
      // Anything else (the member was forgotten mid-run, a locked database) is logged in full; other members go on.
      if (!expected) this.deps.logger.error({ err: error, memberId }, 'alignment crashed');
      return report('failed', error instanceof Error ? error.message : String(error));
    } finally {
      if (claim) this.release(memberId, claim);
    }
  }

  private context(memberId: number, calls: Calls, structured: StructuredTally): RunContext {
    const { model, prompts, agent, records, logger, temperature } = this.deps;
    return { memberId, model, prompts, agent, records, logger, temperature, limit: this.limit, calls, structured };
  }

  /** Selects the items, refreshes the profile, simulates the live persona and runs the rounds. */
  private async align(ctx: RunContext): Promise<AlignOutcome> {
    const { store, settings, personas, profiles } = this.deps;
    const items = selectItems(store, ctx.memberId, settings.batchSize, settings.validate ? settings.heldOutSize : 0);
    // The rewrite reads the profile: a held-out label in it would check the candidate on answers it was written from.
    ctx.calls.add('profile', (await profiles.refresh(ctx.memberId, ctx.signal, { before: items.profileBefore ?? undefined })).modelCalls);
    const live = Contender.stored(personas.live(ctx.memberId), [...items.heldOut, ...items.batch], this.deps.records);
    if (items.batch.length === 0) return { outcome: 'rejected', reason: 'no ground truth to learn from', items, live, figures: null, batchAfterMissing: batchAfterMissing.noBatch };
    await simulate(ctx, live, items.batch);
    const { adopted, rejection, feedback } = await this.rounds(ctx, items, live);
    if (!adopted) {
      const figures = rejection?.figures ?? null;
      return { outcome: 'rejected', reason: rejection?.reason ?? 'nothing to do', items, live, figures, batchAfterMissing: missingAfter(figures, settings.validate, rejection?.replayed ?? false) };
    }
    const reason = acceptedReason(items, settings.validate, rejection?.reason);
    const missing = missingAfter(adopted.figures, settings.validate, true);
    return { outcome: 'accepted', reason, items, live, figures: adopted.figures, batchAfterMissing: missing, adopted: adopted.contender, feedback };
  }

  /** E rounds of feedback, rewrite and validation, each starting from the last adopted candidate; stops at the first rejection. */
  private async rounds(ctx: RunContext, items: AlignmentItems, live: Contender): Promise<Rounds> {
    const { settings, store } = this.deps;
    const profile = store.profile(ctx.memberId)?.summary ?? '(none yet)';
    const result: Rounds = { adopted: null, rejection: null, feedback: [] };
    let current = live;
    for (let iteration = 1; iteration <= settings.iterations; iteration += 1) {
      const feedback = await feedbackFor(ctx, current, items.batch, settings.feedback);
      result.feedback.push(...feedback);
      const rewrite = await rewritePersona(ctx, { persona: current.text, profile, feedback, maxChars: settings.maxChars, toolRules: this.deps.toolRules });
      if ('problem' in rewrite) {
        result.rejection = { reason: `rewrite rejected: ${rewrite.problem}`, figures: null, replayed: false };
        break;
      }
      const candidate = new Contender(rewrite.text);
      // The next round's feedback is about this candidate's answers to the batch.
      if (iteration < settings.iterations) await simulate(ctx, candidate, items.batch);
      const verdict = settings.validate ? await validate(ctx, current, candidate, items) : { accepted: true as const, figures: null };
      if (!verdict.accepted) {
        result.rejection = { reason: verdict.reason, figures: verdict.figures, replayed: true };
        break;
      }
      result.adopted = { contender: candidate, figures: chain(result.adopted?.figures ?? null, verdict.figures) };
      current = candidate;
    }
    return result;
  }

  /** Writes the outcome in one transaction, only while the claim is still this run's. Returns null when it is not. */
  private write(memberId: number, token: string, started: Date, result: AlignOutcome, calls: Calls): { versionId?: number } | null {
    const { store, records } = this.deps;
    const items = [...result.items.heldOut, ...result.items.batch];
    return store.transaction(() => {
      // A member forgotten mid-run, or a claim that expired and was taken over, gets nothing written.
      if (!store.holdsAlignment(memberId, token)) return null;
      const finishedAt = this.now();
      // What the live persona answered and scored is kept, so the next run does not ask again.
      if (result.live.versionId !== undefined) records.saveAnswers(result.live.versionId, result.live.known(items));
      // A rejection's reason already carries the figure it failed on.
      const detail = result.outcome === 'accepted' ? withFigures(result.reason, reportFigures(result)) : result.reason;
      const run = { memberId, startedAt: started, finishedAt, detail, modelCalls: calls.total };
      if (result.outcome === 'rejected') {
        store.recordAlignmentRun({ ...run, outcome: 'rejected' });
        return {};
      }
      const version = this.addVersion(memberId, finishedAt, result);
      records.saveAnswers(version.id, result.adopted.known(items));
      store.recordAlignmentRun({ ...run, outcome: 'accepted', personaVersionId: version.id });
      return { versionId: version.id };
    });
  }

  private addVersion(memberId: number, at: Date, result: AlignOutcome & { outcome: 'accepted' }): { id: number } {
    const { store, records, model, prompts, settings } = this.deps;
    const version = store.addPersonaVersion({
      memberId,
      text: result.adopted.text,
      reason: 'aligned',
      at,
      batchIds: result.items.batch.map((item) => item.id),
      feedback: result.feedback,
      model: model.modelName,
      promptVersions: prompts.versions([feedbackPrompt(settings.feedback, result.items.batch.length), 'update', 'judge', 'judge-item', 'profile', 'json-retry']),
      scoreBefore: result.figures?.batch.before ?? null,
      scoreAfter: result.figures?.batch.after ?? null,
    });
    if (settings.validate) {
      const heldOut = result.figures?.heldOut ?? null;
      const heldOutIds = heldOut ? result.items.heldOut.map((item: InteractionRecord) => item.id) : [];
      records.recordValidation({ versionId: version.id, heldOutIds, heldOutBefore: heldOut?.before ?? null, heldOutAfter: heldOut?.after ?? null, note: result.items.heldOutNote });
    }
    return version;
  }

  private recordFailure(memberId: number, startedAt: Date, detail: string, modelCalls: number): void {
    try {
      this.deps.records.recordFailure({ memberId, startedAt, finishedAt: this.now(), detail, modelCalls });
    } catch (error) {
      this.deps.logger.warn({ err: error, memberId }, 'failed alignment not recorded');
    }
  }

  private release(memberId: number, token: string): void {
    try {
      this.deps.store.releaseAlignment(memberId, token);
    } catch (error) {
      // The claim expires on its own.
      this.deps.logger.warn({ err: error, memberId }, 'alignment claim not released');
    }
  }
}

/** The report fields of an outcome's figures, with why the batch score after the rewrite is missing. */
function reportFigures(result: AlignOutcome): Partial<AlignmentReport> {
  const fields = figureFields(result.figures);
  return fields.scoreAfter === undefined && result.batchAfterMissing ? { ...fields, scoreAfterMissing: result.batchAfterMissing } : fields;
}

/** Why a round's figures have no batch score after the rewrite; null when they have one. */
function missingAfter(figures: Figures | null, validated: boolean, replayed: boolean): string | null {
  if (figures?.batch.after != null) return null;
  if (!replayed) return batchAfterMissing.notReplayed;
  if (!validated) return batchAfterMissing.notValidated;
  return figures?.heldOut ? batchAfterMissing.heldOut : batchAfterMissing.unscored;
}

/** Over several rounds: "before" is the live persona's, "after" the last adopted round's. */
function chain(first: Figures | null, latest: Figures | null): Figures | null {
  if (!first || !latest) return latest ?? first;
  const join = (a: Figure | null, b: Figure | null): Figure | null => (a && b ? { ...b, before: a.before } : b);
  return { heldOut: join(first.heldOut, latest.heldOut), batch: join(first.batch, latest.batch)! };
}

function acceptedReason(items: AlignmentItems, validated: boolean, laterRejection: string | undefined): string {
  const count = items.batch.length;
  const parts = [`learned from ${count} labelled answer${count === 1 ? '' : 's'}`];
  if (validated && items.heldOutNote) parts.push(`checked on the batch (${items.heldOutNote})`);
  if (laterRejection) parts.push(`a later round was not kept (${laterRejection})`);
  return parts.join('; ');
}
