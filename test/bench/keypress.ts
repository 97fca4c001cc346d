import { performance } from 'node:perf_hooks';
import type { render } from 'ink-testing-library';
import { selectedRow } from '../views/helpers.js';

export interface RedrawFigures {
  /** wall time, keypress to frame written */
  medianMs: number;
  p95Ms: number;
  /** CPU time this process spent per redraw: the part that is ours when the machine is busy */
  cpuMedianMs: number;
}

/**
 * Keypress-to-frame latency of a mounted app: the whole path a person feels
 * (Ink's stdin parser, the dispatcher, the store, React, Ink layout, output).
 * A frame is "new" when stdout receives a write after the key went in; each
 * press must move the selection, or the figure would time a no-op.
 */
export async function measureKeypresses(
  app: ReturnType<typeof render>,
  opts: { presses?: number; key?: (i: number) => string } = {},
): Promise<RedrawFigures> {
  const presses = opts.presses ?? 20;
  const key = opts.key ?? ((i: number) => (i % 4 === 3 ? 'k' : 'j'));
  // Let the key bindings register (an effect after the first data frame).
  await new Promise((r) => setTimeout(r, 50));
  let wrote: (() => void) | undefined;
  const original = app.stdout.write;
  app.stdout.write = (frame: string): void => {
    original(frame);
    wrote?.();
  };
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < presses + 2; i++) {
    const before = selectedRow(app.lastFrame());
    const drawn = new Promise<void>((resolve) => (wrote = resolve));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    app.stdin.write(key(i));
    await drawn;
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    wrote = undefined;
    if (selectedRow(app.lastFrame()) === before) throw new Error(`key ${i} did not move the selection`);
    // The first presses warm up the JIT and React's caches; they are not what a person feels all day.
    if (i >= 2) {
      samples.push(ms);
      cpu.push((c.user + c.system) / 1000);
    }
    await new Promise((r) => setImmediate(r));
  }
  const at = (xs: number[], q: number): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  };
  return { medianMs: at(samples, 0.5), p95Ms: at(samples, 0.95), cpuMedianMs: at(cpu, 0.5) };
}
