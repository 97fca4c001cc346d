import { RecentRate, type ProgressEvent, type ProgressSink } from '../core/progress.js';

/**
 * Progress of a paced rotation. A plain average (done / elapsed) starts with
 * the token bucket's burst (100 deletions in a second) and then drops to the
 * refill rate (5/s): on 30,000 snapshots it promised 25 minutes for a run that
 * takes 100. So the ETA is never below what the budget allows (the tokens
 * left go at once, the rest at the refill rate), and the rate shown is the
 * recent one (last `windowMs`) unless the budget is slower: then it is the
 * budget's, so rate and ETA always agree.
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
    const remaining = this.total - this.done;
    const paced = Math.max(0, remaining - Math.floor(this.budget.tokens())) / this.budget.refillPerSecond;
    const observed = rate ? remaining / rate : 0;
    // When the budget is what holds the run back, the rate shown is the one the ETA counts on:
    // the burst's 130/s beside a 33-minute ETA read as a contradiction, then fell for ten seconds.
    if (rate !== undefined) ev.rate = paced > observed ? remaining / paced : rate;
    if (rate !== undefined || remaining === 0) ev.etaMs = Math.max(paced, observed) * 1000;
    this.sink(ev);
  }
}
