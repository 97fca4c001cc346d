import type { Clock } from '../core/clock.js';

/**
 * Client-side pacing for DeleteSnapshot: a token bucket (EC2's budget for
 * mutating calls is a burst then a steady refill) that WAITS for a token
 * rather than failing, so a large rotation stays under the limit instead of
 * bouncing off it. Takes are serialised so waiters are served in order.
 * Measured on the injected clock: with a ManualClock tests run instantly.
 */
export class Pacer {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    private readonly burst = 100,
    private readonly refillPerSecond = 5,
  ) {
    this.tokens = burst;
    this.last = clock.now().getTime();
  }

  /** Tokens available now (fractional): what can be sent without waiting. */
  available(): number {
    this.refill();
    return this.tokens;
  }

  get refillRate(): number {
    return this.refillPerSecond;
  }

  take(signal?: AbortSignal): Promise<void> {
    const next = this.queue.then(() => this.takeOne(signal));
    // A cancelled waiter must not block the ones behind it.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private refill(): void {
    const now = this.clock.now().getTime();
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.refillPerSecond);
    this.last = now;
  }

  private async takeOne(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.refillPerSecond) * 1000), signal);
    }
  }
}
