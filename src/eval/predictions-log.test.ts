import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PredictionsLog, type ItemRecord } from './predictions-log.js';
import { emptyUsage } from './usage-meter.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'predictions-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const item = (questionId: string, output: string, error?: string): ItemRecord => ({
  type: 'item',
  questionId,
  userId: 'u',
  gold: 'comedy',
  output,
  prediction: output.trim(),
  lenient: '',
  ...(error ? { error } : {}),
  toolCalls: [],
  retrievedIds: [],
  usage: emptyUsage(),
  ms: 1,
});

describe('PredictionsLog', () => {
  it('starts with the run settings and reads back what finished', () => {
    const path = join(dir, 'runs', 'm.jsonl');
    const log = PredictionsLog.open(path, { type: 'run', settings: { model: 'm' } });
    log.addItem(item('q1', 'comedy'));
    log.addSetup({ type: 'setup', userId: 'u', memberId: 1, imported: 3, usage: emptyUsage() });
    expect(JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!)).toEqual({ type: 'run', settings: { model: 'm' } });
    const reopened = PredictionsLog.open(path, { type: 'run', settings: { model: 'ignored' } });
    expect(reopened.done('q1')?.output).toBe('comedy');
    expect(reopened.setups.get('u')?.imported).toBe(3);
  });

  it('treats failed questions as not done, lets a retry win, and ignores a torn last line', () => {
    const path = join(dir, 'm.jsonl');
    const log = PredictionsLog.open(path, { type: 'run', settings: {} });
    log.addItem(item('q1', '', 'MODEL_TIMEOUT: slow'));
    log.addItem(item('q2', 'sci-fi'));
    expect(PredictionsLog.open(path, { type: 'run', settings: {} }).done('q1')).toBeUndefined();
    log.addItem(item('q1', 'drama'));
    appendFileSync(path, '{"type":"item","questionId":"q3","outp');
    const reopened = PredictionsLog.open(path, { type: 'run', settings: {} });
    expect(reopened.done('q1')?.output).toBe('drama');
    expect([...reopened.items.keys()]).toEqual(['q1', 'q2']);
  });
});
