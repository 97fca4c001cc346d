import { ProgressMeter } from '../core/progress.js';
import type { StepIO, StepResult } from './executors.js';
import type { SshProgress } from './render.js';

/**
 * An ssh step's progress read from its own output (schema: `progress`). A
 * host-to-host copy (`tar | ssh` on the source) never passes opsdeck, so the
 * command's own counter lines are the only measure: they become the same
 * ProgressEvent a stream step sends (done/total bytes, rate and ETA from the
 * shared meter), and are kept out of the output, where one line per
 * checkpoint would push everything else out of the tail.
 */
export interface ProgressReader {
  /** the io the executor writes to: counter lines go to progress, the rest through */
  io: StepIO;
  /** after the command: the last partial line and a final event out (full on success); counter lines dropped from the result */
  finish(r: StepResult): StepResult;  /** the command ended, however: no late event after it */
  stop(): void;
}

export function readProgress(spec: SshProgress, io: StepIO, opts: { nowMs?: () => number; everyMs?: number } = {}): ProgressReader {
  const re = new RegExp(spec.regex);
  const nowMs = opts.nowMs ?? (() => Date.now());
  // tar at 1 GB/s with a checkpoint per 10 MiB says 100 lines a second; a screen needs a few
  const everyMs = opts.everyMs ?? 250;
  const meter = new ProgressMeter('copying', spec.total, io.progress, nowMs, undefined, 'bytes');
  const partial = { stdout: '', stderr: '' };
  let seen = 0;
  let told = 0;
  let lastAt = -Infinity;
  // a counter line held back by the throttle is told when the throttle allows, not at the next line:
  // a copy that slows down must not leave the bar standing on an old figure
  let later: ReturnType<typeof setTimeout> | undefined;

  const bytesOf = (line: string): number | undefined => {
    const m = re.exec(line);
    const g = m?.[1]?.trim();
    return g !== undefined && /^\d+$/.test(g) ? Number(g) : undefined;
  };
  const stop = (): void => {
    if (later) clearTimeout(later);
    later = undefined;
  };
  const tell = (force: boolean): void => {
    // tar counts its headers and padding, the measured size does not: the bar stops at full, never past it
    const upTo = spec.total === undefined ? seen : Math.min(seen, spec.total);
    if (upTo <= told) return;
    const now = nowMs();
    if (!force && now - lastAt < everyMs) {
      later ??= setTimeout(() => {
        later = undefined;
        tell(false);
      }, everyMs - (now - lastAt));
      return;
    }
    stop();
    lastAt = now;
    meter.tick(upTo - told);
    told = upTo;
  };
  const lines = (stream: 'stdout' | 'stderr', text: string): string => {
    let through = '';
    for (const line of text.split('\n')) {
      const n = stream === spec.from ? bytesOf(line) : undefined;
      if (n === undefined) through += `${line}\n`;
      else seen = Math.max(seen, n);
    }
    return through;
  };
  const withoutCounters = (stream: 'stdout' | 'stderr', text: string): string =>
    stream !== spec.from ? text : text.split('\n').filter((l) => bytesOf(l) === undefined).join('\n');

  return {
    io: {
      signal: io.signal,
      progress: io.progress,
      output(stream, text) {
        const all = partial[stream] + text;
        const cut = all.lastIndexOf('\n');
        partial[stream] = all.slice(cut + 1);
        if (cut < 0) return;
        const through = lines(stream, all.slice(0, cut));
        if (through) io.output(stream, through);
        tell(false);
      },
    },
    stop,
    finish(r) {
      stop();
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = partial[stream];
        partial[stream] = '';
        const through = rest ? lines(stream, rest) : '';
        if (through) io.output(stream, through.slice(0, -1));
      }
      // The last counter line comes up to one checkpoint before the end (tar says nothing after
      // its last checkpoint); a command that succeeded has done all its work, so the bar ends full.
      if (r.exit === 0 && spec.total !== undefined) seen = Math.max(seen, spec.total);
      tell(true);
      return { ...r, stdout: withoutCounters('stdout', r.stdout), stderr: withoutCounters('stderr', r.stderr) };
    },
  };
}
