/**
 * Timelapse: the frames of a day, week or month, in capture order as the
 * image table has them (not file mtimes), encoded by ffmpeg into an H.264
 * MP4 (even dimensions, yuv420p: what every player takes), written beside
 * the archive, uploaded like an image and recorded in the timelapse table.
 * The plan names the frames; the apply encodes exactly those. A rebuild with
 * the same frames and settings is "up to date"; with more frames it replaces
 * the period's row.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ObjectStorePort } from '../cloud/ports.js';
import type { AuditLog } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { ensureDir } from '../core/dirs.js';
import { OpsError } from '../core/errors.js';
import { ProgressMeter, type ProgressSink } from '../core/progress.js';
import { honourRetryable, retry } from '../core/retry.js';
import { publicReadWarning, type WebcamConfig } from './config.js';
import { concatQuote, runFfmpeg } from './ffmpeg.js';
import { sha256 } from './images.js';
import type { WebcamPaths } from './paths.js';
import type { Period } from './period.js';
import type { ImageTable, TimelapseRow } from './table.js';

export const TIMELAPSE_LOCK = 'webcam-timelapse';

export interface TimelapsePlan {
  /** "day:2026-06-15" */
  period: string;
  label: string;
  from: string;
  to: string;
  /** in capture order: the video's frame order */
  frames: { contentHash: string; capturedAt: string; archivePath: string }[];
  /** rows whose archived original is not on this host: left out, and said so */
  missing: string[];
  width: number;
  height: number;
  fps: number;
  crf: number;
  framesHash: string;
  output: string;
  bucket: string;
  key: string;
  /** the table already holds this very build */
  upToDate: boolean;
}

export interface TimelapseDeps {
  config: WebcamConfig;
  objects: ObjectStorePort;
  table: ImageTable;
  clock: Clock;
  audit?: AuditLog;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
  /** things a person should hear that do not stop the build (webcam.publicRead) */
  onWarning?: (text: string) => void;
  retries?: number;
}

const even = (n: number): number => Math.max(2, Math.floor(n / 2) * 2);

/** The video size: the first frame's aspect, at most `width` wide and never wider than the frames, both sides even. */
export function videoSize(frame: { width: number; height: number }, width: number): { width: number; height: number } {
  const w = even(Math.min(width, frame.width));
  return { width: w, height: even(Math.round((w * frame.height) / frame.width)) };
}

export async function planTimelapse(p: { config: WebcamConfig; paths: WebcamPaths; table: ImageTable; bucket: string; period: Period }): Promise<TimelapsePlan> {
  const { config, period } = p;
  const t = config.timelapse;
  await p.table.ensure();
  const rows = await p.table.between(period.from, period.to);
  const frames: TimelapsePlan['frames'] = [];
  const missing: string[] = [];
  for (const r of rows) {
    const there = await fsp.stat(r.archivePath).then((s) => s.isFile(), () => false);
    if (there) frames.push({ contentHash: r.contentHash, capturedAt: r.capturedAt.toISOString(), archivePath: r.archivePath });
    else missing.push(r.archivePath);
  }
  const first = rows.find((r) => frames[0]?.contentHash === r.contentHash);
  const size = first ? videoSize(first, t.width) : { width: 0, height: 0 };
  const framesHash = createHash('sha256')
    .update(JSON.stringify({ frames: frames.map((f) => f.contentHash), ...size, fps: t.fps, crf: t.crf }))
    .digest('hex');
  const id = `${period.kind}:${period.label}`;
  const existing = await p.table.findTimelapse(id);
  return {
    period: id,
    label: period.label,
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    frames,
    missing,
    ...size,
    fps: t.fps,
    crf: t.crf,
    framesHash,
    output: path.join(p.paths.archive, 'timelapse', `${period.kind}-${period.label}.mp4`),
    bucket: p.bucket,
    key: `${config.prefix}timelapse/${period.kind}-${period.label}-${framesHash.slice(0, 12)}.mp4`,
    upToDate: existing?.framesHash === framesHash,
  };
}

/** The ffmpeg arguments for a plan: concat list in, fixed-size H.264 yuv420p out, one captured frame per video frame. */
export function ffmpegArgs(plan: Pick<TimelapsePlan, 'width' | 'height' | 'fps' | 'crf'>, list: string, out: string): string[] {
  const { width: w, height: h, fps } = plan;
  const vf = [
    // each JPEG of the list is one frame: number them, whatever timestamps the demuxer gave
    `setpts=N/(${fps}*TB)`,
    `scale=${w}:${h}:force_original_aspect_ratio=decrease`,
    `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2`,
    'setsar=1',
    'format=yuv420p',
  ].join(',');
  return ['-y', '-f', 'concat', '-safe', '0', '-i', list, '-vf', vf, '-r', String(fps), '-fps_mode', 'cfr', '-c:v', 'libx264', '-crf', String(plan.crf), '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', out];
}

export async function applyTimelapse(plan: TimelapsePlan, deps: TimelapseDeps): Promise<{ row: TimelapseRow; outcome: 'inserted' | 'replaced' }> {
  if (plan.frames.length === 0) throw new OpsError('USAGE', `no archived frames for ${plan.period}: nothing to make a timelapse of`);
  try {
    return await build(plan, deps);
  } catch (e) {
    await deps.audit?.append({ action: 'webcam.timelapse', target: plan.period, result: 'failed', details: { error: (e as Error).message } }).catch(() => {});
    throw e;
  }
}

async function build(plan: TimelapsePlan, deps: TimelapseDeps): Promise<{ row: TimelapseRow; outcome: 'inserted' | 'replaced' }> {
  const { config, clock } = deps;
  const again = <T>(fn: () => Promise<T>): Promise<T> => retry(fn, { retries: deps.retries ?? 4, baseMs: 250, clock, isRetryable: honourRetryable, ...(deps.signal ? { signal: deps.signal } : {}) });
  const dir = path.dirname(plan.output);
  await ensureDir(dir, { what: 'the webcam timelapse folder' });
  const base = path.basename(plan.output);
  const list = path.join(dir, `.${base}.${process.pid}.ffconcat`);
  const tmp = path.join(dir, `.${base}.${process.pid}.tmp`);
  const meter = new ProgressMeter('encoding', plan.frames.length, deps.onProgress ?? (() => {}), () => clock.now().getTime());
  let seen = 0;
  try {
    await fsp.writeFile(list, ['ffconcat version 1.0', ...plan.frames.map((f) => `file ${concatQuote(f.archivePath)}`), ''].join('\n'));
    await runFfmpeg({
      binary: config.timelapse.ffmpeg,
      args: ffmpegArgs(plan, list, tmp),
      timeoutMs: config.timelapse.timeoutSeconds * 1000,
      ...(deps.signal ? { signal: deps.signal } : {}),
      onFrame: (n) => {
        if (n > seen) meter.tick(Math.min(n, plan.frames.length) - seen);
        seen = Math.max(seen, Math.min(n, plan.frames.length));
      },
    });
    await fsp.rename(tmp, plan.output);
  } finally {
    await fsp.rm(list, { force: true });
    await fsp.rm(tmp, { force: true });
  }
  const body = await fsp.readFile(plan.output);
  if (config.publicRead) deps.onWarning?.(publicReadWarning(`the timelapse s3://${plan.bucket}/${plan.key}`));
  await again(() =>
    deps.objects.putObject(plan.bucket, plan.key, body, {
      contentType: 'video/mp4',
      cacheControl: config.cacheControl,
      contentMd5: createHash('md5').update(body).digest('base64'),
      publicRead: config.publicRead,
      ...(deps.signal ? { signal: deps.signal } : {}),
    }),
  );
  const row: TimelapseRow = {
    period: plan.period,
    from: new Date(plan.from),
    to: new Date(plan.to),
    framesHash: plan.framesHash,
    frames: plan.frames.length,
    key: plan.key,
    contentHash: sha256(body),
    width: plan.width,
    height: plan.height,
    bytes: body.length,
    fps: plan.fps,
    localPath: plan.output,
    builtAt: clock.now(),
  };
  const outcome = await again(() => deps.table.recordTimelapse(row));
  await deps.audit?.append({ action: 'webcam.timelapse', target: plan.period, result: 'ok', details: { key: plan.key, frames: row.frames, bytes: row.bytes, outcome } });
  return { row, outcome };
}
