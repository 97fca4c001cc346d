import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProgressEvent } from '../../src/core/progress.js';
import { emptyResult, type StepIO } from '../../src/runbooks/executors.js';
import { readProgress } from '../../src/runbooks/ssh-progress.js';

/**
 * An ssh step's counter lines as progress, on a fake clock: what reaches the
 * screen (events, output) when tar's checkpoint lines arrive split across
 * chunks, too fast, too slow, or past the measured size.
 */
function harness(total: number | undefined, from: 'stdout' | 'stderr' = 'stderr') {
  const events: ProgressEvent[] = [];
  const out: { stream: string; text: string }[] = [];
  const io: StepIO = { signal: new AbortController().signal, output: (stream, text) => out.push({ stream, text }), progress: (e) => events.push(e) };
  const reader = readProgress({ total, regex: 'opsdeck-copied (\\d+)', from }, io, { nowMs: () => Date.now(), everyMs: 250 });
  const shown = (stream: string): string => out.filter((o) => o.stream === stream).map((o) => o.text).join('');
  return { events, shown, reader };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ssh step progress from counter lines', () => {
  it('reads lines split across chunks, passes the rest through, and gives rate and a shrinking ETA', () => {
    const h = harness(10_000_000);
    vi.advanceTimersByTime(1000);
    h.reader.io.output('stderr', 'tar: opsdeck-copi');
    h.reader.io.output('stderr', 'ed 2000000 (1.9MiB, 2MiB/s)\ntar: a warning\n');
    vi.advanceTimersByTime(1000);
    h.reader.io.output('stdout', 'not a counter opsdeck-copied 9\n');
    h.reader.io.output('stderr', 'tar: opsdeck-copied 4000000 (3.8MiB)\n');
    expect(h.events.map((e) => e.done)).toEqual([2_000_000, 4_000_000]);
    expect(h.events.every((e) => e.total === 10_000_000 && e.phase === 'copying')).toBe(true);
    expect(h.events[0]?.rate).toBe(2_000_000);
    expect(h.events[1]?.etaMs).toBe(3000);
    // only the chosen stream's matching lines are progress
    expect(h.shown('stderr')).toBe('tar: a warning\n');
    expect(h.shown('stdout')).toBe('not a counter opsdeck-copied 9\n');
  });

  it('holds back lines that come too fast, then tells the latest when the throttle allows, not at the next line', () => {
    const h = harness(10_000_000);
    vi.advanceTimersByTime(500);
    h.reader.io.output('stderr', 'tar: opsdeck-copied 1000000\n');
    vi.advanceTimersByTime(50);
    h.reader.io.output('stderr', 'tar: opsdeck-copied 2000000\ntar: opsdeck-copied 3000000\n');
    expect(h.events.map((e) => e.done)).toEqual([1_000_000]);
    // the copy goes quiet: the held figure still arrives
    vi.advanceTimersByTime(300);
    expect(h.events.map((e) => e.done)).toEqual([1_000_000, 3_000_000]);
    vi.advanceTimersByTime(5000);
    expect(h.events).toHaveLength(2);
  });

  it('never goes past the measured size; a success ends full, a failure where it got; counters leave the result', () => {
    const ok = harness(5_000_000);
    vi.advanceTimersByTime(500);
    ok.reader.io.output('stderr', 'tar: opsdeck-copied 3000000\n');
    const r = ok.reader.finish(emptyResult({ stderr: 'tar: opsdeck-copied 3000000\nTotal bytes written: 5120000\n', stdout: 'x\n' }));
    expect(ok.events.map((e) => e.done)).toEqual([3_000_000, 5_000_000]);
    expect(r.stderr).toBe('Total bytes written: 5120000\n');
    expect(r.stdout).toBe('x\n');

    const over = harness(5_000_000);
    vi.advanceTimersByTime(500);
    over.reader.io.output('stderr', 'tar: opsdeck-copied 5242880\n');
    expect(over.events.map((e) => [e.done, e.etaMs])).toEqual([[5_000_000, 0]]);

    const failed = harness(5_000_000);
    vi.advanceTimersByTime(500);
    failed.reader.io.output('stderr', 'tar: opsdeck-copied 1000000\ntar: Read error');
    failed.reader.finish(emptyResult({ exit: 2 }));
    expect(failed.events.map((e) => e.done)).toEqual([1_000_000]);
    // the unfinished last line is output, not lost
    expect(failed.shown('stderr')).toBe('tar: Read error');
  });

  it('without a known total: bytes and rate, no ETA', () => {
    const h = harness(undefined, 'stdout');
    vi.advanceTimersByTime(2000);
    h.reader.io.output('stdout', 'opsdeck-copied 4000\n');
    expect(h.events).toEqual([{ phase: 'copying', done: 4000, total: undefined, rate: 2000, unit: 'bytes' }]);
  });
});
