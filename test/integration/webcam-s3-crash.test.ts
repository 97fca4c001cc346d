/**
 * Crash safety of ingest from an S3 incoming prefix: kill -9 at random
 * points across batches, then a re-run; every image exactly once in S3, in
 * MySQL and in the archive, and nothing left under the incoming prefix. The
 * folder version (webcam-crash.test.ts) has more kill points; the steps
 * after the download are the same code.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { webcamPaths } from '../../src/webcam/paths.js';
import type { ChildArgs } from './webcam-ingest-child.js';
import { ingestProcess, rng } from './webcam-kill.js';
import { cameraJpeg, filesBelow, startWebcamRig, type WebcamRig } from './webcam-rig.js';

const BUCKET = 'webcam-s3-crash';
const PREFIX = 'webcam-incoming/';
let rig: WebcamRig;

beforeAll(async () => {
  rig = await startWebcamRig(BUCKET, vi.stubEnv);
  await rig.table.ensure();
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.stop();
});

describe('crash safety, S3 source', () => {
  it('kill -9 at 6 random points across batches, then a re-run: every image exactly once, the incoming prefix empty', async () => {
    const paths = webcamPaths({}, path.join(rig.dir, 'spool'));
    const args: ChildArgs = { endpoint: rig.s3.endpoint, db: { host: '127.0.0.1', port: rig.db.port, user: rig.db.user, password: rig.db.password }, database: rig.database, spool: paths.spool, bucket: BUCKET, incomingPrefix: PREFIX };
    const random = rng(20261204);
    const base = Date.UTC(2026, 5, 15, 19, 0);
    const BIG = { width: 1600, height: 1200 };
    let frames = 0;
    let interrupted = 0;
    for (let round = 0; round < 6; round++) {
      // the camera host delivers 3 more frames a round; one round a frame arrives twice under another name
      for (let k = 0; k < 3; k++, frames++) await rig.objects.putObject(BUCKET, `${PREFIX}IMG_${String(frames).padStart(4, '0')}.JPG`, await cameraJpeg(frames, new Date(base + frames * 300_000), BIG));
      if (round === 3) await rig.objects.putObject(BUCKET, `${PREFIX}resent-${round}.JPG`, await cameraJpeg(frames - 2, new Date(base + (frames - 2) * 300_000), BIG));
      // a round (3-4 frames) takes about 700 ms here: kill points spread over all of it
      const r = await ingestProcess(args, Math.floor(random() * 800));
      if (r.killed) interrupted++;
    }
    const last = await ingestProcess(args);
    expect(last.out).toMatch(/^done /m);

    const rows = await rig.table.latest(1000);
    expect(rows).toHaveLength(frames);
    expect(new Set(rows.map((r) => r.contentHash)).size).toBe(frames);
    const keys = (await rig.objects.listObjects(BUCKET, 'webcam/')).map((o) => o.key).sort();
    expect(keys).toEqual(rows.flatMap((r) => r.sizes.map((s) => s.key)).sort());
    expect(keys).toHaveLength(frames * 3);
    expect(filesBelow(paths.archive, { dotFiles: true })).toHaveLength(frames);
    // nothing left to ingest, nothing refused
    expect(await rig.objects.listObjects(BUCKET, PREFIX)).toEqual([]);
    // the kills really landed mid-run, not only before or after the work
    expect(interrupted).toBeGreaterThanOrEqual(3);
  }, 300_000);
});
