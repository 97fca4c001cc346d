import { CloudError } from '../ports.js';

/**
 * EC2's API rate limit as a token bucket measured on the world clock (EC2's
 * documented mutating-action budget is of this shape: a burst, then a steady
 * refill). A frozen clock therefore throttles after exactly `burst` calls,
 * which is what lets tests exercise an executor's backoff deterministically.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  constructor(
    private readonly burst: number,
    private readonly refillPerSecond: number,
    private readonly nowMs: () => number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs();
  }

  /** Takes one token or throws RequestLimitExceeded (retryable, HTTP 503 as EC2 answers). */
  take(action: string): void {
    const now = this.nowMs();
    const elapsed = Math.max(0, now - this.lastMs) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.refillPerSecond);
    this.lastMs = now;
    if (this.tokens < 1) {
      throw new CloudError('RequestLimitExceeded', `Request limit exceeded (${action}).`, {
        retryable: true,
        status: 503,
      });
    }
    this.tokens -= 1;
  }
}
