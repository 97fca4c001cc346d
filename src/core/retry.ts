import { systemClock, type Clock } from './clock.js';
import { isOpsError } from './errors.js';

export interface RetryOptions {
  /** retries after the first attempt (so at most retries + 1 calls); default 3 */
  retries?: number;
  /** first backoff ceiling in ms; default 200 */
  baseMs?: number;
  /** cap on any single backoff ceiling in ms; default 10 000 */
  maxMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** [0, 1); injectable so tests can pin the jitter */
  random?: () => number;
  /** default: honour an error's boolean `retryable` (CloudError); never retry OpsError; otherwise retry */
  isRetryable?: (error: unknown, attempt: number) => boolean;
  /** called before each sleep, e.g. to print "throttled, retrying in 1.2s" */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

export function defaultIsRetryable(error: unknown): boolean {
  if (isOpsError(error)) return false;
  if (typeof error === 'object' && error !== null && 'retryable' in error) {
    const r = (error as { retryable: unknown }).retryable;
    if (typeof r === 'boolean') return r;
  }
  return true;
}

/**
 * For calls whose OpsErrors say themselves whether another try may work (a
 * MySQL link that dropped does; a wrong password does not): honour `retryable`
 * on every error, an OpsError's included.
 */
export function honourRetryable(error: unknown): boolean {
  return isOpsError(error) ? error.retryable : defaultIsRetryable(error);
}

/**
 * "Full jitter" (AWS architecture blog): sleep a uniform random time in
 * [0, min(maxMs, baseMs * 2^attempt)). Spreads out clients that were throttled
 * together instead of making them retry in lockstep.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** Call fn until it succeeds, a non-retryable error is thrown, retries run out, or the signal aborts. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const retries = opts.retries ?? 3;
  const baseMs = opts.baseMs ?? 200;
  const maxMs = opts.maxMs ?? 10_000;
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const isRetryable = opts.isRetryable ?? defaultIsRetryable;
  const { signal } = opts;

  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortReason(signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (attempt >= retries || !isRetryable(error, attempt)) throw error;
      const delayMs = backoffDelay(attempt, baseMs, maxMs, random);
      opts.onRetry?.({ attempt, delayMs, error });
      await clock.sleep(delayMs, signal);
    }
  }
}
