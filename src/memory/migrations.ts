import type { Db } from './database.js';
import { compactAfterLayoutUpgrade, upgradeMemoryLayout } from './memory-layout-migration.js';

/** Reports a long migration's progress: `done` of `total` rows, in the step named. */
export type MigrationProgress = (done: number, total: number, step?: string) => void;

/** One numbered migration: SQL, code, or both, run in one transaction; `after` runs once it committed. */
export interface Migration {
  version: number;
  name: string;
  sql?: string;
  up?: (db: Db, onProgress: MigrationProgress) => void;
  after?: (db: Db, onProgress: MigrationProgress) => void;
}

/** Numbered schema migrations; each runs once, in order, inside a transaction. Never edit a shipped one. */
export const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      -- Ids are never reused (AUTOINCREMENT): work still in flight for a forgotten member or
      -- interaction must not land on a newcomer who would otherwise get the same id.
      CREATE TABLE members (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        platform TEXT NOT NULL,
        workspace_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (platform, workspace_id, user_id)
      );

      -- Append-only: the newest row per member is the live persona.
      CREATE TABLE persona_versions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('init', 'aligned', 'reset')),
        created_at TEXT NOT NULL,
        batch_ids TEXT,
        feedback TEXT,
        model TEXT,
        prompt_versions TEXT,
        score_before REAL,
        score_after REAL,
        corrections_learned INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX persona_versions_member ON persona_versions (member_id, id);

      -- Episodic memory D^u: question, the bot's answer, the member's ground truth.
      CREATE TABLE interactions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        channel_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        question TEXT NOT NULL,
        question_message_id TEXT NOT NULL,
        answer TEXT,
        ground_truth TEXT,
        feedback TEXT NOT NULL DEFAULT 'none'
          CHECK (feedback IN ('none', 'negative', 'negative_corrected', 'positive')),
        correction_message_id TEXT,
        candidate_text TEXT,
        candidate_message_id TEXT,
        persona_version_id INTEGER REFERENCES persona_versions(id) ON DELETE SET NULL,
        error_code TEXT,
        asked_at TEXT NOT NULL,
        answered_at TEXT,
        feedback_at TEXT,
        UNIQUE (member_id, question_message_id)
      );
      CREATE INDEX interactions_conversation ON interactions (member_id, conversation_id, id);
      CREATE INDEX interactions_labelled ON interactions (member_id, feedback_at) WHERE ground_truth IS NOT NULL;
      CREATE INDEX interactions_correction ON interactions (correction_message_id) WHERE correction_message_id IS NOT NULL;
      CREATE INDEX interactions_candidate ON interactions (candidate_message_id) WHERE candidate_message_id IS NOT NULL;

      -- Every platform message that carries (part of) an answer, so a reaction on any chunk counts.
      CREATE TABLE answer_messages (
        platform TEXT NOT NULL,
        workspace_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
        PRIMARY KEY (platform, workspace_id, channel_id, message_id)
      ) WITHOUT ROWID;
      CREATE INDEX answer_messages_interaction ON answer_messages (interaction_id);

      -- FTS5 over question, answer and ground truth; the member column scopes every match.
      CREATE VIRTUAL TABLE interaction_fts USING fts5(member, body, tokenize = 'porter unicode61');

      -- Semantic memory P^u.
      CREATE TABLE profiles (
        member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
        summary TEXT NOT NULL,
        through_interaction_id INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- One row per alignment attempt, accepted or not, so a rejected rewrite is not retried until new ground truth.
      CREATE TABLE alignment_runs (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
        detail TEXT,
        model_calls INTEGER NOT NULL DEFAULT 0,
        persona_version_id INTEGER REFERENCES persona_versions(id) ON DELETE SET NULL
      );
      CREATE INDEX alignment_runs_member ON alignment_runs (member_id, id);
    `,
  },
  {
    version: 2,
    name: 'alignment due marks on members',
    sql: `
      -- When the member's ground truth last changed, and up to when it has been taken into account
      -- (an alignment run started, or the persona was reset). Due members are found from an index, so
      -- a scheduled run costs in proportion to the members with new ground truth, not to all members.
      ALTER TABLE members ADD COLUMN feedback_at TEXT;
      ALTER TABLE members ADD COLUMN aligned_at TEXT;
      -- Held while an alignment runs, so the schedule in the bot and an align from the CLI never rewrite one member at once.
      ALTER TABLE members ADD COLUMN aligning_until TEXT;
      ALTER TABLE members ADD COLUMN aligning_by TEXT;
      UPDATE members SET
        feedback_at = (SELECT max(feedback_at) FROM interactions i WHERE i.member_id = members.id),
        aligned_at = nullif(max(
          coalesce((SELECT max(created_at) FROM persona_versions p WHERE p.member_id = members.id AND p.reason <> 'init'), ''),
          coalesce((SELECT max(started_at) FROM alignment_runs r WHERE r.member_id = members.id), '')
        ), '');
      CREATE INDEX members_alignment_due ON members (feedback_at) WHERE feedback_at > coalesce(aligned_at, '');
    `,
  },
  {
    version: 3,
    name: 'answer claims and the place of a question',
    sql: `
      -- Where the question sits (a Discord thread channel or Slack thread), so an answer interrupted by
      -- a crash can be given after a restart in the same place.
      ALTER TABLE interactions ADD COLUMN thread_id TEXT;
      -- Held while a process answers the question (renewed as it works), so a redelivery or the
      -- recovery after a restart never answers it twice; a dead process's claim runs out by itself.
      ALTER TABLE interactions ADD COLUMN claimed_by TEXT;
      ALTER TABLE interactions ADD COLUMN claimed_until TEXT;
      CREATE INDEX interactions_unanswered ON interactions (asked_at) WHERE answer IS NULL;
    `,
  },
  {
    version: 5,
    name: 'approval per persona version, held-out validation, answer measurements, display names',
    sql: `
      -- The member's name on their platform, when an adapter knows it; shown instead of the key.
      ALTER TABLE members ADD COLUMN display_name TEXT;
      -- What each answer cost, as the answer path measured it (null when it was not measured).
      ALTER TABLE interactions ADD COLUMN model_calls INTEGER;
      ALTER TABLE interactions ADD COLUMN answer_ms INTEGER;
      ALTER TABLE interactions ADD COLUMN first_text_ms INTEGER;
      ALTER TABLE interactions ADD COLUMN wait_ms INTEGER;
      ALTER TABLE interactions ADD COLUMN prompt_tokens INTEGER;
      ALTER TABLE interactions ADD COLUMN completion_tokens INTEGER;
      -- Approval per persona version counts the answers each version gave.
      CREATE INDEX interactions_persona_version ON interactions (persona_version_id) WHERE persona_version_id IS NOT NULL;
      -- How a version was checked before adoption: on labelled questions it was not written from (held out).
      ALTER TABLE persona_versions ADD COLUMN heldout_ids TEXT;
      ALTER TABLE persona_versions ADD COLUMN heldout_before REAL;
      ALTER TABLE persona_versions ADD COLUMN heldout_after REAL;
      ALTER TABLE persona_versions ADD COLUMN validation_note TEXT;
      -- A persona version's answer to a labelled question (replayed, or its live answer) and its score,
      -- so the next alignment run reuses them instead of asking the model again. The score holds only
      -- against the ground truth it was given on, kept as a hash: an edited or deleted correction's text
      -- must not live on here.
      CREATE TABLE persona_answers (
        persona_version_id INTEGER NOT NULL REFERENCES persona_versions(id) ON DELETE CASCADE,
        interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
        answer TEXT NOT NULL,
        truth_hash TEXT,
        score REAL,
        PRIMARY KEY (persona_version_id, interaction_id)
      ) WITHOUT ROWID;
      CREATE INDEX persona_answers_interaction ON persona_answers (interaction_id);
      -- Alignment runs that failed (model down, cancelled, unusable answers). Kept apart from alignment_runs,
      -- whose rows mean the ground truth was taken into account: after a failure the member stays due.
      CREATE TABLE alignment_failures (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        detail TEXT,
        model_calls INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX alignment_failures_member ON alignment_failures (member_id, id);
    `,
  },
  {
    version: 4,
    name: 'memory layout: float32 vectors in a plain table, keyword index in process',
    up: upgradeMemoryLayout,
    after: compactAfterLayoutUpgrade,
  },
  {
    version: 6,
    name: 'standing instructions per workspace and channel',
    sql: `
      -- Set by a workspace's admins for the whole workspace (channel_id '') or one channel; they join the
      -- system prompt of every answer there, after the member's own persona.
      CREATE TABLE channel_instructions (
        platform TEXT NOT NULL,
        workspace_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        text TEXT NOT NULL,
        set_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (platform, workspace_id, channel_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'memory generation per member',
    sql: `
      -- Counts the changes to a member's searchable memory (texts and vectors). Each process keeps a
      -- member's in-process index with the generation it was built at, so a commit by another process
      -- (the CLI's forget, reset or align) costs only the members it changed their index.
      ALTER TABLE members ADD COLUMN memory_generation INTEGER NOT NULL DEFAULT 0;
    `,
  },
];
