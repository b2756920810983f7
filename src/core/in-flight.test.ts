import { describe, expect, it } from 'vitest';
import { InFlight } from './in-flight.js';

describe('InFlight', () => {
  it('waits for tracked work, and only as long as it is told to', async () => {
    const inFlight = new InFlight();
    let finish!: () => void;
    const slow = inFlight.track(new Promise<void>((resolve) => (finish = resolve)));
    const failing = inFlight.track(Promise.reject(new Error('handled elsewhere')));
    await expect(failing).rejects.toThrow('handled elsewhere');

    // Returns although `slow` is still pending (were the bound ignored, this would never return).
    await inFlight.settled(5);
    let done = false;
    const all = inFlight.settled().then(() => (done = true));
    finish();
    await slow;
    await all;
    expect(done).toBe(true);
    // Nothing is left to wait for.
    await inFlight.settled();
  });
});
