import { describe, expect, it } from 'vitest';
import { FairModelQueue, QueueClosedError, QueuedModel } from './model-queue.js';
import type { ChatRequest, ChatResult, LanguageModel } from '../core/ports.js';

/** Work that finishes when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('FairModelQueue', () => {
  it('serves lanes in turn, live before background, and says how many are ahead', async () => {
    const queue = new FairModelQueue(1);
    const order: string[] = [];
    const positions = new Map<string, number[]>();
    const first = gate();
    const running = queue.run({ lane: 'a', priority: 'live' }, async () => {
      order.push('a0');
      await first.promise;
    });
    const submit = (name: string, lane: string, priority: 'live' | 'background' = 'live') =>
      queue.run({ lane, priority, onPosition: (ahead) => positions.set(name, [...(positions.get(name) ?? []), ahead]) }, async () => void order.push(name));
    const all = [submit('bg', 'x', 'background'), submit('a1', 'a'), submit('a2', 'a'), submit('a3', 'a'), submit('b1', 'b'), submit('c1', 'c')];
    expect(queue.pending('a')).toBe(4);
    expect(queue.stats()).toEqual({ waiting: 6, running: 1 });
    expect(positions.get('b1')!.at(-1)).toBe(2);
    expect(positions.get('a3')!.at(-1)).toBe(5);
    const seenBeforeServing = positions.get('a3')!.length;
    first.open();
    await Promise.all([running, ...all]);
    expect(order).toEqual(['a0', 'a1', 'b1', 'c1', 'a2', 'a3', 'bg']);
    // Once nothing new arrives, a place only moves forward as work is served.
    const served = positions.get('a3')!.slice(seenBeforeServing - 1);
    expect(served).toEqual([5, 4, 3, 2, 1]);
  });

  it('drops cancelled work from the line, and fails everything waiting when closed', async () => {
    const queue = new FairModelQueue(1);
    const held = gate();
    const running = queue.run({ lane: 'a', priority: 'live' }, () => held.promise);
    const cancel = new AbortController();
    const cancelled = queue.run({ lane: 'b', priority: 'live', signal: cancel.signal }, async () => 'ran');
    const closed = queue.run({ lane: 'c', priority: 'live' }, async () => 'ran');
    cancel.abort(new Error('member left'));
    await expect(cancelled).rejects.toThrow('member left');
    expect(queue.pending('b')).toBe(0);
    queue.close();
    await expect(closed).rejects.toBeInstanceOf(QueueClosedError);
    held.open();
    await running;
    await expect(queue.run({ lane: 'a', priority: 'live' }, async () => 1)).rejects.toBeInstanceOf(QueueClosedError);
  });

  it('lets model calls made inside queued work through, and queues calls made outside it', async () => {
    const queue = new FairModelQueue(1);
    let inFlight = 0;
    let most = 0;
    const inner: LanguageModel = {
      modelName: 'm',
      contextTokens: 1000,
      async chat(_request: ChatRequest): Promise<ChatResult> {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        return { content: 'ok', toolCalls: [], promptTokens: 1, completionTokens: 1 };
      },
      async embed(texts: string[]) {
        return texts.map(() => new Float32Array(2));
      },
    };
    const model = new QueuedModel(inner, queue);
    const request = { system: '', messages: [], temperature: 0 };
    // An answer makes two calls in its slot (no deadlock); background calls wait for it.
    const answer = queue.run({ lane: 'a', priority: 'live' }, async () => [await model.chat(request), await model.embed(['x'])]);
    const background = Promise.all([model.chat(request), model.chat(request)]);
    await Promise.all([answer, background]);
    expect(most).toBe(1);
  });

  it('resolves liveIdle once no live work waits', async () => {
    const queue = new FairModelQueue(1);
    await queue.liveIdle();
    const held = gate();
    const running = queue.run({ lane: 'a', priority: 'live' }, () => held.promise);
    const waiting = queue.run({ lane: 'b', priority: 'live' }, async () => undefined);
    let idle = false;
    const idled = queue.liveIdle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    held.open();
    await Promise.all([running, waiting, idled]);
    expect(idle).toBe(true);
  });
});
