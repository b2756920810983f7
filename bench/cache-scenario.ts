import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printTable, size } from './support.js';

/** RSS of a fresh process that opened `path` and filled its index cache by searching every member once. */
export function cacheScenario(path: string, budgetMiB: number): void {
  const script = fileURLToPath(new URL('./cache-rss.ts', import.meta.url));
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, path, String(budgetMiB)], { encoding: 'utf8' });
  const figures = JSON.parse(output.trim().split('\n').at(-1)!) as { rssBefore: number; rss: number; heapUsed: number; filledMs: number; bytes: number; members: number; budgetBytes: number };
  printTable(`Memory with the index cache full (MEMORY_CACHE_MB=${budgetMiB}, a fresh process that searched every member once)`, [
    ['', 'value'],
    ['cache held', `${size(figures.bytes)} of ${size(figures.budgetBytes)}, ${figures.members} members`],
    ['filled in', `${(figures.filledMs / 1000).toFixed(1)} s`],
    ['process RSS after opening the database', size(figures.rssBefore)],
    ['process RSS with the cache full', size(figures.rss)],
  ]);
}
