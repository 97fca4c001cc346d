import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/core/progress.js';
import { replicatingArgs, replicationVerdict, sampleOf, waitReplicating, type ReplicaSample } from '../../src/runbooks/mysql-checks.js';

/**
 * When a rebuilt replica counts as replicating (the resync runbooks'
 * `waitReplicating`): both threads running, no error, and the lag 0 or
 * falling. A busy primary's replica that is catching up must pass; one that
 * holds its lag, falls behind, or has stopped must not.
 */
const at = (behind: number | undefined, extra: Partial<ReplicaSample> = {}): ReplicaSample => ({ io: 'Yes', sql: 'Yes', behind, lastError: '', ...extra });
const lags = (...xs: (number | undefined)[]): ReplicaSample[] => xs.map((x) => at(x));

describe('replicationVerdict', () => {
  it('passes at lag 0 at once, whatever came before', () => {
    expect(replicationVerdict(lags(0), 3)).toEqual({ ok: true, why: 'caught up (lag 0 s)' });
    expect(replicationVerdict(lags(5, 9, 0), 3).ok).toBe(true);
  });

  it('passes when the lag fell over the last N checks, without reaching 0', () => {
    expect(replicationVerdict(lags(40, 31, 22), 3)).toEqual({ ok: true, why: 'lag falling: 40 → 31 → 22 s over 3 checks' });
    // a check that holds still is fine as long as it ends lower
    expect(replicationVerdict(lags(90, 12, 12, 7), 3).ok).toBe(true);
    // only the last N count: a spike long ago does not matter
    expect(replicationVerdict(lags(3, 50, 40, 30), 3).ok).toBe(true);
  });

  it('waits for N checks before calling a lag falling', () => {
    expect(replicationVerdict(lags(40, 31), 3)).toMatchObject({ ok: false, why: expect.stringMatching(/waiting for 3 healthy checks/) });
    expect(replicationVerdict(lags(40, 31), 2).ok).toBe(true);
  });

  it('fails a lag that holds, rises, or rises and falls back', () => {
    expect(replicationVerdict(lags(20, 20, 20), 3)).toEqual({ ok: false, why: 'lag 20 s, not falling (20 → 20 → 20)' });
    expect(replicationVerdict(lags(10, 15, 20), 3).ok).toBe(false);
    expect(replicationVerdict(lags(20, 30, 19), 3).ok).toBe(false);
  });

  it('fails a stopped thread, an error, or an unknown lag, even at lag 0 or falling', () => {
    expect(replicationVerdict([at(0, { io: 'Connecting' })], 3)).toEqual({ ok: false, why: 'io=Connecting sql=Yes' });
    expect(replicationVerdict([at(undefined, { sql: 'No', lastError: "Duplicate entry '7' for key 'PRIMARY'" })], 3)).toEqual({ ok: false, why: "io=Yes sql=No error: Duplicate entry '7' for key 'PRIMARY'" });
    expect(replicationVerdict([at(0, { lastError: 'error reconnecting to master' })], 3).ok).toBe(false);
    expect(replicationVerdict(lags(undefined), 3)).toEqual({ ok: false, why: 'lag unknown (NULL)' });
    // a window with a check where the IO thread was reconnecting is not a fall
    expect(replicationVerdict([at(40), at(undefined, { io: 'Connecting' }), at(22)], 3).ok).toBe(false);
  });
});

describe('sampleOf and the step args', () => {
  it('reads the replicaStatus fields, NULL lag as unknown', () => {
    expect(sampleOf({ io: 'Yes', sql: 'Yes', behind: 4, lastError: '' })).toEqual(at(4));
    expect(sampleOf({ io: 'Yes', sql: 'Yes', behind: '', lastError: '' }).behind).toBeUndefined();
    expect(sampleOf({ configured: false, io: 'No', sql: 'No' })).toEqual({ io: 'No', sql: 'No', behind: undefined, lastError: '' });
  });

  it('takes samples and interval, with defaults, and refuses nonsense', () => {
    expect(replicatingArgs({})).toEqual({ samples: 3, intervalMs: 2_000 });
    expect(replicatingArgs({ samples: '5', interval: '10s' })).toEqual({ samples: 5, intervalMs: 10_000 });
    expect(() => replicatingArgs({ samples: '1' })).toThrow(/samples must be a whole number 2-100/);
  });
});

describe('waitReplicating', () => {
  const io = (events: ProgressEvent[], out: string[], signal = new AbortController().signal) => ({ signal, output: (_s: 'stdout' | 'stderr', t: string) => void out.push(t), progress: (e: ProgressEvent) => void events.push(e) });

  it('polls until the lag has fallen over the samples, saying what it saw', async () => {
    const seen = lags(undefined, 60, 61, 45, 30);
    const events: ProgressEvent[] = [];
    const out: string[] = [];
    const slept: number[] = [];
    const r = await waitReplicating(async () => seen.shift() ?? at(30), io(events, out), { sleep: async (ms) => void slept.push(ms), intervalMs: 1_000, samples: 3 });
    expect(r.fields).toMatchObject({ io: 'Yes', sql: 'Yes', behind: 30, checks: 5 });
    expect(r.stdout).toBe('lag falling: 61 → 45 → 30 s over 3 checks (io=Yes sql=Yes, after 5 checks)\n');
    expect(out).toEqual([
      'check 1: lag unknown (NULL)\n',
      'check 2: lag 60 s (? → 60), waiting for 3 healthy checks in a row\n',
      'check 3: lag 61 s (? → 60 → 61), waiting for 3 healthy checks in a row\n',
      'check 4: lag 45 s, not falling (60 → 61 → 45)\n',
    ]);
    expect(slept).toEqual([1_000, 1_000, 1_000, 1_000]);
    expect(events.length).toBe(5);
  });

  it('ends when the step deadline aborts it', async () => {
    const ac = new AbortController();
    const p = waitReplicating(async () => at(20), io([], [], ac.signal), { sleep: async () => ac.abort(new Error('step deadline')), samples: 3 });
    await expect(p).rejects.toThrow('step deadline');
  });
});
