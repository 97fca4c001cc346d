import { describe, expect, it } from 'vitest';
import { CloudError } from '../../src/cloud/ports.js';
import { ManualClock } from '../../src/core/clock.js';
import { OpsError } from '../../src/core/errors.js';
import { backoffDelay, retry } from '../../src/core/retry.js';

/** A clock that records every sleep it was asked for. */
function recordingClock(): ManualClock & { sleeps: number[] } {
  const c = new ManualClock('2026-01-01T00:00:00Z') as ManualClock & { sleeps: number[] };
  c.sleeps = [];
  const sleep = c.sleep.bind(c);
  c.sleep = async (ms, signal) => {
    c.sleeps.push(ms);
    return sleep(ms, signal);
  };
  return c;
}

const throttled = (): CloudError => new CloudError('RequestLimitExceeded', 'slow down', { retryable: true });

describe('retry', () => {
  it('backs off exponentially within full-jitter bounds, capped at maxMs', () => {
    for (const r of [0, 0.5, 0.999999]) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const ceiling = Math.min(5000, 100 * 2 ** attempt);
        const d = backoffDelay(attempt, 100, 5000, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
      }
    }
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(400);
    expect(backoffDelay(10, 100, 5000, () => 0.5)).toBe(2500);
  });

  it('retries a throttled call and returns its eventual result, sleeping the jittered delays', async () => {
    const clock = recordingClock();
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 4) throw throttled();
        return 'done';
      },
      { retries: 5, baseMs: 100, maxMs: 10_000, clock, random: () => 0.5 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  it('gives up after `retries` and rethrows the last error', async () => {
    const clock = recordingClock();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw throttled();
        },
        { retries: 2, clock, random: () => 0 },
      ),
    ).rejects.toThrow('slow down');
    expect(calls).toBe(3);
  });

  it('does not retry what isRetryable rejects (and never an OpsError by default)', async () => {
    let calls = 0;
    const fail = async (): Promise<never> => {
      calls++;
      throw new OpsError('REFUSED', 'no');
    };
    await expect(retry(fail, { clock: recordingClock() })).rejects.toThrow('no');
    expect(calls).toBe(1);

    calls = 0;
    const notFound = async (): Promise<never> => {
      calls++;
      throw new CloudError('InvalidSnapshot.NotFound', 'gone', { retryable: false });
    };
    await expect(retry(notFound, { clock: recordingClock() })).rejects.toThrow('gone');
    expect(calls).toBe(1);

    calls = 0;
    const custom = async (): Promise<never> => {
      calls++;
      throw new Error('boom');
    };
    await expect(retry(custom, { clock: recordingClock(), retries: 5, isRetryable: (_e, attempt) => attempt < 1 })).rejects.toThrow('boom');
    expect(calls).toBe(2);
  });

  it('stops when aborted, during a backoff sleep, with the abort reason', async () => {
    const ac = new AbortController();
    let calls = 0;
    const started = Date.now();
    const p = retry(
      async () => {
        calls++;
        throw throttled();
      },
      { retries: 10, baseMs: 60_000, maxMs: 60_000, random: () => 0.99, signal: ac.signal },
    );
    setTimeout(() => ac.abort(new Error('user cancelled')), 30);
    await expect(p).rejects.toThrow('user cancelled');
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('does not call fn at all when already aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('already'));
    let calls = 0;
    await expect(retry(async () => ++calls, { signal: ac.signal })).rejects.toThrow('already');
    expect(calls).toBe(0);
  });
});
