/**
 * ffmpeg for timelapses: argv only (no shell), a hard timeout, cancel by
 * signal, progress from `-progress pipe:1`, and a missing binary reported
 * with the package that provides it.
 */
import { spawn } from 'node:child_process';
import { OpsError } from '../core/errors.js';

export interface FfmpegRun {
  binary: string;
  args: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  /** frames encoded so far, as ffmpeg reports them */
  onFrame?: (frame: number) => void;
}

export const FFMPEG_HINT = 'install the Debian package: apt-get install ffmpeg (or set webcam.timelapse.ffmpeg to its path)';

export function runFfmpeg(run: FfmpegRun): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(run.binary, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', ...run.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    let pending = '';
    child.stderr.on('data', (b: Buffer) => {
      tail = (tail + b.toString('utf8')).slice(-2000);
    });
    child.stdout.on('data', (b: Buffer) => {
      pending += b.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^frame=(\d+)/.exec(l);
        if (m) run.onFrame?.(Number(m[1]));
      }
    });
    let why: string | undefined;
    const kill = (reason: string): void => {
      why ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`did not finish within ${run.timeoutMs / 1000}s and was killed`), run.timeoutMs);
    const onAbort = (): void => kill('was cancelled');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      done();
      if (e.code === 'ENOENT') reject(new OpsError('FFMPEG_MISSING', `cannot run ${run.binary}: it is not installed or not on PATH`, { hint: FFMPEG_HINT }));
      else reject(new OpsError('FFMPEG', `cannot run ${run.binary}: ${e.message}`, { hint: FFMPEG_HINT }));
    });
    child.on('close', (code, sig) => {
      done();
      if (why) return reject(new OpsError(run.signal?.aborted ? 'ABORTED' : 'TIMEOUT', `${run.binary} ${why}`));
      if (code === 0) return resolve();
      const last = tail.trim().split('\n').filter(Boolean).slice(-3).join(' / ');
      reject(new OpsError('FFMPEG', `${run.binary} failed (${sig ?? `exit ${code}`})${last ? `: ${last}` : ''}`));
    });
  });
}

/** A path in an ffconcat list: single-quoted, with a quote written as '\'' (ffmpeg's own quoting rule). */
export const concatQuote = (p: string): string => `'${p.split("'").join("'\\''")}'`;
