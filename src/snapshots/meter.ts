import { RecentRate, type ProgressEvent, type ProgressSink } from '../core/progress.js';

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
  private readonly rate: RecentRate;

  constructor(
    private readonly total: number,
    private readonly sink: ProgressSink,
    private readonly nowMs: () => number,
    private readonly budget: { tokens: () => number; refillPerSecond: number },
    windowMs = 10_000,
  ) {
    this.rate = new RecentRate(nowMs(), windowMs);
  }

  tick(detail: string): void {
    this.done++;
    const ev: ProgressEvent = { phase: 'deleting snapshots', done: this.done, total: this.total, detail };
    const rate = this.rate.add(1, this.nowMs());
    if (rate !== undefined) ev.rate = rate;
    const remaining = this.total - this.done;
    const paced = Math.max(0, remaining - Math.floor(this.budget.tokens())) / this.budget.refillPerSecond;
    const observed = ev.rate ? remaining / ev.rate : 0;
    if (ev.rate !== undefined || remaining === 0) ev.etaMs = Math.max(paced, observed) * 1000;
    this.sink(ev);
  }
}
