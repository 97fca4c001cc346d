import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ObjectStorePort } from '../../src/cloud/ports.js';
import { memoryAuditLog } from '../../src/core/audit.js';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { WebcamConfig } from '../../src/webcam/config.js';
import { applyIngest, planIngest } from '../../src/webcam/ingest.js';
import { webcamPaths, type WebcamPaths } from '../../src/webcam/paths.js';
import { periodOf } from '../../src/webcam/period.js';
import type { ImageTable } from '../../src/webcam/table.js';
import { applyTimelapse, planTimelapse } from '../../src/webcam/timelapse.js';
import { deliver, startWebcamRig, type WebcamRig } from './webcam-rig.js';

const run = promisify(execFile);
const BUCKET = 'webcam-timelapse';
const FIX = 'fix: as root, bash test/services/prepare.sh (it installs the Debian package ffmpeg, which brings ffprobe)';
let rig: WebcamRig;
let objects: ObjectStorePort;
let table: ImageTable;
let paths: WebcamPaths;
const config: WebcamConfig = { ...defaultConfig().webcam, sizes: [160], bucket: BUCKET, timelapse: { ...defaultConfig().webcam.timelapse, fps: 24 } };

/** ffmpeg is part of the rig: missing, the file fails with how to install it (never a skip). */
async function requireTool(tool: string): Promise<void> {
  try {
    await run(tool, ['-version']);
  } catch (e) {
    throw new Error(`${tool} is not installed (${(e as Error).message.split('\n')[0]})\n${FIX}`);
  }
}

beforeAll(async () => {
  await Promise.all([requireTool('ffmpeg'), requireTool('ffprobe')]);
  rig = await startWebcamRig(BUCKET, (k, v) => vi.stubEnv(k, v));
  ({ objects, table } = rig);
  paths = webcamPaths({}, rig.dir);
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.stop();
});

/** Frame i of the day: grey level rising with capture time, odd size (the video must still be even), EXIF time in PDT. */
async function frame(i: number): Promise<Buffer> {
  const wall = `2026:06:15 ${String(8 + i).padStart(2, '0')}:00:00`;
  const v = 20 + i * 22;
  return sharp({ create: { width: 641, height: 481, channels: 3, background: { r: v, g: v, b: v } } })
    .withExif({ IFD2: { DateTimeOriginal: wall, OffsetTimeOriginal: '-07:00' } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function probe(file: string): Promise<{ frames: number; duration: number; width: number; height: number; pixFmt: string; codec: string; luma: number[] }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,width,height,pix_fmt,codec_name:format=duration', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { streams: Record<string, string | number>[]; format: { duration: string } };
  const s = j.streams[0]!;
  const { stdout: stats } = await run('ffprobe', ['-v', 'error', '-f', 'lavfi', '-i', `movie=${file},signalstats`, '-show_entries', 'frame_tags=lavfi.signalstats.YAVG', '-of', 'csv=p=0']);
  return {
    frames: Number(s['nb_read_frames']),
    duration: Number(j.format.duration),
    width: Number(s['width']),
    height: Number(s['height']),
    pixFmt: String(s['pix_fmt']),
    codec: String(s['codec_name']),
    luma: stats.trim().split('\n').map(Number),
  };
}

describe('timelapse with the real ffmpeg, s3rver and MariaDB', () => {
  it('10 ingested frames delivered out of order become a 10-frame MP4 in capture order, uploaded and recorded', async () => {
    // delivered (mtime) in a shuffled order: the video must follow the capture time in the table, not the files
    const order = [3, 7, 0, 9, 5, 1, 8, 2, 6, 4];
    for (const [n, i] of order.entries()) await deliver(paths.incoming, `upload-${n}.jpg`, await frame(i), 600 - n * 10);
    const ingest = await applyIngest(await planIngest(paths, config, new Date()), { config, paths, objects, bucket: BUCKET, table, clock: systemClock });
    expect(ingest.ingested).toHaveLength(10);

    const period = periodOf('day', '2026-06-15', config.timeZone);
    const plan = await planTimelapse({ config, paths, table, bucket: BUCKET, period });
    expect(plan.frames).toHaveLength(10);
    expect(plan.missing).toEqual([]);
    expect([plan.width, plan.height]).toEqual([640, 480]);
    expect(plan.upToDate).toBe(false);

    const audit = memoryAuditLog();
    const progress: number[] = [];
    const clock = new ManualClock('2026-06-16T03:00:00Z');
    const r = await applyTimelapse(plan, { config, objects, table, clock, audit, onProgress: (e) => progress.push(e.done) });
    expect(r.outcome).toBe('inserted');
    expect(progress.at(-1)).toBe(10);

    const p = await probe(plan.output);
    expect(p.frames).toBe(10);
    expect(p.duration).toBeCloseTo(10 / 24, 2);
    expect([p.width, p.height, p.pixFmt, p.codec]).toEqual([640, 480, 'yuv420p', 'h264']);
    // brightness rises frame by frame: the frames are in capture order
    expect(p.luma).toHaveLength(10);
    for (let i = 1; i < p.luma.length; i++) expect(p.luma[i]!).toBeGreaterThan(p.luma[i - 1]!);

    // uploaded like an image, and the row says where
    const listed = await objects.listObjects(BUCKET, 'webcam/timelapse/');
    expect(listed.map((o) => o.key)).toEqual([plan.key]);
    expect(plan.key).toMatch(/^webcam\/timelapse\/day-2026-06-15-[0-9a-f]{12}\.mp4$/);
    const stored = await objects.getObject(BUCKET, plan.key);
    expect(stored.length).toBe(r.row.bytes);
    const row = await table.findTimelapse('day:2026-06-15');
    expect(row).toMatchObject({ frames: 10, key: plan.key, width: 640, height: 480, fps: 24, localPath: plan.output });
    expect(audit.entries.map((e) => [e.action, e.result])).toEqual([['webcam.timelapse', 'ok']]);
    expect(readdirTemp()).toEqual([]);
  });

  it('planned again with the same frames it is up to date; a new frame makes the next build replace the row', async () => {
    const period = periodOf('day', '2026-06-15', config.timeZone);
    expect((await planTimelapse({ config, paths, table, bucket: BUCKET, period })).upToDate).toBe(true);
    await deliver(paths.incoming, 'late.jpg', await frame(10));
    await applyIngest(await planIngest(paths, config, new Date()), { config, paths, objects, bucket: BUCKET, table, clock: systemClock });
    const plan = await planTimelapse({ config, paths, table, bucket: BUCKET, period });
    expect([plan.frames.length, plan.upToDate]).toEqual([11, false]);
    const r = await applyTimelapse(plan, { config, objects, table, clock: systemClock });
    expect(r.outcome).toBe('replaced');
    expect((await probe(plan.output)).frames).toBe(11);
    expect((await table.findTimelapse('day:2026-06-15'))?.frames).toBe(11);
  });

  it('another day has no frames: the plan is empty and apply refuses', async () => {
    const plan = await planTimelapse({ config, paths, table, bucket: BUCKET, period: periodOf('day', '2026-06-14', config.timeZone) });
    expect(plan.frames).toEqual([]);
    await expect(applyTimelapse(plan, { config, objects, table, clock: systemClock })).rejects.toThrow(/no archived frames for day:2026-06-14/);
  });

  it('a missing ffmpeg says which package to install', async () => {
    const plan = await planTimelapse({ config, paths, table, bucket: BUCKET, period: periodOf('day', '2026-06-15', config.timeZone) });
    const broken = { ...config, timelapse: { ...config.timelapse, ffmpeg: '/nonexistent/ffmpeg' } };
    const audit = memoryAuditLog();
    const err = await applyTimelapse(plan, { config: broken, objects, table, clock: systemClock, audit }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FFMPEG_MISSING', hint: expect.stringMatching(/apt-get install ffmpeg/) });
    expect(audit.entries.map((e) => [e.action, e.result])).toEqual([['webcam.timelapse', 'failed']]);
    expect(existsSync(plan.output)).toBe(true); // the earlier build is left as it was
  });
});

function readdirTemp(): string[] {
  const d = path.join(paths.archive, 'timelapse');
  return readdirSync(d).filter((n) => n.startsWith('.'));
}
