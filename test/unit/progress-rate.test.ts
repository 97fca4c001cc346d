import { describe, expect, it } from 'vitest';
import { formatAmount, formatRate, ProgressMeter, type ProgressEvent } from '../../src/core/progress.js';
import { progressLine } from '../../src/cli/output.js';

/** Drives a meter through `ticks` (ms offsets from the start) and returns its events. */
function run(ticks: number[], total = ticks.length): ProgressEvent[] {
  let now = 1_000_000;
  const start = now;
  const events: ProgressEvent[] = [];
  const m = new ProgressMeter('work', total, (e) => events.push(e), () => now);
  for (const t of ticks) {
    now = start + t;
    m.tick();
  }
  return events;
}

describe('ProgressMeter', () => {
  it('shows the recent rate after a fast start, not the average since the start', () => {
    // 100 items in the first second (cache hits), then 5 per second for a minute
    const ticks = [
      ...Array.from({ length: 100 }, (_, i) => (i + 1) * 10),
      ...Array.from({ length: 300 }, (_, i) => 1_000 + (i + 1) * 200),
    ];
    const events = run(ticks);
    const late = events[events.length - 1];
    expect(late?.rate).toBeCloseTo(5, 1);
    // halfway through the slow part the ETA matches the time actually left
    const mid = events[250];
    const leftMs = (ticks.at(-1) ?? 0) - (ticks[250] ?? 0);
    expect(Math.abs((mid?.etaMs ?? 0) - leftMs)).toBeLessThan(1_000);
  });

  it('has a rate from the first item, counting the time it took', () => {
    const [first] = run([2_000], 10);
    expect(first?.rate).toBeCloseTo(0.5, 5);
    expect(first?.etaMs).toBeCloseTo(18_000, -1);
  });

  it('keeps a rate for a job slower than the window (one item a minute)', () => {
    const events = run([60_000, 120_000, 180_000], 4);
    expect(events[2]?.rate).toBeCloseTo(1 / 60, 4);
    expect(events[2]?.etaMs).toBeCloseTo(60_000, -2);
  });

  it('follows a slowdown within the window', () => {
    // 10/s for 30 s, then 1/s for 20 s
    const ticks = [...Array.from({ length: 300 }, (_, i) => (i + 1) * 100), ...Array.from({ length: 20 }, (_, i) => 30_000 + (i + 1) * 1_000)];
    const events = run(ticks, 400);
    expect(events[299]?.rate).toBeCloseTo(10, 0);
    expect(events.at(-1)?.rate).toBeCloseTo(1, 1);
  });
});

describe('amounts and rates as a person reads them', () => {
  it('counts with separators; bytes in binary units, the rate too', () => {
    expect(formatAmount(30247)).toBe('30,247');
    expect(formatAmount(2_000_000, 'bytes')).toBe('1.9 MiB');
    expect(formatAmount(1_073_741_824, 'bytes')).toBe('1.0 GiB');
    expect(formatAmount(512, 'bytes')).toBe('512 B');
    expect(formatRate(35.24)).toBe('35/s');
    expect(formatRate(4.24)).toBe('4.2/s');
    expect(formatRate(991_572, 'bytes')).toBe('968 KiB/s');
  });

  it('a byte meter says so in its events, and the batch line reads in MiB', () => {
    let now = 0;
    const events: ProgressEvent[] = [];
    const m = new ProgressMeter('streaming', 10 * 1048576, (e) => events.push(e), () => now, undefined, 'bytes');
    now = 1000;
    m.reach(2 * 1048576);
    m.reach(1048576); // a running total never goes back
    expect(events).toHaveLength(1);
    expect(progressLine(events[0]!)).toBe('streaming: 2.0 MiB/10.0 MiB (20%, 2.0 MiB/s, ETA 4.0s)');
  });
});
