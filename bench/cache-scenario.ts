import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printTable, size } from './support.js';

interface CacheFigures {
  rssBefore: number;
  rss: number;
  heapUsed: number;
  filledMs: number;
  bytes: number;
  members: number;
  budgetBytes: number;
}

/** A fresh process that opened `path` with MEMORY_CACHE_MB=`budgetMiB` and searched every member once. */
function filled(path: string, budgetMiB: number): CacheFigures {
  const script = fileURLToPath(new URL('./cache-rss.ts', import.meta.url));
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, path, String(budgetMiB)], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').at(-1)!) as CacheFigures;
}

/**
 * Process memory with the index cache empty and full: once at `budgetMiB`, and, when the database
 * does not fill that, again at a limit half of what it took, so the cache is filled to its limit.
 */
export function cacheScenario(path: string, budgetMiB: number): void {
  const runs = [filled(path, budgetMiB)];
  const needed = runs[0]!.bytes / 2 ** 20;
  if (needed < budgetMiB * 0.9) runs.push(filled(path, Math.max(1, Math.floor(needed / 2))));
  const rows = [['MEMORY_CACHE_MB', 'cache held', 'members held', 'filled in s', 'RSS, cache empty', 'RSS, cache filled', 'RSS growth']];
  for (const run of runs) {
    const full = run.bytes >= run.budgetBytes * 0.9 ? ' (full)' : ' (all members, under the limit)';
    rows.push([String(run.budgetBytes / 2 ** 20), `${size(run.bytes)}${full}`, String(run.members), (run.filledMs / 1000).toFixed(1), size(run.rssBefore), size(run.rss), size(run.rss - run.rssBefore)]);
  }
  printTable('Memory with the index cache filled (a fresh process that opened the database and searched every member once)', rows);
}
