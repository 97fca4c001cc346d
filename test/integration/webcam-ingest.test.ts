import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ObjectStorePort } from '../../src/cloud/ports.js';
import { memoryAuditLog } from '../../src/core/audit.js';
import { systemClock } from '../../src/core/clock.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { WebcamConfig } from '../../src/webcam/config.js';
import { applyIngest, planIngest, type IngestDeps } from '../../src/webcam/ingest.js';
import { webcamPaths, type WebcamPaths } from '../../src/webcam/paths.js';
import type { ImageTable } from '../../src/webcam/table.js';
import { ensureMariaDb, type MariaDbHandle } from '../services/mariadb.js';
import { startS3Server, type S3ServerHandle } from '../services/s3.js';
import { cameraJpeg, deliver, filesBelow, mysqlTable, s3Store } from './webcam-rig.js';

const BUCKET = 'webcam-it';
let s3: S3ServerHandle;
let db: MariaDbHandle;
let objects: ObjectStorePort;
let table: ImageTable;
let drop: () => Promise<void>;
let dir: string;
let paths: WebcamPaths;
const config: WebcamConfig = { ...defaultConfig().webcam, sizes: [640, 160], bucket: BUCKET };

beforeAll(async () => {
  [s3, db] = await Promise.all([startS3Server(), ensureMariaDb()]);
  await s3.bucket(BUCKET);
  vi.stubEnv('AWS_ACCESS_KEY_ID', s3.credentials.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3.credentials.secretAccessKey);
  vi.stubEnv('AWS_PROFILE', '');
  objects = await s3Store(s3);
  ({ table, drop } = await mysqlTable(db));
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-webcam-it-'));
  paths = webcamPaths({}, dir);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await drop?.();
  await Promise.all([s3?.stop(), db?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const deps = (over: Partial<IngestDeps> = {}): IngestDeps => ({ config, paths, objects, bucket: BUCKET, table, clock: systemClock, ...over });
const T = (h: number, m: number): Date => new Date(Date.UTC(2026, 5, 15, h + 7, m)); // local PDT wall time

describe('ingest against s3rver and MariaDB', () => {
  it('lands the good frames once, rejects the bad ones with a reason, and leaves the one still being written', async () => {
    const good = await Promise.all([0, 1, 2, 3].map((i) => cameraJpeg(i, T(12, i * 5))));
    for (const [i, b] of good.entries()) await deliver(paths.incoming, `IMG_${1000 + i}.JPG`, b);
    const truncated = (await cameraJpeg(9, T(12, 30))).subarray(0, 4000);
    await deliver(paths.incoming, 'IMG_2000.JPG', truncated);
    await deliver(paths.incoming, 'IMG_2001.JPG', await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer());
    await deliver(paths.incoming, 'notes.txt', Buffer.from('not an image'));
    await deliver(paths.incoming, 'IMG_3000.JPG', await cameraJpeg(7, T(12, 40)), 0);

    const audit = memoryAuditLog();
    const plan = await planIngest(paths, config, new Date());
    expect(plan.waiting.map((f) => f.name)).toEqual(['IMG_3000.JPG']);
    const r = await applyIngest(plan, deps({ audit }));

    expect(r.ingested.map((i) => [i.name, i.existing, i.timeSource])).toEqual([0, 1, 2, 3].map((i) => [`IMG_${1000 + i}.JPG`, false, 'exif']));
    expect(r.rejected.map((x) => x.name).sort()).toEqual(['IMG_2000.JPG', 'IMG_2001.JPG', 'notes.txt']);
    expect(r.rejected.find((x) => x.name === 'IMG_2000.JPG')?.reason).toMatch(/not a whole JPEG: .*premature end/i);
    expect(r.rejected.find((x) => x.name === 'IMG_2001.JPG')?.reason).toMatch(/not a JPEG/);
    expect(readFileSync(path.join(paths.rejected, 'IMG_2000.JPG.reason.txt'), 'utf8')).toMatch(/premature end/i);
    expect(filesBelow(paths.incoming)).toEqual(['IMG_3000.JPG']);

    // S3: three sizes per image under the capture day in the camera's zone, each a real JPEG of its width
    const listed = await objects.listObjects(BUCKET, 'webcam/');
    expect(listed).toHaveLength(12);
    expect(listed.every((o) => /^webcam\/2026\/06\/15\/20260615-12\d{4}-[0-9a-f]{12}-(full|640w|160w)\.jpg$/.test(o.key))).toBe(true);
    const small = listed.find((o) => o.key.endsWith('-160w.jpg'))!;
    const meta = await sharp(await objects.getObject(BUCKET, small.key)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 160, 120]);
    // metadata stripped by default: no camera serial or GPS leaves the server
    expect(meta.exif).toBeUndefined();

    // MySQL: one row each, capture time from EXIF (12:00 PDT is 19:00Z), every size recorded
    const rows = await table.latest(10);
    expect(rows).toHaveLength(4);
    const first = rows.find((x) => x.sourceName === 'IMG_1000.JPG')!;
    expect(first.capturedAt.toISOString()).toBe('2026-06-15T19:00:00.000Z');
    expect(first.capturedRaw).toBe('2026:06:15 12:00:00 -07:00');
    expect(first.sizes.map((s) => [s.label, s.width])).toEqual([['full', 800], ['640w', 640], ['160w', 160]]);
    expect(first.width).toBe(800);

    // archive: the original bytes, in YYYY/MM/DD
    expect(filesBelow(paths.archive)).toHaveLength(4);
    expect(readFileSync(first.archivePath).equals(good[0]!)).toBe(true);
    expect(first.archivePath).toContain(path.join('2026', '06', '15'));
    expect(audit.entries.filter((e) => e.action === 'webcam.ingest' && e.result === 'ok')).toHaveLength(4);
  });

  it('a re-run changes nothing, and the same frame delivered again is recognised, not stored twice', async () => {
    const again = await cameraJpeg(1, T(12, 5));
    await deliver(paths.incoming, 'IMG_1001-resent.JPG', again);
    const before = (await objects.listObjects(BUCKET, 'webcam/')).length;
    const r = await applyIngest(await planIngest(paths, config, new Date()), deps());
    expect(r.ingested).toEqual([expect.objectContaining({ name: 'IMG_1001-resent.JPG', existing: true })]);
    expect((await objects.listObjects(BUCKET, 'webcam/')).length).toBe(before);
    expect(await table.count()).toBe(4);
    expect(filesBelow(paths.incoming)).toEqual(['IMG_3000.JPG']);
  });

  it('the frame that was still being written is taken once it has been quiet for quiescenceSeconds', async () => {
    const later = new Date(Date.now() + (config.quiescenceSeconds + 1) * 1000);
    const r = await applyIngest(await planIngest(paths, config, later), deps());
    expect(r.ingested.map((i) => i.name)).toEqual(['IMG_3000.JPG']);
    expect(filesBelow(paths.incoming)).toEqual([]);
    expect(await table.count()).toBe(5);
  });

  it('without EXIF the time comes from the file name, flagged with a warning', async () => {
    const bare = await sharp(await cameraJpeg(20, T(13, 0))).jpeg().toBuffer(); // re-encoded: EXIF gone
    await deliver(paths.incoming, 'cam-20260615-131500.jpg', bare);
    const warnings: string[] = [];
    const r = await applyIngest(await planIngest(paths, config, new Date()), deps({ onWarning: (w) => warnings.push(w) }));
    expect(r.ingested[0]).toMatchObject({ timeSource: 'filename', capturedAt: '2026-06-15T20:15:00.000Z' });
    expect(warnings.join('\n')).toMatch(/no EXIF capture time, used the time in the file name/);
  });

  it('S3 down: the image stays in incoming, the run stops and says so, and the next run takes it', async () => {
    await deliver(paths.incoming, 'IMG_4000.JPG', await cameraJpeg(40, T(14, 0)));
    await deliver(paths.incoming, 'IMG_4001.JPG', await cameraJpeg(41, T(14, 5)));
    const down: ObjectStorePort = { ...objects, putObject: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { retryable: true })) };
    const r = await applyIngest(await planIngest(paths, config, new Date()), deps({ objects: down, retries: 1 }));
    expect(r.failed).toEqual([{ name: 'IMG_4000.JPG', error: expect.stringMatching(/ECONNREFUSED/) }]);
    expect(r.notAttempted).toBe(1);
    expect(filesBelow(paths.incoming)).toEqual(['IMG_4000.JPG', 'IMG_4001.JPG']);
    const ok = await applyIngest(await planIngest(paths, config, new Date()), deps());
    expect(ok.ingested.map((i) => i.name)).toEqual(['IMG_4000.JPG', 'IMG_4001.JPG']);
  });
});

describe('the MySQL table knows when a row was added last', () => {
  it('a frame from this morning ingested now is the last ingest, though newer captures are in the table', async () => {
    const started = new Date();
    await deliver(paths.incoming, 'IMG_0600.JPG', await cameraJpeg(60, T(6, 0)));
    const r = await applyIngest(await planIngest(paths, config, new Date()), deps());
    expect(r.ingested.map((i) => [i.name, i.existing])).toEqual([['IMG_0600.JPG', false]]);
    const last = await table.lastIngestedAt();
    expect(last!.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1000);
    const [newest] = await table.latest(1);
    expect(newest!.capturedAt.getTime()).toBeGreaterThan(T(6, 0).getTime());
    expect(newest!.ingestedAt.getTime()).toBeLessThan(last!.getTime());
  });
});

describe('ingest writes nothing outside its folders', () => {
  it('keeps .part files an uploader is still writing out of the plan', async () => {
    writeFileSync(path.join(paths.incoming, '.IMG_5000.JPG.part'), 'partial');
    writeFileSync(path.join(paths.incoming, 'IMG_5001.JPG.filepart'), 'partial');
    const plan = await planIngest(paths, config, new Date(Date.now() + 3_600_000));
    expect(plan.ready).toEqual([]);
  });
});
