import type { AlignmentRunRecords } from './alignment-run-records.js';
import type { PersonaReason, PersonaVersion } from './records.js';
import { toPersona, type PersonaRow } from './row-mapping.js';
import type { Statements } from './statements.js';

/** A new persona version. */
export interface NewPersona {
  memberId: number;
  text: string;
  reason: PersonaReason;
  at: Date;
  batchIds?: number[];
  feedback?: string[];
  model?: string;
  promptVersions?: Record<string, string>;
  scoreBefore?: number | null;
  scoreAfter?: number | null;
}

/** The `persona_versions` table: every persona ever written; the newest per member is live. */
export class PersonaRecords {
  constructor(
    private readonly sql: Statements,
    private readonly alignment: AlignmentRunRecords,
  ) {}

  /** The live persona: the member's newest version. */
  live(memberId: number): PersonaVersion | undefined {
    const row = this.sql.get('SELECT * FROM persona_versions WHERE member_id = ? ORDER BY id DESC LIMIT 1').get(memberId) as PersonaRow | undefined;
    return row && toPersona(row);
  }

  /** The member's persona versions, newest first. */
  history(memberId: number, limit: number): PersonaVersion[] {
    return (this.sql.get('SELECT * FROM persona_versions WHERE member_id = ? ORDER BY id DESC LIMIT ?').all(memberId, limit) as PersonaRow[]).map(toPersona);
  }

  /** The 1-based position of a persona version in the member's history. */
  versionNumber(memberId: number, personaId: number): number {
    return this.sql.pluck('SELECT count(*) FROM persona_versions WHERE member_id = ? AND id <= ?').get(memberId, personaId) as number;
  }

  /** Appends a persona version; it becomes the live one. */
  add(persona: NewPersona): PersonaVersion {
    const learned = this.sql.pluck('SELECT count(*) FROM interactions WHERE member_id = ? AND ground_truth IS NOT NULL').get(persona.memberId) as number;
    const result = this.sql
      .get(
        `INSERT INTO persona_versions (member_id, text, reason, created_at, batch_ids, feedback, model, prompt_versions, score_before, score_after, corrections_learned)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        persona.memberId,
        persona.text,
        persona.reason,
        persona.at.toISOString(),
        persona.batchIds ? JSON.stringify(persona.batchIds) : null,
        persona.feedback ? JSON.stringify(persona.feedback) : null,
        persona.model ?? null,
        persona.promptVersions ? JSON.stringify(persona.promptVersions) : null,
        persona.scoreBefore ?? null,
        persona.scoreAfter ?? null,
        persona.reason === 'aligned' ? learned : 0,
      );
    // A reset starts over: ground truth given before it is not learned again by the next scheduled run.
    if (persona.reason === 'reset') this.alignment.markAligned(persona.memberId, persona.at);
    return toPersona(this.sql.get('SELECT * FROM persona_versions WHERE id = ?').get(Number(result.lastInsertRowid)) as PersonaRow);
  }
}
