import type { AlignmentRecords } from '../memory/alignment-records.js';
import type { Db } from '../memory/database.js';
import type { Store } from '../memory/store.js';

/** The model queue's load right now. */
export interface QueueStats {
  waiting: number;
  running: number;
}

/** What the dashboard reads from; all injected by the composition root. */
export interface DashboardDeps {
  store: Store;
  db: Db;
  records: AlignmentRecords;
  /** Embeds texts with the configured embedding model (for the persona map); absent: no map. */
  embed?: (texts: string[]) => Promise<Float32Array[]>;
  /** The live queue length; absent when the process has no queue to show. */
  queueStats?: () => QueueStats;
  /** How many days the overview's figures cover. */
  days: number;
  now: () => Date;
}
