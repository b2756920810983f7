/** What a paced stream tells its pacer: how to write, whether there is anything new, what went wrong. */
export interface PacedTarget {
  /** Brings the platform up to date with everything so far; `final` once the answer is complete. */
  flush(final: boolean): Promise<void>;
  /** Whether a flush would change what the member sees. */
  dirty(): boolean;
  /** Whether nothing is on the platform yet (the first flush goes at once). */
  empty(): boolean;
  /** A flush failed; the pacer tries again an interval later. */
  failed(error: unknown): void;
}

/**
 * Paces the writes of a streamed answer: the first at once, then at most one per interval, counted
 * from the end of the previous write, so the platform sees calls at least an interval apart. Only the
 * newest text is ever written (updates never queue up), and a failed write is retried an interval later.
 */
export class PacedFlush {
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  private ended = false;

  constructor(
    private readonly target: PacedTarget,
    private readonly intervalMs: number,
  ) {}

  /** There is something new to show: write it now or once the interval has passed. */
  request(): void {
    if (this.ended || this.flushing || this.timer) return;
    const wait = this.target.empty() ? 0 : this.lastFlushAt + this.intervalMs - Date.now();
    if (wait <= 0) return this.start();
    this.later(wait);
  }

  /** The answer is complete: waits for a write in progress, then writes the rest at once. */
  async end(): Promise<void> {
    this.ended = true;
    clearTimeout(this.timer);
    await this.flushing;
    await this.write(true);
  }

  private start(): void {
    let failed = false;
    this.flushing = this.write(false)
      .catch((error: unknown) => {
        failed = true;
        this.target.failed(error);
      })
      .finally(() => {
        this.flushing = null;
        if (this.ended || !this.target.dirty()) return;
        // After a failure the next try waits a whole interval, so a platform in trouble is not hammered.
        if (failed) this.later(this.intervalMs);
        else this.request();
      });
  }

  private async write(final: boolean): Promise<void> {
    try {
      await this.target.flush(final);
    } finally {
      this.lastFlushAt = Date.now();
    }
  }

  private later(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.request();
    }, ms);
    this.timer.unref();
  }
}
