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
  ) {
    this.rate = new RecentRate(nowMs(), windowMs);
  }
  tick(n = 1, detail?: string): void {
    this.done += n;
    const rate = this.rate.add(n, this.nowMs());
    const ev: ProgressEvent = { phase: this.phase, done: this.done, total: this.total };
    if (rate !== undefined) ev.rate = rate;
    if (rate && this.total !== undefined) ev.etaMs = ((this.total - this.done) / rate) * 1000;
    if (detail !== undefined) ev.detail = detail;
    this.sink(ev);
  }
}
