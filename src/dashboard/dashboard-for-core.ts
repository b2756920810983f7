import { QueuedModel } from '../llm/model-queue.js';
import type { Core } from '../main.js';
import { AlignmentRecords } from '../memory/alignment-records.js';
import { startDashboard, type RunningDashboard } from './dashboard-server.js';

/** Days of figures the overview shows. */
const OVERVIEW_DAYS = 30;

/** Starts the dashboard over the bot's own store, model queue and embedding model (DASHBOARD_*). */
export function startDashboardFor(core: Core): Promise<RunningDashboard> {
  const { config, store, queue } = core;
  // Persona-map embeddings wait for a background slot, behind members' answers.
  const model = new QueuedModel(core.model, queue);
  return startDashboard(
    { port: config.DASHBOARD_PORT ?? 0, host: config.DASHBOARD_HOST, token: config.DASHBOARD_TOKEN },
    {
      store,
      db: store.db,
      records: new AlignmentRecords(store.db),
      embed: (texts) => model.embed(texts),
      queueStats: () => queue.stats(),
      days: OVERVIEW_DAYS,
      now: () => new Date(),
    },
    core.logger.child({ component: 'dashboard' }),
  );
}
