/**
 * Run as a child process by the benchmark: opens a database, searches every member once so the
 * in-process index cache fills (up to MEMORY_CACHE_MB), and prints the process's memory as JSON.
 */
import { Store } from '../src/memory/store.js';

const [path, budgetMiB] = process.argv.slice(2);
const store = Store.open(path!, { cacheBytes: Number(budgetMiB) * 2 ** 20 });
const before = process.memoryUsage().rss;
const started = performance.now();
for (const member of store.listMembers()) store.searchMemory(member.id, { text: 'w1x w2x', vector: new Float32Array(768).fill(0.036) }, 4);
const filledMs = performance.now() - started;
global.gc?.();
console.log(JSON.stringify({ rssBefore: before, rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, filledMs, ...store.index.cacheStats() }));
store.close();
