import type { MemberKey } from '../shared/member-key.js';
import { AlignmentRunRecords, type AlignmentRun } from './alignment-run-records.js';
import { AnswerClaims } from './answer-claims.js';
import { AnswerMeasurements, type AnswerMeasurement } from './answer-measurements.js';
import { openDatabase, type Db, type OpenOptions } from './database.js';
import { eraseDeletedBytes } from './erasure.js';
import { InstructionRecords } from './instruction-records.js';
import { InteractionRecords, type AnswerPlace, type FeedbackChange, type NewQuestion } from './interaction-records.js';
import { MemberRecords } from './member-records.js';
import { MemoryIndex } from './memory-index.js';
import { PersonaRecords, type NewPersona } from './persona-records.js';
import { ProfileRecords, type ProfileRecord } from './profile-records.js';
import type { InteractionRecord, MemberSummary, MemoryHit, PersonaVersion } from './records.js';
import { Statements } from './statements.js';
import { Transactions } from './transactions.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export type { AlignmentRun, FeedbackChange, NewPersona, NewQuestion };

/** A question's vector, to store with its answer. */
export interface QuestionVector {
  vector: Float32Array;
  model: string;
}

/** The claim an answerer takes on a question it is about to answer (see AnswerClaims). */
export interface QuestionClaim {
  token: string;
  until: Date;
}

/** In-process index cache size when none is given (MEMORY_CACHE_MB's default). */
export const DEFAULT_CACHE_BYTES = 256 * 2 ** 20;

/**
 * The one object the rest of the bot holds for its memory: members, episodic memory, personas,
 * profiles and alignment runs (one module each), and the search indexes over them.
 */
export class Store {
  readonly index: MemoryIndex;
  readonly claims: AnswerClaims;
  private readonly sql: Statements;
  private readonly transactions: Transactions;
  private readonly members: MemberRecords;
  private readonly records: InteractionRecords;
  private readonly personas: PersonaRecords;
  private readonly profiles: ProfileRecords;
  private readonly alignment: AlignmentRunRecords;
  private readonly instructions: InstructionRecords;
  private readonly measurements: AnswerMeasurements;

  constructor(
    readonly db: Db,
    options: { cacheBytes?: number } = {},
  ) {
    this.sql = new Statements(db);
    this.transactions = new Transactions(db);
    this.members = new MemberRecords(this.sql);
    this.records = new InteractionRecords(this.sql);
    this.alignment = new AlignmentRunRecords(this.sql, this.transactions);
    this.personas = new PersonaRecords(this.sql, this.alignment);
    this.profiles = new ProfileRecords(this.sql);
    this.index = new MemoryIndex(this.sql, this.transactions, this.records, { cacheBytes: options.cacheBytes ?? DEFAULT_CACHE_BYTES });
    this.claims = new AnswerClaims(db);
    this.instructions = new InstructionRecords(db);
    this.measurements = new AnswerMeasurements(db);
  }

  /** Opens the database file (creating it and applying migrations). */
  static open(path: string, options: OpenOptions & { cacheBytes?: number } = {}): Store {
    return new Store(openDatabase(path, options), options);
  }

  /** Closes the database. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `work` in one transaction; index changes made in it apply when it commits. */
  transaction<T>(work: () => T): T {
    return this.transactions.run(work);
  }

  /**
   * Checkpoints the WAL from a worker thread every `intervalMs` instead of on the commits of the
   * request path. The composition root starts it with the bot and stops it before closing.
   */
  startBackgroundCheckpoints(intervalMs = 1_000): WalCheckpointer {
    return WalCheckpointer.start(this.db, intervalMs);
  }

  /** The member's id, creating the member on first contact. */
  ensureMember(key: MemberKey, at = new Date()): number {
    return this.members.ensure(key, at);
  }

  /** The member's id, or undefined if the bot has never met them. */
  findMember(key: MemberKey): number | undefined {
    return this.members.find(key);
  }

  /** The key of a member id. */
  memberKey(memberId: number): MemberKey | undefined {
    return this.members.key(memberId);
  }

  /** Every member with counts, most recently active first. */
  listMembers(): MemberSummary[] {
    return this.members.list();
  }

  /**
   * Deletes everything kept about a member, down to the bytes: their rows everywhere (the standing
   * instructions they set included) and the erase step (see eraseDeletedBytes). `erased` is false
   * when the WAL could not be emptied yet (another connection was reading; the next checkpoint does it).
   */
  forgetMember(memberId: number): { interactions: number; erased: boolean } {
    const ids = this.transaction(() => {
      const key = this.members.key(memberId);
      if (key) this.instructions.forgetSetBy(key);
      this.index.forgetMember(memberId);
      return this.members.delete(memberId);
    });
    return { interactions: ids.length, erased: this.eraseDeleted() };
  }

  /** Deletes one interaction everywhere it is kept (row, answer messages, vector, keyword index), down to the bytes like forgetMember. */
  forgetInteraction(interactionId: number): boolean {
    const removed = this.transaction(() => {
      const record = this.records.get(interactionId);
      if (record) this.index.forgetInteraction(record.memberId, interactionId);
      return this.records.delete(interactionId);
    });
    if (removed) this.eraseDeleted();
    return removed;
  }

  /**
   * Records a question before the model is called. `duplicate` is true when this message was seen
   * before. With `claim`, a new question is claimed for its answerer in the same transaction
   * (`claimed`), so no other process ever sees it stored and unclaimed while it is being answered.
   */
  recordQuestion(question: NewQuestion, claim?: QuestionClaim): { interaction: InteractionRecord; duplicate: boolean; claimed: boolean } {
    return this.transaction(() => {
      const { id, inserted } = this.records.insertQuestion(question);
      if (inserted) this.index.putText(question.memberId, id, question.text);
      const claimed = inserted && claim !== undefined && this.claims.claim(id, claim.token, claim.until);
      return { interaction: this.records.get(id)!, duplicate: !inserted, claimed };
    });
  }

  /** This member's question with this platform message id, if it was recorded. */
  findQuestion(memberId: number, messageId: string): InteractionRecord | undefined {
    return this.records.findQuestion(memberId, messageId);
  }

  /** Records the answer (before it is sent), the persona version that produced it and, optionally, the question's vector: one transaction. */
  recordAnswer(interactionId: number, answer: string, personaVersionId: number | null, at: Date, question?: QuestionVector): void {
    this.transaction(() => {
      this.records.updateAnswer(interactionId, answer, personaVersionId, at);
      const found = this.records.searchable(interactionId);
      // Text and vector in one index change: one generation step for the member, not two.
      if (found) this.index.putMemory(found.memberId, interactionId, found.text, question);
    });
  }

  /** Stores what an answer cost, as the answer path measured it (see AnswerMeasurement). */
  recordAnswerMeasurement(interactionId: number, measurement: AnswerMeasurement): void {
    this.measurements.record(interactionId, measurement);
  }

  /** Stores a member's display name on their platform (shown instead of their key); null clears it. */
  recordDisplayName(key: MemberKey, name: string | null): void {
    this.measurements.recordDisplayName(key, name);
  }

  /** Records why no answer could be produced. */
  recordFailure(interactionId: number, code: string): void {
    this.records.updateFailure(interactionId, code);
  }

  /** Links the platform messages that carry an answer to its interaction. */
  recordAnswerMessages(interactionId: number, place: AnswerPlace, messageIds: string[]): void {
    this.transaction(() => this.records.insertAnswerMessages(interactionId, place, messageIds));
  }

  /** Stores an interaction's question vector. */
  recordVector(interactionId: number, memberId: number, vector: Float32Array, model: string): void {
    this.transaction(() => this.index.putVector(memberId, interactionId, vector, model));
  }

  /** Writes a feedback change in one transaction and re-indexes the text. */
  applyFeedback(interactionId: number, change: FeedbackChange): void {
    this.transaction(() => {
      this.records.updateFeedback(interactionId, change);
      this.reindexText(interactionId);
    });
  }

  /** One interaction by id. */
  interaction(id: number): InteractionRecord | undefined {
    return this.records.get(id);
  }

  /** Many interactions by id, in the order asked. */
  interactions(ids: number[]): InteractionRecord[] {
    return this.records.getMany(ids);
  }

  /** The interaction whose answer is this platform message. */
  interactionByAnswerMessage(place: AnswerPlace, messageId: string): InteractionRecord | undefined {
    return this.records.byAnswerMessage(place, messageId);
  }

  /** The interaction of this member whose correction or candidate correction is this message. */
  interactionByCorrectionMessage(memberId: number | null, messageId: string): InteractionRecord | undefined {
    return this.records.byCorrectionMessage(memberId, messageId);
  }

  /** This member's latest answered interaction in a conversation (thread or reply chain); an answer still being written counts. */
  latestInConversation(memberId: number, conversationId: string): InteractionRecord | undefined {
    return this.records.latestInConversation(memberId, conversationId);
  }

  /** This member's earlier answered turns in a conversation, oldest first, before `beforeId`. */
  conversationTurns(memberId: number, conversationId: string, beforeId: number, limit: number): InteractionRecord[] {
    return this.records.conversationTurns(memberId, conversationId, beforeId, limit);
  }

  /** A member's interactions, newest first. `labelledOnly` keeps those with ground truth. */
  listInteractions(member: MemberKey | number, options: { limit?: number; labelledOnly?: boolean } = {}): InteractionRecord[] {
    const memberId = typeof member === 'number' ? member : this.findMember(member);
    return memberId === undefined ? [] : this.records.list(memberId, options);
  }

  /** Hybrid memory search inside one member's interactions (see MemoryIndex.search). */
  searchMemory(memberId: number, query: { text: string; vector?: Float32Array }, k: number, beforeId?: number): MemoryHit[] {
    const hits = this.index.search(memberId, query, k, beforeId);
    const scores = new Map(hits.map((hit) => [hit.id, hit.score]));
    return this.records
      .getMany(hits.map((hit) => hit.id))
      .flatMap((interaction) => (interaction.memberId === memberId ? [{ interaction, score: scores.get(interaction.id)! }] : []));
  }

  /** The live persona: the member's newest version. */
  livePersona(memberId: number): PersonaVersion | undefined {
    return this.personas.live(memberId);
  }

  /** The member's persona versions, newest first. */
  personaHistory(memberId: number, limit: number): PersonaVersion[] {
    return this.personas.history(memberId, limit);
  }

  /** The 1-based position of a persona version in the member's history. */
  personaVersionNumber(memberId: number, personaId: number): number {
    return this.personas.versionNumber(memberId, personaId);
  }

  /** Appends a persona version; it becomes the live one. */
  addPersonaVersion(persona: NewPersona): PersonaVersion {
    return this.personas.add(persona);
  }

  /** Members whose ground truth changed since their persona last took it into account, longest waiting first. */
  membersDueForAlignment(limit: number): number[] {
    return this.alignment.due(limit);
  }

  /** Records one finished alignment attempt; ground truth up to its start counts as taken into account. */
  recordAlignmentRun(run: AlignmentRun): void {
    this.alignment.record(run);
  }

  /** Claims the member for one alignment until `until`, unless another run holds an unexpired claim. The claim's token, or null. */
  claimAlignment(memberId: number, now: Date, until: Date): string | null {
    return this.alignment.claim(memberId, now, until);
  }

  /** True while the claim with this token is the member's (the member still exists and nobody took over). */
  holdsAlignment(memberId: number, token: string): boolean {
    return this.alignment.holds(memberId, token);
  }

  /** Lets go of a claim; a claim another run has taken over since is left alone. */
  releaseAlignment(memberId: number, token: string): void {
    this.alignment.release(memberId, token);
  }

  /** The member's latest alignment attempt, if any. */
  lastAlignmentRun(memberId: number): AlignmentRun | undefined {
    return this.alignment.last(memberId);
  }

  /** The member's semantic profile, if one has been written. */
  profile(memberId: number): ProfileRecord | undefined {
    return this.profiles.get(memberId);
  }

  /** Writes the member's semantic profile, summarised through `throughInteractionId`. */
  saveProfile(memberId: number, summary: string, throughInteractionId: number, at: Date): void {
    this.profiles.save(memberId, summary, throughInteractionId, at);
  }

  /** The erase step after a deletion of member text: now, or when the enclosing transaction commits (false until then). */
  private eraseDeleted(): boolean {
    if (!this.transactions.open) return eraseDeletedBytes(this.db);
    this.transactions.onCommit(() => eraseDeletedBytes(this.db));
    return false;
  }

  private reindexText(interactionId: number): void {
    const found = this.records.searchable(interactionId);
    if (found) this.index.putText(found.memberId, interactionId, found.text);
  }
}
