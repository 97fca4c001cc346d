import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach } from 'vitest';
import type { SandboxWorld } from '../../src/cloud/sandbox/index.js';
import { planRotation } from '../../src/snapshots/plan.js';
import { App, createSessionFor } from '../../views/App.js';
import { KEY, lines, press, track, selectedRow, testContext, type, waitFor, type Rendered } from './helpers.js';

/**
 * The Snapshots pane on the sandbox, keys in and frames out: what its view
 * tests share (a private state dir per test, the app at a size, waits, the
 * typed confirmation, held deletions).
 */
const mounted: { unmount(): void }[] = [];
/**
 * Ceiling for any wait on the screen. CI runs this file on 2 cores next to
 * other test files: frames can lag a keypress by seconds, so every check
 * waits for the frame it needs (returning as soon as it is there), never for a
 * fixed time.
 */
export const SLOW = 20_000;
/** Presses a key, then waits until the frame satisfies `check`; returns that frame. */
export async function pressUntil(app: Rendered, key: string, what: string, check: (frame: string) => boolean): Promise<string> {
  await press(app, key);
  return frameWhen(app, what, check);
}
/** Waits until the frame satisfies `check` (generous ceiling); returns that frame. */
export function frameWhen(app: Rendered, what: string, check: (frame: string) => boolean): Promise<string> {
  return waitFor(() => {
    const f = app.lastFrame() ?? '';
    return check(f) ? f : undefined;
  }, what, app.lastFrame, SLOW);
}
/** Every bucket of the summary screen, by its label. */
export function summaryCounts(frame: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const label of ['deleted', 'skipped, in use', 'already gone', 'failed', 'not attempted (cancelled)']) {
    const m = new RegExp(`${label.replace(/[()]/g, '\\$&')}\\s+([\\d,]+)`).exec(lines(frame).join('\n'));
    out[label] = m?.[1] === undefined ? Number.NaN : Number(m[1].replace(/,/g, ''));
  }
  return out;
}
// The pane takes the rotation lock under $XDG_STATE_HOME: a private one per
// test keeps the user's own state dir (and another run of the suite) out.
let stateDir: string;
let savedState: string | undefined;
/** Call at the top of a test file: each test gets its own state dir, and its apps are unmounted after it. */
export function privateSnapshotsState(): void {
beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-snapview-'));
  savedState = process.env.XDG_STATE_HOME;
  process.env.XDG_STATE_HOME = stateDir;
});
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
  rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
});
}

export async function start(opts: { readOnly?: boolean; size?: { columns: number; rows: number } } = {}) {
  // testContext's cloud is a sandbox world following the test's ManualClock.
  const ctx = testContext({ options: { readOnly: opts.readOnly ?? false } });
  const world = (await ctx.cloud()) as SandboxWorld;
  const store = createSessionFor(ctx, { size: opts.size ?? { columns: 100, rows: 30 }, initialPane: 'snapshots' });
  const app = track(render(<App ctx={ctx} store={store} />), store);
  mounted.push(app);
  await waitFor(() => selectedRow(app.lastFrame()), 'the volumes table', app.lastFrame, SLOW);
  const expected = await planRotation(world.compute, { scope: {}, config: ctx.config.snapshots, now: () => ctx.clock.now(), source: 'sandbox' });
  if (process.env.SHOW_FRAMES) console.log(app.lastFrame());
  return { app, store, ctx, world, expected };
}

/** From the plan view: open the confirmation, type `typed`, move to Confirm and press Enter. */
export async function confirmTyped(app: Rendered, typed: number): Promise<string> {
  await pressUntil(app, KEY.enter, 'the confirmation', (f) => f.includes('to confirm'));
  await type(app, String(typed));
  await frameWhen(app, 'the typed count', (f) => lines(f).some((l) => l.includes(`to confirm: ${typed}`)));
  await press(app, KEY.tab);
  return pressUntil(app, KEY.enter, 'the confirmation to close', (f) => !f.includes('to confirm'));
}

/**
 * Holds every deletion after the first `after` until released: a key pressed
 * "during the deletion" then is, however fast the sandbox deletes.
 */
export function holdDeletions(world: SandboxWorld, after: number): () => void {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const compute = world.compute;
  const deleteSnapshot = compute.deleteSnapshot.bind(compute);
  let calls = 0;
  compute.deleteSnapshot = async (...args) => {
    if (++calls > after) await gate;
    return deleteSnapshot(...args);
  };
  return release;
}

export const ids = async (w: SandboxWorld): Promise<Set<string>> => new Set((await w.compute.describeSnapshots()).map((s) => s.id));
export const count = (n: number): string => n.toLocaleString('en-US');
/** The key hints: the frame's last line with text. */
export const footer = (x: string): string => lines(x).filter((l) => l.trim() !== '').at(-1) ?? '';

