/**
 * The webcam's S3 halves against s3rver and the rig's MariaDB: the camera
 * host delivering straight to an incoming prefix (Content-MD5, a deadline
 * per PUT, the local queue when S3 fails), and ingest taking complete
 * objects from that prefix through the same steps as folder files.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ObjectStorePort } from '../../src/cloud/ports.js';
import { SandboxObjectStore } from '../../src/cloud/sandbox/objects.js';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { deliverQueue, runCapture, type Camera } from '../../src/webcam/capture.js';
import type { WebcamConfig } from '../../src/webcam/config.js';
import { s3Sink } from '../../src/webcam/delivery.js';
import { s3Source } from '../../src/webcam/incoming.js';
import { applyIngest, planIngest } from '../../src/webcam/ingest.js';
import { webcamPaths, type WebcamPaths } from '../../src/webcam/paths.js';
import { watchIngest } from '../../src/webcam/watch.js';
import { startStalledServer, type StalledServer } from '../services/stalled.js';
import { cameraJpeg, deliver, filesBelow, s3Store, startWebcamRig, type WebcamRig } from './webcam-rig.js';

const BUCKET = 'webcam-s3-it';
const PREFIX = 'webcam-incoming/';
const NOON = new Date('2026-06-15T19:00:00Z');
const config: WebcamConfig = { ...defaultConfig().webcam, sizes: [640, 160], bucket: BUCKET };
let rig: WebcamRig;
let stalled: StalledServer;
let paths: WebcamPaths;
let n = 0;

beforeAll(async () => {
  [rig, stalled] = await Promise.all([startWebcamRig(BUCKET, vi.stubEnv), startStalledServer('silent')]);
  await rig.table.ensure();
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([rig?.stop(), stalled?.stop()]);
});
beforeEach(async () => {
  paths = webcamPaths({}, path.join(rig.dir, `run-${n++}`));
  // each test starts with an empty incoming prefix (and rejected/ below it)
  for (const o of await rig.objects.listObjects(BUCKET, PREFIX)) await rig.objects.deleteObject(BUCKET, o.key);
});

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');
const sink = (objects: ObjectStorePort = rig.objects, bucket = BUCKET, timeoutMs = 30_000) => s3Sink({ objects: async () => objects, bucket, prefix: PREFIX, timeoutMs });
const source = () => s3Source({ objects: rig.objects, bucket: BUCKET, prefix: PREFIX, timeoutMs: 30_000, retries: 1 });
const keysUnder = async (prefix: string): Promise<string[]> => (await rig.objects.listObjects(BUCKET, prefix)).map((o) => o.key).sort();
const jpegCamera = (): Camera => async (req) => writeFileSync(req.output, await cameraJpeg(req.at.getTime() % 1000, req.at));
const T = (h: number, m: number): Date => new Date(Date.UTC(2026, 5, 15, h + 7, m)); // local PDT wall time

describe('delivery to an S3 incoming prefix', () => {
  it('puts each queued frame under the prefix whole, with the Content-MD5 of the file, and empties the queue', async () => {
    const frames = new Map<string, Buffer>();
    for (let i = 0; i < 3; i++) frames.set(`20260615-12${i}000.jpg`, await cameraJpeg(i, new Date(NOON.getTime() + i * 600_000)));
    for (const [name, body] of frames) await deliver(paths.queue, name, body);
    const sent: { key: string; md5: string | undefined; type: string | undefined }[] = [];
    const recording: ObjectStorePort = {
      ...rig.objects,
      putObject: (b, key, body, o) => {
        sent.push({ key, md5: o?.contentMd5, type: o?.contentType });
        return rig.objects.putObject(b, key, body, o);
      },
    };
    const r = await deliverQueue(paths, sink(recording));

    expect(r).toEqual({ delivered: [...frames.keys()], queued: 0, where: `s3://${BUCKET}/${PREFIX}` });
    expect(sent).toEqual([...frames].map(([name, body]) => ({ key: `${PREFIX}${name}`, md5: md5(body), type: 'image/jpeg' })));
    expect(await keysUnder(PREFIX)).toEqual([...frames.keys()].map((k) => `${PREFIX}${k}`));
    for (const [name, body] of frames) expect((await rig.objects.getObject(BUCKET, `${PREFIX}${name}`)).equals(body)).toBe(true);
    expect(readdirSync(paths.queue)).toEqual([]);
    // the ingest side takes every one at once: a PUT is atomic, no quiescence wait
    const plan = await planIngest(paths, config, new Date(), source());
    expect([plan.incoming, plan.ready.map((f) => f.name), plan.waiting]).toEqual([`s3://${BUCKET}/${PREFIX}`, [...frames.keys()], []]);
  });

  it('a body damaged on the way is refused by its Content-MD5 (BadDigest): the frame stays queued, nothing is stored', async () => {
    // s3rver does not check Content-MD5; the sandbox store does, as S3 does
    const store = new SandboxObjectStore(() => Date.now());
    store.createBucket(BUCKET);
    const damaging: ObjectStorePort = {
      getObject: (b, k) => store.getObject(b, k),
      putObject: (b, k, body, o) => {
        const bad = Buffer.from(body);
        const at = bad.length >> 1;
        bad.writeUInt8(bad.readUInt8(at) ^ 0xff, at);
        return store.putObject(b, k, bad, o);
      },
      listObjects: (b, p, o) => store.listObjects(b, p, o),
      deleteObject: (b, k) => store.deleteObject(b, k),
    };
    await deliver(paths.queue, '20260615-120000.jpg', await cameraJpeg(5, NOON));
    const r = await deliverQueue(paths, sink(damaging));
    expect(r.error).toMatch(/Content-MD5 you specified did not match/);
    expect(r.queued).toBe(1);
    expect(readdirSync(paths.queue)).toEqual(['20260615-120000.jpg']);
    expect(await store.listObjects(BUCKET, PREFIX)).toEqual([]);
  });

  it('S3 failing (a wrong bucket, then an endpoint that never answers) leaves the captures queued; a later run delivers them in order', async () => {
    const clock = new ManualClock(NOON);
    const r1 = await runCapture({ config, paths, camera: jpegCamera(), clock, deliver: sink(rig.objects, 'no-such-bucket') });
    expect(r1.captured).toBe('20260615-120000.jpg');
    expect(r1.error).toMatch(/^delivery to s3:\/\/no-such-bucket\/webcam-incoming\/ failed: .*(NoSuchBucket|bucket does not exist)/);
    expect(r1.queued).toBe(1);

    clock.advance(5 * 60_000);
    const black = await s3Store({ endpoint: stalled.url });
    const t0 = Date.now();
    const r2 = await runCapture({ config, paths, camera: jpegCamera(), clock, deliver: sink(black, BUCKET, 700) });
    // the per-attempt deadline ends it, not the SDK's own minute-long socket timeout
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(stalled.connections()).toBeGreaterThan(0);
    expect(r2.error).toMatch(/S3 upload of 20260615-120000.jpg .* did not finish within 700ms/);
    expect(r2.queued).toBe(2);
    expect(await keysUnder(PREFIX)).toEqual([]);

    clock.advance(5 * 60_000);
    const r3 = await runCapture({ config, paths, camera: jpegCamera(), clock, deliver: sink() });
    expect(r3.error).toBeUndefined();
    expect(r3.delivered).toEqual(['20260615-120000.jpg', '20260615-120500.jpg', '20260615-121000.jpg']);
    expect(readdirSync(paths.queue)).toEqual([]);
    expect(await keysUnder(PREFIX)).toEqual(r3.delivered.map((d) => `${PREFIX}${d}`));
  });
});

describe('ingest from an S3 incoming prefix', () => {
  it('good objects land once (sizes, row, archive), a truncated one and a non-JPEG go under rejected/ with a reason, incoming is emptied', async () => {
    const before = await rig.table.count();
    const good = await Promise.all([0, 1, 2].map((i) => cameraJpeg(40 + i, T(14, i * 5))));
    const put = (name: string, body: Buffer): Promise<void> => rig.objects.putObject(BUCKET, `${PREFIX}${name}`, body);
    for (const [i, b] of good.entries()) await put(`IMG_${4000 + i}.JPG`, b);
    const truncated = (await cameraJpeg(49, T(14, 30))).subarray(0, 4000);
    await put('IMG_4900.JPG', truncated);
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer();
    await put('IMG_4901.JPG', png);
    // a frame delivered twice under two names is one image (put last: listed last)
    await put('IMG_4999-resent.JPG', good[0]!);

    const plan = await planIngest(paths, config, new Date(), source());
    expect(plan.ready).toHaveLength(6);
    const r = await applyIngest(plan, { config, paths, source: source(), objects: rig.objects, bucket: BUCKET, table: rig.table, clock: systemClock });

    expect(r.failed).toEqual([]);
    expect(r.ingested.filter((i) => !i.existing).map((i) => i.name).sort()).toEqual(['IMG_4000.JPG', 'IMG_4001.JPG', 'IMG_4002.JPG']);
    expect(r.ingested.filter((i) => i.existing).map((i) => i.name)).toEqual(['IMG_4999-resent.JPG']);
    expect(r.rejected.map((x) => x.name).sort()).toEqual(['IMG_4900.JPG', 'IMG_4901.JPG']);

    // incoming emptied; the refused ones kept byte for byte under rejected/, each with its reason
    const R = `${PREFIX}rejected/`;
    expect(await keysUnder(PREFIX)).toEqual([`${R}IMG_4900.JPG`, `${R}IMG_4900.JPG.reason.txt`, `${R}IMG_4901.JPG`, `${R}IMG_4901.JPG.reason.txt`]);
    expect((await rig.objects.getObject(BUCKET, `${R}IMG_4900.JPG`)).equals(truncated)).toBe(true);
    expect((await rig.objects.getObject(BUCKET, `${R}IMG_4900.JPG.reason.txt`)).toString()).toMatch(/not a whole JPEG: .*premature end/i);
    expect((await rig.objects.getObject(BUCKET, `${R}IMG_4901.JPG.reason.txt`)).toString()).toMatch(/not a JPEG/);

    // exactly once: one row, three sizes and one archive copy per good frame
    const rows = (await rig.table.latest(1000)).filter((x) => /^IMG_400\d\.JPG$/.test(x.sourceName));
    expect(rows.map((x) => x.sourceName).sort()).toEqual(['IMG_4000.JPG', 'IMG_4001.JPG', 'IMG_4002.JPG']);
    expect(await rig.table.count()).toBe(before + 3);
    const sizeKeys = rows.flatMap((x) => x.sizes.map((s) => s.key));
    expect(sizeKeys).toHaveLength(9);
    const stored = new Set(await keysUnder('webcam/'));
    expect(sizeKeys.every((k) => stored.has(k))).toBe(true);
    expect(filesBelow(paths.archive)).toHaveLength(3);
    const first = rows.find((x) => x.sourceName === 'IMG_4000.JPG')!;
    expect(first.capturedAt.toISOString()).toBe('2026-06-15T21:00:00.000Z');
    expect(readFileSync(first.archivePath).equals(good[0]!)).toBe(true);

    // nothing under rejected/ is taken as a frame again, and a re-run has nothing to do
    const again = await planIngest(paths, config, new Date(), source());
    expect(again.ready).toEqual([]);
  });

  it('the incoming object is deleted only after its sizes, archive copy and row: a failing row insert leaves it for the next run', async () => {
    const body = await cameraJpeg(60, T(15, 0));
    await rig.objects.putObject(BUCKET, `${PREFIX}IMG_6000.JPG`, body);
    const failing = { ...rig.table, upsert: () => Promise.reject(Object.assign(new Error('MySQL went away'), { retryable: false })) };
    const r = await applyIngest(await planIngest(paths, config, new Date(), source()), { config, paths, source: source(), objects: rig.objects, bucket: BUCKET, table: failing, clock: systemClock, retries: 0 });
    expect(r.failed).toEqual([{ name: 'IMG_6000.JPG', error: 'MySQL went away' }]);
    expect(await keysUnder(PREFIX)).toEqual([`${PREFIX}IMG_6000.JPG`]);

    const r2 = await applyIngest(await planIngest(paths, config, new Date(), source()), { config, paths, source: source(), objects: rig.objects, bucket: BUCKET, table: rig.table, clock: systemClock });
    expect(r2.ingested.map((i) => [i.name, i.existing])).toEqual([['IMG_6000.JPG', false]]);
    expect(await keysUnder(PREFIX)).toEqual([]);
    expect(filesBelow(paths.archive)).toHaveLength(1);
  });

  it('--watch with the S3 source takes an object as soon as it is listed (no quiescence wait) and stops when told', async () => {
    const stop = new AbortController();
    const taken: string[] = [];
    const watching = watchIngest({
      config,
      paths,
      source: source(),
      objects: rig.objects,
      bucket: BUCKET,
      openTable: async () => ({ ...rig.table, close: async () => {} }),
      clock: systemClock,
      intervalMs: 100,
      stop: stop.signal,
      lockDir: path.join(paths.spool, 'locks'),
      onPass: (_p, r) => {
        taken.push(...r.ingested.map((i) => i.name));
        if (taken.length) stop.abort();
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    const put = Date.now();
    await rig.objects.putObject(BUCKET, `${PREFIX}IMG_7000.JPG`, await cameraJpeg(70, T(16, 0)));
    const sum = await watching;
    expect(taken).toEqual(['IMG_7000.JPG']);
    // config.quiescenceSeconds is 20: a folder file would still be waiting
    expect(Date.now() - put).toBeLessThan(config.quiescenceSeconds * 1000);
    expect(sum).toMatchObject({ ingested: 1, failedPasses: 0 });
    expect(await keysUnder(PREFIX)).toEqual([]);
  });

  it('an S3 endpoint that never answers fails the ingest within the per-call deadline; the objects stay for the next run', async () => {
    await rig.objects.putObject(BUCKET, `${PREFIX}IMG_8000.JPG`, await cameraJpeg(80, T(17, 0)));
    const black = s3Source({ objects: await s3Store({ endpoint: stalled.url }), bucket: BUCKET, prefix: PREFIX, timeoutMs: 500, retries: 1 });
    const t0 = Date.now();
    await expect(planIngest(paths, config, new Date(), black)).rejects.toThrow(/listing s3:\/\/webcam-s3-it\/webcam-incoming\/ did not finish within 500ms/);
    // the deadline ends it, not the SDK's minute-long socket timeout
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await keysUnder(PREFIX)).toEqual([`${PREFIX}IMG_8000.JPG`]);
    const r = await applyIngest(await planIngest(paths, config, new Date(), source()), { config, paths, source: source(), objects: rig.objects, bucket: BUCKET, table: rig.table, clock: systemClock });
    expect([r.ingested.map((i) => i.name), await keysUnder(PREFIX)]).toEqual([['IMG_8000.JPG'], []]);
  });
});
