/**
 * Progress is reported through callbacks (DESIGN.md principle 2): the TUI
 * draws bars from these events, batch writes lines to stderr.
 */
export interface ProgressEvent {
  /** short label of the work, e.g. "deleting snapshots" */
  phase: string;
  done: number;
  /** undefined when the total is not known yet */
  total: number | undefined;
  /** items per second, when measurable */
  rate?: number;
  /** estimated ms remaining, when measurable */
  etaMs?: number;
  /** optional one-line detail: the item just finished */
  detail?: string;
  /** what done and total count: items (default) or bytes, shown as KiB/MiB/GiB */
  unit?: 'bytes';
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1234 -> "1,234"; with unit bytes, 3221225472 -> "3.0 GiB" */
export function formatAmount(n: number, unit?: 'bytes'): string {
  if (unit !== 'bytes') return Math.round(n).toLocaleString('en-US');
  let v = n;
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${BYTE_UNITS[i]}`;
}

/** 35.2 -> "35.2/s", 991572 bytes -> "968 KiB/s" */
export function formatRate(rate: number, unit?: 'bytes'): string {
  if (unit === 'bytes') return `${formatAmount(rate, unit)}/s`;
  return `${rate >= 10 ? Math.round(rate).toLocaleString('en-US') : rate.toFixed(1)}/s`;
}

export type ProgressSink = (e: ProgressEvent) => void;

export const noProgress: ProgressSink = () => {};

/**
 * The rate over the last `windowMs`, not since the start: an average from the
 * start carries a first burst (cache hits, a token bucket's initial tokens)
 * for the whole run, so it promised 76/s on a 5/s job, and an ETA from it was
 * wrong in the same direction. At least two completions are kept, so a slow
 * job (one item per minute) still has a rate.
 */
export class RecentRate {
  /** completion instants in the window, oldest first, with their counts */
  private readonly marks: { at: number; n: number }[] = [];
  private inWindow = 0;

  constructor(
    private readonly startedMs: number,
    private readonly windowMs = 10_000,
  ) {}

  /** records n completions at `now` and returns items per second, if measurable */
  add(n: number, now: number): number | undefined {
    this.marks.push({ at: now, n });
    this.inWindow += n;
    while (this.marks.length > 2 && now - (this.marks[1]?.at ?? now) >= this.windowMs) {
      this.inWindow -= this.marks.shift()?.n ?? 0;
    }
    const first = this.marks[0];
    // Until the window is full, the work since the start is the window: the
    // first completion's own duration counts.
    const from = this.marks.length > 1 && first && now - this.startedMs > this.windowMs ? first.at : this.startedMs;
    const counted = from === this.startedMs ? this.inWindow : this.inWindow - (first?.n ?? 0);
    const span = (now - from) / 1000;
    return span > 0 && counted > 0 ? counted / span : undefined;
  }
}

/** Tracks count, rate and ETA for a known total, from an injected time source. */
export class ProgressMeter {
  private done = 0;
  private readonly rate: RecentRate;
  constructor(
    private readonly phase: string,
    private readonly total: number | undefined,
    private readonly sink: ProgressSink,
    private readonly nowMs: () => number = () => Date.now(),
    windowMs = 10_000,
    private readonly unit?: 'bytes',
  ) {
    this.rate = new RecentRate(nowMs(), windowMs);
  }
  /** `done` so far, for sources that report a running total (bytes copied) rather than steps */
  reach(done: number, detail?: string): void {
    if (done > this.done) this.tick(done - this.done, detail);
  }
  tick(n = 1, detail?: string): void {
    this.done += n;
    const rate = this.rate.add(n, this.nowMs());
    const ev: ProgressEvent = { phase: this.phase, done: this.done, total: this.total, ...(this.unit ? { unit: this.unit } : {}) };
    if (rate !== undefined) ev.rate = rate;
    if (rate && this.total !== undefined) ev.etaMs = ((this.total - this.done) / rate) * 1000;
    if (detail !== undefined) ev.detail = detail;
    this.sink(ev);
  }
}
