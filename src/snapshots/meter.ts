import type { ProgressEvent, ProgressSink } from '../core/progress.js';

/**
 * Progress of a paced rotation. A plain average (done / elapsed) starts with
 * the token bucket's burst (100 deletions in a second) and then drops to the
 * refill rate (5/s): on 30,000 snapshots it promised 25 minutes for a run that
 * takes 100. So the rate shown is the recent one (last `windowMs`), and the
 * ETA is never below what the budget allows: the tokens left go at once, the
 * rest at the refill rate.
 */
export class RotationMeter {
  private done = 0;
  /** completion instants of the recent window, oldest first */
  private recent: number[] = [];

  constructor(
    private readonly total: number,
    private readonly sink: ProgressSink,
    private readonly nowMs: () => number,
    private readonly budget: { tokens: () => number; refillPerSecond: number },
    private readonly windowMs = 10_000,
  ) {}

  tick(detail: string): void {
    this.done++;
    const now = this.nowMs();
    this.recent.push(now);
    let drop = 0;
    while (drop < this.recent.length - 2 && now - (this.recent[drop] ?? now) > this.windowMs) drop++;
    if (drop > 0) this.recent.splice(0, drop);
    const ev: ProgressEvent = { phase: 'deleting snapshots', done: this.done, total: this.total, detail };
    const first = this.recent[0] ?? now;
    const span = (now - first) / 1000;
    if (span > 0) ev.rate = (this.recent.length - 1) / span;
    const remaining = this.total - this.done;
    const paced = Math.max(0, remaining - Math.floor(this.budget.tokens())) / this.budget.refillPerSecond;
    const observed = ev.rate ? remaining / ev.rate : 0;
    if (ev.rate !== undefined || remaining === 0) ev.etaMs = Math.max(paced, observed) * 1000;
    this.sink(ev);
  }
}
