/**
 * Apply a rotation plan: delete exactly `plan.deletions`, nothing recomputed.
 *
 * Paced by a client-side token bucket (burst 100, refill 5/s); on
 * RequestLimitExceeded it backs off with jitter and halves its concurrency,
 * then grows it back slowly. InUse -> skipped, NotFound -> already gone, any
 * other error -> reported and the rest continue. Cancelling stops starting
 * new deletions; the ones in flight finish and are recorded.
 */
import type { ComputePort } from '../cloud/ports.js';
import type { AuditLog } from '../core/audit.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { ProgressSink } from '../core/progress.js';
import { retry } from '../core/retry.js';
import { RotationMeter } from './meter.js';
import { Pacer } from './pacer.js';
import type { PlannedDeletion, SnapshotPlan } from './plan.js';

export interface ApplyOptions {
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
  audit?: AuditLog;
  clock?: Clock;
  /** token bucket; defaults are EC2's DeleteSnapshot budget */
  burst?: number;
  refillPerSecond?: number;
  /** attempts per snapshot while throttled before it is reported failed */
  throttleRetries?: number;
  random?: () => number;
}

export interface ApplyFailure {
  id: string;
  code: string;
  message: string;
}

export interface ApplySummary {
  deleted: string[];
  skippedInUse: string[];
  alreadyGone: string[];
  failed: ApplyFailure[];
  /** planned deletions never attempted because the run was cancelled */
  notAttempted: number;
  cancelled: boolean;
  /** times EC2 answered RequestLimitExceeded */
  throttled: number;
}

const THROTTLE = 'RequestLimitExceeded';

function errorCode(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const o = e as { code?: unknown; name?: unknown };
    if (typeof o.code === 'string') return o.code;
    if (typeof o.name === 'string') return o.name;
  }
  return 'Unknown';
}

type Outcome =
  | { kind: 'deleted' }
  | { kind: 'inUse' }
  | { kind: 'gone' }
  | { kind: 'skipped' }
  | { kind: 'failed'; code: string; message: string };

export async function applyPlan(
  plan: Pick<SnapshotPlan, 'deletions'>,
  ports: { compute: ComputePort },
  opts: ApplyOptions = {},
): Promise<ApplySummary> {
  const clock = opts.clock ?? systemClock;
  const maxConcurrency = Math.max(1, opts.concurrency ?? 8);
  const pacer = new Pacer(clock, opts.burst ?? 100, opts.refillPerSecond ?? 5);
  const { signal } = opts;
  const summary: ApplySummary = {
    deleted: [],
    skippedInUse: [],
    alreadyGone: [],
    failed: [],
    notAttempted: 0,
    cancelled: false,
    throttled: 0,
  };
  // De-duplicate defensively: a snapshot is deleted at most once per run.
  const seen = new Set<string>();
  const queue: PlannedDeletion[] = plan.deletions.filter((d) => !seen.has(d.snapshotId) && seen.add(d.snapshotId));
  const meter = new RotationMeter(queue.length, opts.onProgress ?? (() => {}), () => clock.now().getTime(), {
    tokens: () => pacer.available(),
    refillPerSecond: pacer.refillRate,
  });

  let limit = maxConcurrency;
  let calmStreak = 0;
  let fatal: unknown;

  // Calls actually sent at once are gated by the adaptive limit, so a throttled
  // worker waits its turn before re-sending instead of hammering in parallel.
  let sending = 0;
  let gateWaiters: (() => void)[] = [];
  const acquireSend = async (): Promise<void> => {
    while (sending >= limit) await new Promise<void>((r) => gateWaiters.push(r));
    sending++;
  };
  const releaseSend = (): void => {
    sending--;
    const woken = gateWaiters;
    gateWaiters = [];
    for (const w of woken) w();
  };

  let started = 0;
  const deleteOne = async (d: PlannedDeletion): Promise<Outcome> => {
    // Against a fast world (the sandbox, a ManualClock) every await resolves as a
    // microtask: yield to the event loop now and then so a cancel key or a
    // progress redraw gets its turn.
    if (++started % 32 === 0) await new Promise<void>((r) => setImmediate(r));
    let outcome: Outcome;
    try {
      // Only throttling is thrown (and retried); every other answer is an outcome,
      // so a cancel arriving during a call can never hide what EC2 answered.
      outcome = await retry(
        async (): Promise<Outcome> => {
          await acquireSend();
          let sent = false;
          try {
            await pacer.take(signal);
            // Not yet sent: a cancel arriving while we waited for a token wins.
            if (signal?.aborted) return { kind: 'skipped' };
            sent = true;
            await ports.compute.deleteSnapshot(d.snapshotId);
            return { kind: 'deleted' };
          } catch (e) {
            // Only a wait (token, gate) can be cut short by the cancel; once the call
            // is sent its answer decides, even if the port rejects with an abort.
            if (!sent && signal?.aborted) return { kind: 'skipped' };
            const code = errorCode(e);
            if (code === THROTTLE) {
              summary.throttled++;
              limit = Math.max(1, Math.floor(limit / 2));
              calmStreak = 0;
              throw e;
            }
            if (code === 'InvalidSnapshot.InUse') return { kind: 'inUse' };
            if (code === 'InvalidSnapshot.NotFound') return { kind: 'gone' };
            if (code === 'AbortError' || (signal?.aborted && e === signal.reason)) {
              return { kind: 'failed', code: 'Aborted', message: 'the call was cut off in flight: the snapshot may or may not be deleted; re-plan to see' };
            }
            return { kind: 'failed', code, message: e instanceof Error ? e.message : String(e) };
          } finally {
            releaseSend();
          }
        },
        {
          retries: opts.throttleRetries ?? 8,
          baseMs: 500,
          maxMs: 20_000,
          clock,
          ...(signal ? { signal } : {}),
          ...(opts.random ? { random: opts.random } : {}),
          isRetryable: (e) => errorCode(e) === THROTTLE,
        },
      );
    } catch (e) {
      // Cancelled while waiting for a token or a backoff: never sent.
      if (signal?.aborted) return { kind: 'skipped' };
      const code = errorCode(e);
      return { kind: 'failed', code, message: e instanceof Error ? e.message : String(e) };
    }
    if (outcome.kind !== 'skipped' && outcome.kind !== 'failed' && ++calmStreak >= 20 && limit < maxConcurrency) {
      limit++;
      calmStreak = 0;
    }
    return outcome;
  };

  const record = async (d: PlannedDeletion, o: Outcome): Promise<void> => {
    if (o.kind === 'skipped') {
      summary.notAttempted++;
      return;
    }
    const details: Record<string, unknown> = { volumeId: d.volumeId, startTime: d.startTime, reason: d.reason };
    let result: 'ok' | 'skipped' | 'failed' = 'ok';
    if (o.kind === 'deleted') summary.deleted.push(d.snapshotId);
    else if (o.kind === 'inUse') {
      summary.skippedInUse.push(d.snapshotId);
      result = 'skipped';
      details.code = 'InvalidSnapshot.InUse';
    } else if (o.kind === 'gone') {
      summary.alreadyGone.push(d.snapshotId);
      details.code = 'InvalidSnapshot.NotFound';
    } else {
      summary.failed.push({ id: d.snapshotId, code: o.code, message: o.message });
      result = 'failed';
      details.code = o.code;
      details.message = o.message;
    }
    meter.tick(d.snapshotId);
    await opts.audit?.append({ action: 'snapshots.delete', target: d.snapshotId, result, details });
  };

  let next = 0;
  let active = 0;
  await new Promise<void>((resolve) => {
    const stopped = (): boolean => signal?.aborted === true || fatal !== undefined;
    const pump = (): void => {
      while (!stopped() && active < maxConcurrency && next < queue.length) {
        const d = queue[next++];
        if (!d) break;
        active++;
        void deleteOne(d)
          .then((o) => record(d, o))
          .catch((e: unknown) => {
            fatal ??= e;
          })
          .finally(() => {
            active--;
            pump();
          });
      }
      if (active === 0 && (stopped() || next >= queue.length)) resolve();
    };
    pump();
  });

  summary.notAttempted += queue.length - next;
  summary.cancelled = signal?.aborted === true;
  if (fatal !== undefined) throw fatal;
  return summary;
}
