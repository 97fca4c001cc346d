/**
 * Ingest: frames in the incoming folder become sizes in S3, an original in
 * the archive and a row in MySQL, each image exactly once. The steps run in
 * an order where a crash anywhere leaves a state the next run completes:
 * object names and archive paths follow from the content hash and capture
 * time (a re-run writes the same ones), the row is keyed by the hash, and the
 * incoming file goes last, only after all of them are confirmed. Frames come
 * from a FrameSource (incoming.ts): the folder, or an S3 incoming prefix.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ObjectStorePort } from '../cloud/ports.js';
import type { AuditLog } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { ensureDir } from '../core/dirs.js';
import { ProgressMeter, type ProgressSink } from '../core/progress.js';
import { honourRetryable, retry } from '../core/retry.js';
import { publicReadWarning, type WebcamConfig } from './config.js';
import { captureTime } from './exif.js';
import { makeSizes, RejectedImage, sha256 } from './images.js';
import { folderSource, type FrameSource, type IncomingFile } from './incoming.js';
import type { WebcamPaths } from './paths.js';
import type { ImageRow, ImageTable, StoredSize } from './table.js';
import { localDate, localStamp } from './time.js';

export const INGEST_LOCK = 'webcam-ingest';

export type { IncomingFile } from './incoming.js';

/** What an ingest would take now: the plan a person or cron sees before --yes. */
export interface IngestPlan {
  at: string;
  /** the folder, or s3://bucket/prefix */
  incoming: string;
  /** unchanged for quiescenceSeconds: taken, oldest first */
  ready: IncomingFile[];
  /** written to within quiescenceSeconds: maybe still uploading, left for the next run */
  waiting: IncomingFile[];
}

export interface IngestedImage {
  name: string;
  contentHash: string;
  capturedAt: string;
  timeSource: ImageRow['timeSource'];
  keys: string[];
  /** the row was already there (a re-run after a crash, or the same frame delivered twice) */
  existing: boolean;
}

export interface IngestResult {
  ingested: IngestedImage[];
  rejected: { name: string; reason: string }[];
  /** changed or vanished since the plan: left alone */
  skipped: { name: string; why: string }[];
  failed: { name: string; error: string }[];
  /** after a failure the run stops: S3 or MySQL being down fails every later image the same way */
  notAttempted: number;
  waiting: number;
}

export interface IngestDeps {
  config: WebcamConfig;
  paths: WebcamPaths;
  objects: ObjectStorePort;
  bucket: string;
  table: ImageTable;
  clock: Clock;
  audit?: AuditLog;
  /** cancels at once, the file in flight included (it stays in incoming: the next run takes it whole) */
  signal?: AbortSignal;
  /** checked between files: the file in flight finishes, the rest wait for the next run (a watch's Ctrl-C) */
  stop?: AbortSignal;
  onProgress?: ProgressSink;
  onWarning?: (text: string) => void;
  /** retries after the first attempt for S3 and MySQL calls (default 4, with jittered backoff) */
  retries?: number;
  /** where frames come from; default the incoming folder of `paths` (the plan must come from the same one) */
  source?: FrameSource;
}

export async function planIngest(paths: WebcamPaths, config: Pick<WebcamConfig, 'quiescenceSeconds'>, now: Date, source: FrameSource = folderSource(paths), signal?: AbortSignal): Promise<IngestPlan> {
  const ready: IncomingFile[] = [];
  const waiting: IncomingFile[] = [];
  for (const f of await source.list(signal ? { signal } : {})) {
    // an S3 object is complete once listed; a file may still be growing
    (source.atomic || now.getTime() - f.mtimeMs >= config.quiescenceSeconds * 1000 ? ready : waiting).push(f);
  }
  const order = (a: IncomingFile, b: IncomingFile): number => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1);
  return { at: now.toISOString(), incoming: source.where, ready: ready.sort(order), waiting: waiting.sort(order) };
}

/** Object key and archive path of one image: a function of its bytes (hash) and capture time only. */
export function imageNames(config: Pick<WebcamConfig, 'prefix' | 'timeZone'>, archiveDir: string, hash: string, capturedAt: Date): { keyFor: (label: string) => string; archivePath: string } {
  const [y, m, d] = localDate(capturedAt, config.timeZone).split('-') as [string, string, string];
  const stem = `${localStamp(capturedAt, config.timeZone)}-${hash.slice(0, 12)}`;
  return {
    keyFor: (label) => `${config.prefix}${y}/${m}/${d}/${stem}-${label}.jpg`,
    archivePath: path.join(archiveDir, y, m, d, `${stem}.jpg`),
  };
}

/** Write-then-rename: a reader (or a crash) never sees half a file under the final name. */
async function writeAtomic(file: string, body: Buffer): Promise<void> {
  const dir = path.dirname(file);
  await ensureDir(dir, { what: 'the webcam archive' });
  // A run killed mid-write left its temp file: this image is being written again, so it goes.
  const stem = `.${path.basename(file)}.`;
  for (const n of await fsp.readdir(dir)) if (n.startsWith(stem) && n.endsWith('.tmp')) await fsp.rm(path.join(dir, n), { force: true });
  const tmp = path.join(dir, `${stem}${process.pid}.tmp`);
  await fsp.writeFile(tmp, body);
  await fsp.rename(tmp, file);
}

async function exists(file: string): Promise<boolean> {
  return fsp.stat(file).then(
    () => true,
    () => false,
  );
}

/** Ingests exactly the plan's ready files; a file changed since the plan is left for the next run. */
export async function applyIngest(plan: IngestPlan, deps: IngestDeps): Promise<IngestResult> {
  const { config, paths, objects, bucket, table, clock } = deps;
  const source = deps.source ?? folderSource(paths);
  const sig = deps.signal ? { signal: deps.signal } : {};
  const result: IngestResult = { ingested: [], rejected: [], skipped: [], failed: [], notAttempted: 0, waiting: plan.waiting.length };
  if (plan.ready.length === 0) return result;
  if (config.publicRead) deps.onWarning?.(publicReadWarning(`every size stored under s3://${bucket}/${config.prefix}`));
  const again = <T>(fn: () => Promise<T>): Promise<T> =>
    retry(fn, { retries: deps.retries ?? 4, baseMs: 250, clock, isRetryable: honourRetryable, ...(deps.signal ? { signal: deps.signal } : {}) });
  await again(() => table.ensure());
  const meter = new ProgressMeter('ingesting', plan.ready.length, deps.onProgress ?? (() => {}), () => clock.now().getTime());

  for (const [i, f] of plan.ready.entries()) {
    deps.signal?.throwIfAborted();
    if (deps.stop?.aborted) {
      result.notAttempted = plan.ready.length - i;
      break;
    }
    try {
      const got = await source.fetch(f, sig);
      if ('skip' in got) {
        result.skipped.push({ name: f.name, why: got.skip });
        continue;
      }
      const body = got.body;
      const hash = sha256(body);
      const known = await again(() => table.find(hash));
      if (known) {
        await source.remove(f, sig);
        result.ingested.push({ name: f.name, contentHash: hash, capturedAt: known.capturedAt.toISOString(), timeSource: known.timeSource, keys: known.sizes.map((s) => s.key), existing: true });
        await deps.audit?.append({ action: 'webcam.ingest', target: f.name, result: 'skipped', details: { contentHash: hash, why: 'already ingested' } });
        continue;
      }
      let made;
      try {
        made = await makeSizes(body, config);
      } catch (e) {
        if (!(e instanceof RejectedImage)) throw e;
        await source.reject(f, body, e.message, sig);
        result.rejected.push({ name: f.name, reason: e.message });
        await deps.audit?.append({ action: 'webcam.reject', target: f.name, result: 'ok', details: { reason: e.message } });
        continue;
      }
      const time = captureTime(made.exif, f.name, new Date(got.mtimeMs), config.timeZone);
      const names = imageNames(config, paths.archive, hash, time.at);
      const sizes: StoredSize[] = [];
      for (const s of made.sizes) {
        const key = names.keyFor(s.label);
        await again(() =>
          objects.putObject(bucket, key, s.body, {
            contentType: 'image/jpeg',
            cacheControl: config.cacheControl,
            contentMd5: s.md5,
            publicRead: config.publicRead,
            ...(deps.signal ? { signal: deps.signal } : {}),
          }),
        );
        sizes.push({ label: s.label, key, width: s.width, height: s.height, bytes: s.body.length });
      }
      if (!(await exists(names.archivePath))) await writeAtomic(names.archivePath, body);
      const row: ImageRow = {
        contentHash: hash,
        capturedAt: time.at,
        capturedRaw: time.raw,
        timeSource: time.source,
        sourceName: f.name,
        width: made.width,
        height: made.height,
        bytes: body.length,
        sizes,
        archivePath: names.archivePath,
        ingestedAt: clock.now(),
      };
      const outcome = await again(() => table.upsert(row));
      await source.remove(f, sig);
      if (time.flagged) deps.onWarning?.(`${f.name}: no EXIF capture time, used the ${time.source === 'filename' ? 'time in the file name' : "file's mtime"} (${time.at.toISOString()})`);
      result.ingested.push({ name: f.name, contentHash: hash, capturedAt: time.at.toISOString(), timeSource: time.source, keys: sizes.map((s) => s.key), existing: outcome === 'existing' });
      await deps.audit?.append({ action: 'webcam.ingest', target: f.name, result: 'ok', details: { contentHash: hash, capturedAt: time.at.toISOString(), timeSource: time.source, keys: sizes.map((s) => s.key) } });
    } catch (e) {
      if (deps.signal?.aborted) throw e;
      result.failed.push({ name: f.name, error: (e as Error).message });
      result.notAttempted = plan.ready.length - i - 1;
      await deps.audit?.append({ action: 'webcam.ingest', target: f.name, result: 'failed', details: { error: (e as Error).message } }).catch(() => {});
      break;
    } finally {
      meter.tick(1, f.name);
    }
  }
  return result;
}

export function describeIngest(r: IngestResult): string {
  const fresh = r.ingested.filter((i) => !i.existing).length;
  const parts = [`${fresh} ingested`];
  if (r.ingested.length - fresh > 0) parts.push(`${r.ingested.length - fresh} already there`);
  if (r.rejected.length) parts.push(`${r.rejected.length} rejected`);
  if (r.waiting) parts.push(`${r.waiting} still being written`);
  if (r.skipped.length) parts.push(`${r.skipped.length} changed, left for the next run`);
  if (r.failed.length) parts.push(`${r.failed.length} failed`);
  if (r.notAttempted) parts.push(`${r.notAttempted} not attempted`);
  return parts.join(', ');
}
