/** Where progress goes: a stream-like writer that may be a terminal. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Non-terminal output gets a line each time another tenth of the work is done. */
const PLAIN_STEPS = 10;
const BAR_WIDTH = 24;

/**
 * A progress bar with an ETA. On a terminal it redraws one line; otherwise it prints plain lines
 * (logs, CI). Questions finished by an earlier run count as done but not towards the speed, so the
 * ETA of a resumed run reflects the work left.
 */
export class Progress {
  private done = 0;
  private worked = 0;
  private readonly startedAt: number;
  private lastStep = -1;
  private label = '';

  constructor(
    private readonly total: number,
    private readonly output: ProgressOutput,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  /** Names the work in progress (e.g. the method being run). */
  setLabel(label: string): void {
    this.label = label;
    this.draw();
  }

  /** Counts questions answered now. */
  advance(count = 1): void {
    this.done += count;
    this.worked += count;
    this.draw();
  }

  /** Counts questions an earlier run already answered. */
  skip(count: number): void {
    if (count === 0) return;
    this.done += count;
    this.draw();
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.output.isTTY) this.output.write('\n');
    else if (this.lastStep < PLAIN_STEPS) this.output.write(`${this.line()}\n`);
  }

  /** The current status line, e.g. `[######------] 50% 5/10 rag4 · ETA 1m05s`. */
  line(): string {
    const fraction = this.total === 0 ? 1 : Math.min(1, this.done / this.total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    return `${bar} ${percent} ${this.done}/${this.total}${this.label ? ` ${this.label}` : ''} · ETA ${this.eta()}`;
  }

  private eta(): string {
    const left = this.total - this.done;
    if (left <= 0) return '0s';
    if (this.worked === 0) return '…';
    return formatDuration(((this.now() - this.startedAt) / this.worked) * left);
  }

  private draw(): void {
    if (this.output.isTTY) {
      this.output.write(`\r${this.line().slice(0, (this.output.columns ?? 120) - 1)}\x1b[K`);
      return;
    }
    const step = this.total === 0 ? PLAIN_STEPS : Math.floor((this.done / this.total) * PLAIN_STEPS);
    if (step <= this.lastStep) return;
    this.lastStep = step;
    this.output.write(`${this.line()}\n`);
  }
}

/** 75_000 → `1m15s`; 3_723_000 → `1h02m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
