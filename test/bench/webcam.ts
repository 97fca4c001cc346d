/**
 * Bench: the webcam ingest's image work and the whole pipeline.
 * - resize a 12-megapixel JPEG to the configured sizes: sharp (one decode,
 *   cloned pipelines) against ImageMagick `convert` doing the same (one
 *   decode, mpr: clones) on the same file, same run;
 * - ingest end to end (sharp, s3rver, MariaDB, archive) in images per second,
 *   with the peak RSS of the process while it runs;
 * - the same ingest from an S3 incoming prefix against from the incoming
 *   folder, same frames, same s3rver and MariaDB, same run (the S3 source
 *   adds a download and a delete per frame).
 * - a timelapse of N archived 12-MP frames with the real ffmpeg (decode,
 *   scale to 1280 wide, x264), in frames per second and MP4 bytes.
 * ImageMagick is only the reference: Debian's `imagemagick` (/usr/bin/convert).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { ObjectStorePort } from '../../src/cloud/ports.js';
import { systemClock } from '../../src/core/clock.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { makeSizes } from '../../src/webcam/images.js';
import { folderSource, s3Source } from '../../src/webcam/incoming.js';
import { applyIngest, planIngest } from '../../src/webcam/ingest.js';
import { webcamPaths } from '../../src/webcam/paths.js';
import { periodOf } from '../../src/webcam/period.js';
import { fileImageTable, type ImageTable } from '../../src/webcam/table.js';
import { applyTimelapse, planTimelapse } from '../../src/webcam/timelapse.js';
import { cameraJpeg, deliver, mysqlTable, s3Store } from '../integration/webcam-rig.js';
import { ensureMariaDb } from '../services/mariadb.js';
import { startS3Server, type S3ServerHandle } from '../services/s3.js';

const run = promisify(execFile);
const TWELVE_MP = { width: 4000, height: 3000 };
export const CONVERT = '/usr/bin/convert';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function measureResize(runs = 5): Promise<{ sharpMs: number; convertMs: number | undefined; sizes: string }> {
  const config = defaultConfig().webcam;
  const jpeg = await cameraJpeg(1, new Date('2026-06-15T19:00:00Z'), TWELVE_MP);
  const sharpRuns: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await makeSizes(jpeg, config);
    sharpRuns.push(performance.now() - t0);
  }
  let convertMs: number | undefined;
  if (existsSync(CONVERT)) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-im-'));
    try {
      const src = path.join(dir, 'in.jpg');
      writeFileSync(src, jpeg);
      // the same work: auto-orient, strip, quality, full + each width, from one decode
      const args = [src, '-auto-orient', '-strip', '-quality', String(config.quality), '-write', 'mpr:src', '-write', path.join(dir, 'full.jpg'), '+delete'];
      config.sizes.forEach((w, i) => {
        const out = path.join(dir, `${w}.jpg`);
        args.push('mpr:src', '-resize', `${w}x`, ...(i < config.sizes.length - 1 ? ['-write', out, '+delete'] : [out]));
      });
      const imRuns: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await run(CONVERT, args);
        imRuns.push(performance.now() - t0);
      }
      convertMs = median(imRuns);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { sharpMs: median(sharpRuns), convertMs, sizes: ['full', ...config.sizes.map((w) => `${w}w`)].join(', ') };
}

/** s3rver with a `bench` bucket, the rig's MariaDB with a private table, a temp dir: all gone after `fn`. */
async function withIngestServices<T>(fn: (w: { s3: S3ServerHandle; table: ImageTable; dir: string }) => Promise<T>): Promise<T> {
  const [s3, db] = await Promise.all([startS3Server(), ensureMariaDb()]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-ingest-'));
  process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
  const { table, drop } = await mysqlTable(db);
  try {
    await s3.bucket('bench');
    return await fn({ s3, table, dir });
  } finally {
    await drop();
    await Promise.all([s3.stop(), db.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function measureIngest(images: number): Promise<{ perSecond: number; peakRssMiB: number; baseRssMiB: number }> {
  return withIngestServices(async ({ s3, table, dir }) => {
    const config = { ...defaultConfig().webcam, bucket: 'bench' };
    const paths = webcamPaths({}, dir);
    // one 12-MP frame made once, varied per copy by its EXIF time: different bytes, same decode cost
    for (let i = 0; i < images; i++) await deliver(paths.incoming, `IMG_${i}.JPG`, await cameraJpeg(i % 4, new Date(Date.UTC(2026, 5, 15, 19, i)), TWELVE_MP));
    const objects = await s3Store(s3);
    global.gc?.();
    const baseRss = process.memoryUsage().rss;
    let peak = baseRss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t0 = performance.now();
    const r = await applyIngest(await planIngest(paths, config, new Date()), { config, paths, objects, bucket: 'bench', table, clock: systemClock });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    if (r.ingested.length !== images) throw new Error(`ingested ${r.ingested.length} of ${images}: ${JSON.stringify(r.failed)}`);
    return { perSecond: images / (ms / 1000), peakRssMiB: peak / 2 ** 20, baseRssMiB: baseRss / 2 ** 20 };
  });
}

/**
 * Images per second ingesting like frames from the folder and from an S3 prefix,
 * same process and services. Each batch has its own capture day (other bytes,
 * same decode cost), so one table serves; a small untimed batch through each
 * source first, so neither pays for the first connections and the JIT alone.
 */
export function measureIngestSources(images: number): Promise<{ folderPerSecond: number; s3PerSecond: number }> {
  return withIngestServices(async ({ s3, table, dir }) => {
    const objects = await s3Store(s3);
    const config = { ...defaultConfig().webcam, bucket: 'bench' };
    let day = 0;
    const batch = async (kind: 'folder' | 's3', n: number): Promise<number> => {
      const paths = webcamPaths({}, path.join(dir, kind));
      const source = kind === 'folder' ? folderSource(paths) : s3Source({ objects, bucket: 'bench', prefix: 'incoming/', timeoutMs: 120_000 });
      const base = Date.UTC(2026, 5, 1 + day++, 19);
      // delivered before the clock starts: only the ingest is measured
      for (let i = 0; i < n; i++) {
        const body = await cameraJpeg(i % 4, new Date(base + i * 60_000), TWELVE_MP);
        if (kind === 'folder') await deliver(paths.incoming, `IMG_${i}.JPG`, body);
        else await objects.putObject('bench', `incoming/IMG_${i}.JPG`, body);
      }
      const t0 = performance.now();
      const r = await applyIngest(await planIngest(paths, config, new Date(), source), { config, paths, source, objects, bucket: 'bench', table, clock: systemClock });
      const ms = performance.now() - t0;
      if (r.ingested.length !== n) throw new Error(`${kind}: ingested ${r.ingested.length} of ${n}: ${JSON.stringify(r.failed)}`);
      return n / (ms / 1000);
    };
    await batch('folder', 2);
    await batch('s3', 2);
    const folderPerSecond = await batch('folder', images);
    const s3PerSecond = await batch('s3', images);
    return { folderPerSecond, s3PerSecond };
  });
}

export async function measureTimelapse(frames: number): Promise<{ perSecond: number; seconds: number; bytes: number; size: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-timelapse-'));
  try {
    const config = { ...defaultConfig().webcam, bucket: 'bench' };
    const paths = webcamPaths({}, dir);
    const table = fileImageTable(path.join(dir, 'images.jsonl'));
    const base = Date.UTC(2026, 5, 15, 12);
    for (let i = 0; i < frames; i++) {
      const at = new Date(base + i * 5 * 60_000);
      const body = await cameraJpeg(i % 8, at, TWELVE_MP);
      const archivePath = path.join(paths.archive, '2026', '06', '15', `${i}.jpg`);
      mkdirSync(path.dirname(archivePath), { recursive: true });
      writeFileSync(archivePath, body);
      await table.upsert({ contentHash: `${i}`.padStart(64, '0'), capturedAt: at, capturedRaw: undefined, timeSource: 'exif', sourceName: `${i}.jpg`, width: TWELVE_MP.width, height: TWELVE_MP.height, bytes: body.length, sizes: [], archivePath, ingestedAt: at });
    }
    // the upload is not what is measured here: the ingest bench has s3rver
    const objects: ObjectStorePort = { getObject: async () => Buffer.alloc(0), putObject: async () => {}, listObjects: async () => [], deleteObject: async () => {} };
    const plan = await planTimelapse({ config, paths, table, bucket: 'bench', period: periodOf('day', '2026-06-15', config.timeZone) });
    if (plan.frames.length !== frames) throw new Error(`planned ${plan.frames.length} of ${frames} frames`);
    const t0 = performance.now();
    const r = await applyTimelapse(plan, { config, objects, table, clock: systemClock });
    const ms = performance.now() - t0;
    return { perSecond: frames / (ms / 1000), seconds: ms / 1000, bytes: r.row.bytes, size: `${r.row.width}x${r.row.height}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await measureResize());
  console.log(await measureIngest(Number(process.env.BENCH_WEBCAM_IMAGES ?? 20)));
  console.log(await measureIngestSources(Number(process.env.BENCH_WEBCAM_SOURCE_IMAGES ?? 20)));
  console.log(await measureTimelapse(Number(process.env.BENCH_WEBCAM_TIMELAPSE_FRAMES ?? 20)));
}
