import { describe, expect, it } from 'vitest';
import { CloudError } from '../../src/cloud/ports.js';
import { memoryAuditLog } from '../../src/core/audit.js';
import { ManualClock } from '../../src/core/clock.js';
import type { ProgressEvent } from '../../src/core/progress.js';
import { applyPlan } from '../../src/snapshots/execute.js';
import type { PlannedDeletion } from '../../src/snapshots/plan.js';
import { deletingPort, expectAccounted } from './snapshots-fixtures.js';

const T0 = '2026-11-21T12:00:00Z';

function deletions(n: number, prefix = 'a'): PlannedDeletion[] {
  return Array.from({ length: n }, (_, i) => ({
    snapshotId: `snap-${prefix}${i.toString(16).padStart(6, '0')}`,
    volumeId: 'vol-1',
    startTime: '2026-01-01T00:00:00.000Z',
    sizeGiB: 8,
    reason: 'older than 365 days',
  }));
}

/** A compute port whose deleteSnapshot answers per call, tracking concurrency and every id it was asked to delete. */
function fakeCompute(answer: (id: string, call: number) => Error | undefined = () => undefined) {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const inFlightAtCall: number[] = [];
  const port = deletingPort(async (id) => {
    const call = calls.push(id);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    inFlightAtCall.push(inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    const e = answer(id, call);
    if (e) throw e;
  });
  return { port, calls, inFlightAtCall, get maxInFlight() { return maxInFlight; } };
}

describe('applyPlan', () => {
  it('deletes exactly the planned snapshots, audits each one and reports progress', async () => {
    const plan = { deletions: deletions(30) };
    const f = fakeCompute();
    const audit = memoryAuditLog();
    const events: ProgressEvent[] = [];
    const clock = new ManualClock(T0);
    const s = await applyPlan(plan, { compute: f.port }, { clock, audit, concurrency: 4, onProgress: (e) => events.push(e) });
    expectAccounted(s, plan);
    expect(s.deleted.sort()).toEqual(plan.deletions.map((d) => d.snapshotId).sort());
    expect(f.calls.sort()).toEqual(plan.deletions.map((d) => d.snapshotId).sort());
    expect(f.maxInFlight).toBeLessThanOrEqual(4);
    expect(audit.entries).toHaveLength(30);
    expect(audit.entries.every((e) => e.action === 'snapshots.delete' && e.result === 'ok')).toBe(true);
    expect(events.at(-1)).toMatchObject({ done: 30, total: 30 });
    expect(s).toMatchObject({ skippedInUse: [], alreadyGone: [], failed: [], cancelled: false, notAttempted: 0 });
  });

  it('paces itself to the DeleteSnapshot budget: burst 100 then 5 per second', async () => {
    const clock = new ManualClock(T0);
    const f = fakeCompute();
    const plan = { deletions: deletions(150) };
    const s = await applyPlan(plan, { compute: f.port }, { clock, concurrency: 8 });
    expectAccounted(s, plan);
    expect(s.deleted).toHaveLength(150);
    const elapsed = clock.now().getTime() - Date.parse(T0);
    // 50 calls beyond the burst at 5/s take 10 s of (manual) clock time; sleeps of concurrent waiters may add a little.
    expect(elapsed).toBeGreaterThanOrEqual(9_800);
    expect(elapsed).toBeLessThan(15_000);
  });

  it('shows the recent rate and an ETA the DeleteSnapshot budget can keep (not the burst-inflated average)', async () => {
    const clock = new ManualClock(T0);
    const events: ProgressEvent[] = [];
    const plan = { deletions: deletions(300) };
    const when = new Map<number, number>();
    const s = await applyPlan(plan, { compute: fakeCompute().port }, {
      clock,
      concurrency: 8,
      onProgress: (e) => (events.push(e), when.set(e.done, clock.now().getTime())),
    });
    expectAccounted(s, plan);
    const at = (done: number): ProgressEvent | undefined => events.find((e) => e.done === done);
    // after the burst, 180 left at 5/s: 36 s, whatever the first second's pace was
    expect(at(120)?.etaMs).toBeGreaterThanOrEqual(35_000);
    expect(at(120)?.etaMs).toBeLessThanOrEqual(38_000);
    // the rate settles on the refill rate within the window
    expect(at(250)?.rate).toBeCloseTo(5, 0);
    // and early on, while the burst still fills the window, the rate shown is the one the ETA counts on:
    // "130/s" beside "ETA 36s" for 180 left would contradict itself
    const early = events.filter((e) => e.done < 250 && e.done < e.total!);
    expect(early.some((e) => e.etaMs !== undefined && e.done <= 130)).toBe(true);
    for (const e of early) {
      expect(e.rate === undefined, `rate and ETA both shown or both not, at ${e.done}`).toBe(e.etaMs === undefined);
      if (e.rate !== undefined) expect(((300 - e.done) / e.rate) * 1000, `rate x ETA at ${e.done}`).toBeCloseTo(e.etaMs ?? 0, -2);
    }
    expect(at(120)?.rate).toBeLessThan(6);
    expect(events.at(-1)).toMatchObject({ done: 300, total: 300, etaMs: 0 });
    // the ETA is honest: the clock time left at 120 done is what it said
    const leftAt120 = clock.now().getTime() - (when.get(120) ?? 0);
    expect(Math.abs(leftAt120 - (at(120)?.etaMs ?? 0))).toBeLessThan(3_000);
  });

  it('backs off on RequestLimitExceeded, halves its concurrency, then succeeds', async () => {
    const clock = new ManualClock(T0);
    const f = fakeCompute((_id, call) =>
      call >= 5 && call <= 12 ? new CloudError('RequestLimitExceeded', 'Request limit exceeded.', { retryable: true }) : undefined,
    );
    const plan = { deletions: deletions(40) };
    const s = await applyPlan(plan, { compute: f.port }, { clock, concurrency: 8, random: () => 0.5 });
    expectAccounted(s, plan);
    expect(s.deleted.sort()).toEqual(plan.deletions.map((d) => d.snapshotId).sort());
    expect(s.failed).toEqual([]);
    expect(s.throttled).toBe(8);
    // after the storm, fewer calls run at once than before it
    expect(Math.max(...f.inFlightAtCall.slice(13, 25))).toBeLessThan(8);
    expect(clock.now().getTime()).toBeGreaterThan(Date.parse(T0)); // it waited
    expect(new Set(f.calls).size).toBe(40);
  });

  it('reports InUse as skipped, NotFound as already gone, other errors as failed, and carries on', async () => {
    const plan = { deletions: deletions(10) };
    const ids = plan.deletions.map((d) => d.snapshotId);
    const f = fakeCompute((id) => {
      if (id === ids[2]) return new CloudError('InvalidSnapshot.InUse', `The snapshot ${id} is currently in use by ami-0abc`);
      if (id === ids[3]) return new CloudError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
      if (id === ids[5]) return new CloudError('UnauthorizedOperation', 'You are not authorized to perform this operation.');
      return undefined;
    });
    const audit = memoryAuditLog();
    const s = await applyPlan(plan, { compute: f.port }, { clock: new ManualClock(T0), audit, concurrency: 2 });
    expectAccounted(s, plan);
    expect(s.skippedInUse).toEqual([ids[2]]);
    expect(s.alreadyGone).toEqual([ids[3]]);
    expect(s.failed).toEqual([{ id: ids[5], code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' }]);
    expect(s.deleted).toHaveLength(7);
    expect(f.calls).toHaveLength(10);
    const byTarget = new Map(audit.entries.map((e) => [e.target, e.result]));
    expect(byTarget.get(ids[2] ?? '')).toBe('skipped');
    expect(byTarget.get(ids[5] ?? '')).toBe('failed');
    expect(byTarget.get(ids[9] ?? '')).toBe('ok');
  });

  it('gives up on a snapshot that stays throttled and reports it failed', async () => {
    const f = fakeCompute(() => new CloudError('RequestLimitExceeded', 'Request limit exceeded.', { retryable: true }));
    const plan = { deletions: deletions(2) };
    const s = await applyPlan(plan, { compute: f.port }, { clock: new ManualClock(T0), throttleRetries: 3, random: () => 0.5 });
    expectAccounted(s, plan);
    expect(s.failed.map((x) => x.code)).toEqual(['RequestLimitExceeded', 'RequestLimitExceeded']);
    expect(f.calls).toHaveLength(8);
  });

  it('on cancel, finishes the deletions in flight and starts no more', async () => {
    const ac = new AbortController();
    const f = fakeCompute((_id, call) => {
      if (call === 10) ac.abort();
      return undefined;
    });
    const audit = memoryAuditLog();
    const plan = { deletions: deletions(100) };
    const s = await applyPlan(plan, { compute: f.port }, { clock: new ManualClock(T0), signal: ac.signal, audit, concurrency: 4 });
    expectAccounted(s, plan);
    expect(s.cancelled).toBe(true);
    // every call that was sent is accounted for, none after the cancel was seen
    expect(s.deleted.sort()).toEqual([...f.calls].sort());
    expect(f.calls.length).toBeGreaterThanOrEqual(10);
    expect(f.calls.length).toBeLessThanOrEqual(10 + 4);
    expect(s.notAttempted).toBe(100 - f.calls.length);
    expect(audit.entries).toHaveLength(f.calls.length);
  });

  it('deletes a snapshot listed twice only once', async () => {
    const d = deletions(3);
    const f = fakeCompute();
    const s = await applyPlan({ deletions: [...d, ...d] }, { compute: f.port }, { clock: new ManualClock(T0) });
    expect(f.calls).toHaveLength(3);
    expect(s.deleted).toHaveLength(3);
  });
});
