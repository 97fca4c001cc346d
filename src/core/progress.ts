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

/** Tracks count, rate and ETA for a known total, from an injected time source. */
export class ProgressMeter {
  private readonly started: number;
  private done = 0;
  constructor(
    private readonly phase: string,
    private readonly total: number | undefined,
    private readonly sink: ProgressSink,
    private readonly nowMs: () => number = () => Date.now(),
  ) {
    this.started = nowMs();
  }
  tick(n = 1, detail?: string): void {
    this.done += n;
    const elapsed = (this.nowMs() - this.started) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : undefined;
    const ev: ProgressEvent = { phase: this.phase, done: this.done, total: this.total };
    if (rate !== undefined) ev.rate = rate;
    if (rate && this.total !== undefined) ev.etaMs = ((this.total - this.done) / rate) * 1000;
    if (detail !== undefined) ev.detail = detail;
    this.sink(ev);
  }
}
