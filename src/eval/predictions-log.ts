import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ToolCall } from '../core/ports.js';
import type { MemBankState } from './membank.js';
import type { Usage } from './usage-meter.js';

/** What became of one test question. */
export interface ItemRecord {
  type: 'item';
  questionId: string;
  userId: string;
  gold: string;
  /** The model's raw output ('' when it failed). */
  output: string;
  /** The stripped output: what LaMP's evaluation compares with the gold. */
  prediction: string;
  /** The answer extracted from the output for the lenient score (not official). */
  lenient: string;
  /** Why no answer was produced; such items count as wrong and are tried again on the next run. */
  error?: string;
  toolCalls: ToolCall[];
  retrievedIds: number[];
  /** What the context budget left out of the prompt ("2 of 4 memories", "profile"); absent when nothing was. */
  trimmed?: string[];
  usage: Usage;
  ms: number;
}

/** What was done for one user before their questions: memory import, profile, persona, alignment. */
export interface SetupRecord {
  type: 'setup';
  userId: string;
  memberId: number;
  imported: number;
  personaVersionId?: number;
  alignment?: { outcome: string; reason: string; modelCalls: number; personaVersionId?: number };
  /** MemBank's summaries and surviving memories. */
  membank?: MemBankState;
  usage: Usage;
}

/** The settings a log was made with, written once as its first line. */
export interface RunHeader {
  type: 'run';
  settings: Record<string, unknown>;
}

type LogLine = ItemRecord | SetupRecord | RunHeader;

/**
 * Append-only JSON lines, one per finished question or user setup, written as each finishes so an
 * interruption loses at most the work in flight. On open, a torn last line is ignored and later
 * lines win over earlier ones (a failed item retried).
 */
export class PredictionsLog {
  readonly items = new Map<string, ItemRecord>();
  readonly setups = new Map<string, SetupRecord>();

  private constructor(private readonly path: string) {}

  /** Opens (or starts) the log at `path`, writing `header` when the file is new. */
  static open(path: string, header: RunHeader): PredictionsLog {
    const log = new PredictionsLog(path);
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) {
      log.append(header);
      return log;
    }
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const record = parseLine(line);
      if (record?.type === 'item') log.items.set(record.questionId, record);
      else if (record?.type === 'setup') log.setups.set(record.userId, record);
    }
    return log;
  }

  /** The question's finished record; failed ones do not count as finished. */
  done(questionId: string): ItemRecord | undefined {
    const record = this.items.get(questionId);
    return record && record.error === undefined ? record : undefined;
  }

  /** Records a question's outcome. */
  addItem(record: ItemRecord): void {
    this.items.set(record.questionId, record);
    this.append(record);
  }

  /** Records a finished user setup. */
  addSetup(record: SetupRecord): void {
    this.setups.set(record.userId, record);
    this.append(record);
  }

  private append(line: LogLine): void {
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
  }
}

function parseLine(line: string): LogLine | null {
  if (line.trim() === '') return null;
  try {
    const value = JSON.parse(line) as LogLine;
    return typeof value === 'object' && value !== null && 'type' in value ? value : null;
  } catch {
    return null;
  }
}
