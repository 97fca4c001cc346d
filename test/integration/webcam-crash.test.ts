import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { webcamPaths } from '../../src/webcam/paths.js';
import { ensureMariaDb, type MariaDbHandle } from '../services/mariadb.js';
import { startS3Server, type S3ServerHandle } from '../services/s3.js';
import type { ChildArgs } from './webcam-ingest-child.js';
import { ingestProcess, rng } from './webcam-kill.js';
import { cameraJpeg, deliver, filesBelow, mysqlTable, s3Store } from './webcam-rig.js';

const BUCKET = 'webcam-crash';
let s3: S3ServerHandle;
let db: MariaDbHandle;
let dir: string;

beforeAll(async () => {
  [s3, db] = await Promise.all([startS3Server(), ensureMariaDb()]);
  await s3.bucket(BUCKET);
  vi.stubEnv('AWS_ACCESS_KEY_ID', s3.credentials.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3.credentials.secretAccessKey);
  vi.stubEnv('AWS_PROFILE', '');
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-webcam-crash-'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([s3?.stop(), db?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('crash safety', () => {
  it('kill -9 at 20 random points across a batch, then a re-run: every image exactly once in S3, MySQL and the archive', async () => {
    const { table, database, drop } = await mysqlTable(db);
    await table.ensure();
    const objects = await s3Store(s3);
    const paths = webcamPaths({}, path.join(dir, 'spool'));
    const args: ChildArgs = { endpoint: s3.endpoint, db: { host: '127.0.0.1', port: db.port, user: db.user, password: db.password }, database, spool: paths.spool, bucket: BUCKET };
    const random = rng(20260615);
    const base = Date.UTC(2026, 5, 15, 19, 0);
    let frames = 0;
    let interrupted = 0;
    const BIG = { width: 1600, height: 1200 };
    try {
      for (let round = 0; round < 20; round++) {
        // each round the camera delivers 3 more frames; now and then one arrives twice under another name
        for (let k = 0; k < 3; k++, frames++) await deliver(paths.incoming, `IMG_${String(frames).padStart(4, '0')}.JPG`, await cameraJpeg(frames, new Date(base + frames * 300_000), BIG));
        if (round % 5 === 4) await deliver(paths.incoming, `resent-${round}.JPG`, await cameraJpeg(frames - 2, new Date(base + (frames - 2) * 300_000), BIG));
        // a round's ingest takes a few hundred ms: kill points spread over it
        const r = await ingestProcess(args, Math.floor(random() * 250));
        if (r.killed) interrupted++;
      }
      const last = await ingestProcess(args);
      expect(last.out).toMatch(/^done /m);

      const rows = await table.latest(1000);
      expect(rows).toHaveLength(frames);
      expect(new Set(rows.map((r) => r.contentHash)).size).toBe(frames);
      const keys = (await objects.listObjects(BUCKET, 'webcam/')).map((o) => o.key).sort();
      expect(keys).toEqual(rows.flatMap((r) => r.sizes.map((s) => s.key)).sort());
      expect(keys).toHaveLength(frames * 3);
      expect(filesBelow(paths.archive, { dotFiles: true })).toHaveLength(frames);
      expect(filesBelow(paths.incoming, { dotFiles: true })).toEqual([]);
      expect(filesBelow(paths.rejected, { dotFiles: true })).toEqual([]);
      // the kills really landed mid-run, not only before or after the work
      expect(interrupted).toBeGreaterThanOrEqual(10);
    } finally {
      await drop();
    }
  }, 300_000);
});
