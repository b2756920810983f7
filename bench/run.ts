/**
 * `npm run bench`: figures for the parts of an answer that are ours. Each scenario prints its own
 * table. BENCH_TOTAL sets the size of the main database (default 100000 interactions; 20000 is a
 * quick look, and the 100k-memory member is only built at 100000 or more). BENCH_PART=memory
 * prints the memory figures alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheScenario } from './cache-scenario.js';
import { latencyBench } from './latency.js';
import { memoryLayoutScenarios } from './memory-scenarios.js';
import { alignmentScenario, mentionScenario } from './mention-scenarios.js';

const total = Number(process.env.BENCH_TOTAL ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'persona-bot-bench-'));
try {
  const layouts = memoryLayoutScenarios(dir, total);
  const medium = layouts.members.find((member) => member.label === '1k') ?? layouts.members[0]!;
  await mentionScenario(layouts.store, layouts.legacy, medium.label, medium.memories);
  layouts.legacy.close();
  await alignmentScenario(layouts.store, layouts.store.listMembers().length);
  layouts.store.close();
  cacheScenario(layouts.paths.store, 256);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (process.env.BENCH_PART !== 'memory') await latencyBench();
