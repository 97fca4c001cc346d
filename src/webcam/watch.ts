/**
 * `opsdeck webcam ingest --watch`: the ingest cron as a loop. Each pass
 * takes the ingest lock, plans (the quiescence rule decides what is ready)
 * and ingests, then lets the lock go, so a cron ingest or the pane can run
 * between passes. Stopping (Ctrl-C) lets the file in flight finish and
 * leaves the rest in incoming. A pass that fails (S3 or MySQL down, the
 * lock held) is reported and the next pass tries again.
 */
import type { ObjectStorePort } from '../cloud/ports.js';
import type { AuditLog } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { isOpsError } from '../core/errors.js';
import { withLock } from '../core/lock.js';
import type { WebcamConfig } from './config.js';
import type { FrameSource } from './incoming.js';
import { applyIngest, INGEST_LOCK, planIngest, type IngestPlan, type IngestResult } from './ingest.js';
import type { WebcamPaths } from './paths.js';
import type { ImageTable } from './table.js';

export interface WatchDeps {
  config: WebcamConfig;
  paths: WebcamPaths;
  objects: ObjectStorePort;
  bucket: string;
  /** opened for a pass that has frames, closed after it */
  openTable: () => Promise<ImageTable>;
  clock: Clock;
  /** between passes */
  intervalMs: number;
  /** Ctrl-C: ends the watch after the file in flight */
  stop: AbortSignal;
  lockDir?: string;
  audit?: AuditLog;
  onPass?: (plan: IngestPlan, result: IngestResult) => void;
  onWarning?: (text: string) => void;
  /** default: the incoming folder of `paths` */
  source?: FrameSource;
}

export interface WatchSummary {
  passes: number;
  ingested: number;
  rejected: number;
  failedPasses: number;
}

export async function watchIngest(d: WatchDeps): Promise<WatchSummary> {
  const sum: WatchSummary = { passes: 0, ingested: 0, rejected: 0, failedPasses: 0 };
  while (!d.stop.aborted) {
    sum.passes++;
    try {
      await withLock(
        INGEST_LOCK,
        async () => {
          const plan = await planIngest(d.paths, d.config, d.clock.now(), d.source);
          if (plan.ready.length === 0) return;
          const table = await d.openTable();
          try {
            // no `signal`: stopping must not cut the upload of the file in flight
            const r = await applyIngest(plan, { config: d.config, paths: d.paths, objects: d.objects, bucket: d.bucket, table, clock: d.clock, stop: d.stop, ...(d.source ? { source: d.source } : {}), ...(d.audit ? { audit: d.audit } : {}), ...(d.onWarning ? { onWarning: d.onWarning } : {}) });
            sum.ingested += r.ingested.filter((i) => !i.existing).length;
            sum.rejected += r.rejected.length;
            if (r.failed.length) sum.failedPasses++;
            d.onPass?.(plan, r);
          } finally {
            await table.close();
          }
        },
        { ...(d.lockDir ? { dir: d.lockDir } : {}), ...(d.onWarning ? { onWarning: d.onWarning } : {}) },
      );
    } catch (e) {
      sum.failedPasses++;
      const held = isOpsError(e) && e.code === 'LOCK_HELD';
      d.onWarning?.(held ? 'another ingest holds the lock: trying again next pass' : `ingest pass failed: ${(e as Error).message} (trying again next pass)`);
    }
    if (d.stop.aborted) break;
    await d.clock.sleep(d.intervalMs, d.stop).catch(() => {});
  }
  return sum;
}
