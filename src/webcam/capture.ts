/**
 * The camera host's half: capture while the sun is up, under a lock (the
 * seed's `ps | grep gphoto2`), with a hard timeout around the camera command,
 * and deliver into incoming atomically, here or on the ingest server over
 * SFTP (write a dot-name, then rename: ingest never takes a half-written
 * frame; see delivery.ts). A frame that cannot be delivered stays
 * in the local queue and goes with the next run. N failures in a row are a
 * camera fault, which the status shows.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { AuditLog } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { ensureDir } from '../core/dirs.js';
import { OpsError } from '../core/errors.js';
import type { WebcamConfig } from './config.js';
import { isJpegName, isPartial, type WebcamPaths } from './paths.js';
import { localSink, type FrameSink, type SinkOpener } from './delivery.js';
import { captureDecision, type CaptureDecision } from './schedule.js';
import { localStamp } from './time.js';

export const CAPTURE_LOCK = 'webcam-capture';

export interface CameraRequest {
  /** the file the camera must write */
  output: string;
  lowLight: boolean;
  /** settings in force (low-light ones over the normal ones) */
  settings: Record<string, string>;
  timeoutMs: number;
  /** the instant the capture is for (the sandbox camera draws it in) */
  at: Date;
  signal?: AbortSignal;
}

/** Something that writes one JPEG to `output` or throws with what went wrong. */
export type Camera = (req: CameraRequest) => Promise<void>;

export interface CaptureState {
  consecutiveFailures: number;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  lastFile?: string;
}

export interface CaptureResult {
  decision: CaptureDecision;
  captured: string | undefined;
  /** frames moved into incoming this run (earlier ones left queued included) */
  delivered: string[];
  /** where they went: a folder or sftp://... */
  where: string | undefined;
  /** still in the local queue */
  queued: number;
  error: string | undefined;
  state: CaptureState;
  fault: boolean;
}

/** The argv of the camera command for one capture. */
export function cameraArgv(command: readonly string[], output: string, settings: Record<string, string>): string[] {
  const pairs = Object.entries(settings).flatMap(([k, v]) => ['--set-config', `${k}=${v}`]);
  return command.flatMap((a) => (a === '{settings}' ? pairs : [a.split('{output}').join(output)]));
}

/** Runs the configured command (no shell) in its own process group; the whole group is killed at the timeout. */
export function commandCamera(command: readonly string[]): Camera {
  return (req) =>
    new Promise<void>((resolve, reject) => {
      const [file, ...args] = cameraArgv(command, req.output, req.settings);
      if (!file) return reject(new OpsError('USAGE', 'webcam.capture.command is empty'));
      const child = spawn(file, args, {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, OPSDECK_WEBCAM_OUTPUT: req.output, OPSDECK_WEBCAM_LOW_LIGHT: req.lowLight ? '1' : '0', OPSDECK_WEBCAM_AT: req.at.toISOString() },
      });
      let tail = '';
      const keep = (b: Buffer): void => {
        tail = (tail + b.toString('utf8')).slice(-2000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      let timedOut = false;
      const killGroup = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, req.timeoutMs);
      const onAbort = (): void => killGroup();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const lastLine = (): string => tail.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
      child.on('error', (e) => {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        reject(new OpsError('CAMERA', `cannot run ${file}: ${e.message}`, { hint: `install it or set webcam.capture.command (${file} is not on PATH?)` }));
      });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (timedOut) return reject(new OpsError('CAMERA', `${file} did not finish within ${req.timeoutMs / 1000}s and was killed`, { hint: 'the camera may be hung (unplug it, or check `gphoto2 --auto-detect`); raise webcam.capture.timeoutSeconds if it is just slow' }));
        if (code === 0) return resolve();
        reject(new OpsError('CAMERA', `${file} failed (${sig ?? `exit ${code}`})${lastLine() ? `: ${lastLine()}` : ''}`));
      });
    });
}

/** The record's text as capture wrote it; undefined when it is not JSON (the same for a local and a remote record). */
export function parseCaptureState(text: string): CaptureState | undefined {
  try {
    const s = JSON.parse(text) as Partial<CaptureState>;
    return { ...s, consecutiveFailures: Number(s.consecutiveFailures ?? 0) };
  } catch {
    return undefined;
  }
}

export async function readCaptureState(file: string): Promise<CaptureState | undefined> {
  const text = await fsp.readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseCaptureState(text);
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await ensureDir(path.dirname(file), { what: 'the webcam spool' });
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await fsp.rename(tmp, file);
}

/** Delivers every queued frame, oldest first; stops at the first that fails (it and the later ones stay queued). */
export async function deliverQueue(paths: WebcamPaths, open: SinkOpener = localSink(paths.incoming)): Promise<{ delivered: string[]; queued: number; error?: string; where?: string }> {
  await ensureDir(paths.queue, { what: 'the webcam capture queue' });
  const names = (await fsp.readdir(paths.queue)).filter((n) => isJpegName(n) && !isPartial(n)).sort();
  const delivered: string[] = [];
  if (names.length === 0) return { delivered, queued: 0 };
  let sink: FrameSink | undefined;
  try {
    sink = await open.open();
    for (const name of names) {
      await sink.put(name, path.join(paths.queue, name));
      await fsp.unlink(path.join(paths.queue, name));
      delivered.push(name);
    }
    return { delivered, queued: 0, where: open.where };
  } catch (e) {
    return { delivered, queued: names.length - delivered.length, error: `delivery to ${open.where} failed: ${(e as Error).message}`, where: open.where };
  } finally {
    await sink?.close().catch(() => {});
  }
}

export interface CaptureDeps {
  config: WebcamConfig;
  paths: WebcamPaths;
  camera: Camera;
  clock: Clock;
  /** capture even when the sun is down (a test shot) */
  force?: boolean;
  audit?: AuditLog;
  signal?: AbortSignal;
  /** where frames go; default the local incoming folder */
  deliver?: SinkOpener;
}

export async function runCapture(deps: CaptureDeps): Promise<CaptureResult> {
  const { config, paths, clock } = deps;
  const now = clock.now();
  const decision = captureDecision(now, config);
  const prev = (await readCaptureState(paths.captureState)) ?? { consecutiveFailures: 0 };
  let state: CaptureState = prev;
  let captured: string | undefined;
  let error: string | undefined;
  if (decision.capture || deps.force) {
    await ensureDir(paths.queue, { what: 'the webcam capture queue' });
    const name = `${localStamp(now, config.timeZone)}.jpg`;
    const output = path.join(paths.queue, `.${name}.part`);
    const settings = { ...config.capture.settings, ...(decision.lowLight ? config.capture.lowLightSettings : {}) };
    try {
      await fsp.rm(output, { force: true });
      await deps.camera({ output, lowLight: decision.lowLight, settings, timeoutMs: config.capture.timeoutSeconds * 1000, at: now, ...(deps.signal ? { signal: deps.signal } : {}) });
      const head = await fsp.readFile(output).catch(() => undefined);
      if (!head || head.length < 3 || head[0] !== 0xff || head[1] !== 0xd8) throw new OpsError('CAMERA', `the camera command succeeded but ${output} is ${head ? 'not a JPEG' : 'missing'}`);
      await fsp.rename(output, path.join(paths.queue, name));
      captured = name;
      state = { consecutiveFailures: 0, lastAttemptAt: now.toISOString(), lastSuccessAt: now.toISOString(), lastFile: name };
    } catch (e) {
      await fsp.rm(output, { force: true });
      error = (e as Error).message;
      state = { ...prev, consecutiveFailures: prev.consecutiveFailures + 1, lastAttemptAt: now.toISOString(), lastError: error };
    }
    await writeJsonAtomic(paths.captureState, state);
    await deps.audit?.append({ action: 'webcam.capture', target: captured ?? 'camera', result: error ? 'failed' : 'ok', details: { lowLight: decision.lowLight, altitude: decision.altitude, ...(error ? { error } : {}) } });
  }
  const d = await deliverQueue(paths, deps.deliver);
  return {
    decision,
    captured,
    delivered: d.delivered,
    where: d.where,
    queued: d.queued,
    error: error ?? d.error,
    state,
    fault: state.consecutiveFailures >= config.capture.faultAfter,
  };
}
