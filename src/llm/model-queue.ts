import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChatRequest, ChatResult, LanguageModel, ModelCapabilities, ModelQueue, QueueTicket } from '../core/ports.js';

/** The queue was closed (shutdown) before this work got a slot. */
export class QueueClosedError extends Error {
  readonly code = 'QUEUE_CLOSED';
  constructor() {
    super('The model queue is closed.');
    this.name = 'QueueClosedError';
  }
}

interface Waiting {
  ticket: QueueTicket;
  start: () => void;
  fail: (error: unknown) => void;
  ahead: number | null;
}

/**
 * A fair queue in front of the model: at most `concurrency` pieces of work hold the model at once;
 * live work goes before background work; live work is served round-robin across lanes (members),
 * so one member's burst does not hold back another member's single question.
 */
export class FairModelQueue implements ModelQueue {
  /** Set inside `run`, so model calls made by the work itself do not wait for another slot. */
  private readonly holding = new AsyncLocalStorage<true>();
  private readonly live = new Map<string, Waiting[]>();
  /** Lanes with live work waiting, in the order they will be served. */
  private rotation: string[] = [];
  private readonly background: Waiting[] = [];
  private readonly runningByLane = new Map<string, number>();
  private running = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  }

  /** Whether the caller already holds a slot (its model calls pass straight through). */
  get inSlot(): boolean {
    return this.holding.getStore() === true;
  }

  async run<T>(ticket: QueueTicket, work: () => Promise<T>): Promise<T> {
    if (this.inSlot) return work();
    await this.acquire(ticket);
    const live = ticket.priority === 'live';
    try {
      return await this.holding.run(true, work);
    } finally {
      this.running -= 1;
      if (live) this.leaveLane(ticket.lane);
      this.dispatch();
    }
  }

  pending(lane: string): number {
    return (this.live.get(lane)?.length ?? 0) + (this.runningByLane.get(lane) ?? 0);
  }

  stats(): { waiting: number; running: number } {
    return { waiting: this.liveWaiting() + this.background.length, running: this.running };
  }

  liveIdle(): Promise<void> {
    if (this.liveWaiting() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new work and fails everything still waiting with `QueueClosedError`; running work goes on. */
  close(): void {
    this.closed = true;
    const waiting = [...[...this.live.values()].flat(), ...this.background];
    this.live.clear();
    this.rotation = [];
    this.background.length = 0;
    for (const entry of waiting) entry.fail(new QueueClosedError());
    this.notifyIdle();
  }

  private acquire(ticket: QueueTicket): Promise<void> {
    if (this.closed) return Promise.reject(new QueueClosedError());
    if (ticket.signal?.aborted) return Promise.reject(ticket.signal.reason);
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = { ticket, ahead: null, start: resolve, fail: reject };
      const onAbort = () => {
        if (this.remove(entry)) reject(ticket.signal!.reason);
      };
      ticket.signal?.addEventListener('abort', onAbort, { once: true });
      entry.start = () => {
        ticket.signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      entry.fail = (error) => {
        ticket.signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      this.enqueue(entry);
      this.dispatch();
    });
  }

  private enqueue(entry: Waiting): void {
    if (entry.ticket.priority === 'background') return void this.background.push(entry);
    const lane = entry.ticket.lane;
    const queue = this.live.get(lane);
    if (queue) return void queue.push(entry);
    this.live.set(lane, [entry]);
    this.rotation.push(lane);
  }

  /** Starts waiting work while slots are free, then tells the rest where they stand. */
  private dispatch(): void {
    while (this.running < this.concurrency) {
      const next = this.nextLive() ?? this.background.shift();
      if (!next) break;
      this.running += 1;
      if (next.ticket.priority === 'live') this.runningByLane.set(next.ticket.lane, (this.runningByLane.get(next.ticket.lane) ?? 0) + 1);
      next.start();
    }
    if (this.liveWaiting() === 0) this.notifyIdle();
    this.announcePositions();
  }

  private nextLive(): Waiting | undefined {
    const lane = this.rotation.shift();
    if (lane === undefined) return undefined;
    const queue = this.live.get(lane)!;
    const entry = queue.shift()!;
    if (queue.length > 0) this.rotation.push(lane);
    else this.live.delete(lane);
    return entry;
  }

  /** The order live work will be served in: round by round, each lane with work left takes one turn. */
  private serviceOrder(): Waiting[] {
    const order: Waiting[] = [];
    const depth = Math.max(0, ...[...this.live.values()].map((queue) => queue.length));
    for (let round = 0; round < depth; round += 1) {
      for (const lane of this.rotation) {
        const entry = this.live.get(lane)?.[round];
        if (entry) order.push(entry);
      }
    }
    return order;
  }

  private announcePositions(): void {
    this.serviceOrder().forEach((entry, index) => {
      const ahead = index + this.running;
      if (entry.ahead === ahead) return;
      entry.ahead = ahead;
      entry.ticket.onPosition?.(ahead);
    });
  }

  private remove(entry: Waiting): boolean {
    if (entry.ticket.priority === 'background') {
      const index = this.background.indexOf(entry);
      if (index >= 0) this.background.splice(index, 1);
      return index >= 0;
    }
    const lane = entry.ticket.lane;
    const queue = this.live.get(lane);
    const index = queue?.indexOf(entry) ?? -1;
    if (!queue || index < 0) return false;
    queue.splice(index, 1);
    if (queue.length === 0) {
      this.live.delete(lane);
      this.rotation = this.rotation.filter((name) => name !== lane);
    }
    this.dispatch();
    return true;
  }

  private leaveLane(lane: string): void {
    const count = (this.runningByLane.get(lane) ?? 1) - 1;
    if (count > 0) this.runningByLane.set(lane, count);
    else this.runningByLane.delete(lane);
  }

  private liveWaiting(): number {
    let count = 0;
    for (const queue of this.live.values()) count += queue.length;
    return count;
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * The model behind the queue: a call made outside any queued work (alignment, profile refresh,
 * evaluation) waits for a background slot; a call made inside queued work (an answer) goes straight on.
 */
export class QueuedModel implements LanguageModel {
  constructor(
    private readonly inner: LanguageModel,
    private readonly queue: FairModelQueue,
  ) {}

  get modelName(): string {
    return this.inner.modelName;
  }

  get contextTokens(): number {
    return this.inner.contextTokens;
  }

  get capabilities(): ModelCapabilities | undefined {
    return this.inner.capabilities;
  }

  chat(request: ChatRequest): Promise<ChatResult> {
    return this.queue.run({ lane: 'background', priority: 'background', signal: request.signal }, () => this.inner.chat(request));
  }

  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return this.queue.run({ lane: 'background', priority: 'background', signal }, () => this.inner.embed(texts, signal));
  }
}
