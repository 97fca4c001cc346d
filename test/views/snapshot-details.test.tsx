import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxWorld } from '../../src/cloud/sandbox/index.js';
import { describeKeepRule } from '../../src/snapshots/details.js';
import { planRotation, type PlannedDecision } from '../../src/snapshots/plan.js';
import { App, createSessionFor } from '../../views/App.js';
import { KEY, lines, press, privateStateDir, selectedRow, testContext, track, type, waitFor, type Rendered } from './helpers.js';

const mounted: { unmount(): void }[] = [];
privateStateDir('opsdeck-snapdetails-', () => {
  while (mounted.length) mounted.pop()?.unmount();
});
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
});

/** Frames can lag a keypress by seconds on a shared 2-core machine: wait for the frame needed, never a fixed time. */
const SLOW = 20_000;
const frameWhen = (app: Rendered, what: string, check: (f: string) => boolean): Promise<string> =>
  waitFor(() => {
    const f = app.lastFrame() ?? '';
    return check(f) ? f : undefined;
  }, what, app.lastFrame, SLOW);

/** Opens the details of a snapshot an AMI uses, through the keys a person presses. */
async function openPinned(size: { columns: number; rows: number }) {
  const ctx = testContext();
  const world = (await ctx.cloud()) as SandboxWorld;
  const store = createSessionFor(ctx, { size, initialPane: 'snapshots' });
  const app = track(render(<App ctx={ctx} store={store} />), store);
  mounted.push(app);
  await waitFor(() => selectedRow(app.lastFrame()), 'the volumes table', app.lastFrame, SLOW);
  const plan = await planRotation(world.compute, { scope: {}, config: ctx.config.snapshots, now: () => ctx.clock.now(), source: 'sandbox', includeDecisions: true });
  // the one with the most rules: every one of them has to be reachable
  const d = (plan.decisions ?? []).filter((x) => x.keptBy.includes('ami')).sort((a, b) => b.keptBy.length - a.keptBy.length)[0] as PlannedDecision;
  expect(d, 'the sandbox has a snapshot an AMI uses').toBeDefined();
  const images = (await world.compute.describeImages()).filter((i) => i.snapshotIds.includes(d.snapshotId));
  const tags = (await world.compute.describeSnapshots({ snapshotIds: [d.snapshotId] }))[0]?.tags ?? {};

  await press(app, '/');
  await type(app, d.volumeId);
  await press(app, KEY.enter);
  await frameWhen(app, 'the volume alone', (f) => selectedRow(f)?.includes(d.volumeId) === true);
  await press(app, KEY.enter);
  await frameWhen(app, 'the drill-in', (f) => f.includes('snapshots ·'));
  await press(app, '/');
  await type(app, d.snapshotId);
  await press(app, KEY.enter);
  await frameWhen(app, 'the snapshot alone', (f) => selectedRow(f)?.includes(d.snapshotId) === true);
  await press(app, KEY.enter);
  // the AMIs are listed when the details open
  const f = await frameWhen(app, 'the details', (x) => x.includes('(Esc back') && !x.includes('listing…'));
  return { app, d, images, tags, policy: plan.policy, first: f };
}

/** Every line the details show, scrolling with j from the top to the end (G must land on the same last line). */
async function readAll(app: Rendered, rows: number): Promise<string[]> {
  const seen: string[] = [];
  let f = app.lastFrame() ?? '';
  for (let i = 0; i < 60; i++) {
    expect(lines(f).length, `a frame taller than ${rows} rows:\n${f}`).toBeLessThanOrEqual(rows);
    for (const l of lines(f)) if (!seen.includes(l)) seen.push(l);
    const pos = /lines (\d+)-(\d+) of (\d+)/.exec(lines(f).join('\n'));
    if (!pos || pos[2] === pos[3]) return seen;
    const before = pos[0];
    await press(app, 'j');
    f = await frameWhen(app, 'the next line', (x) => !lines(x).join('\n').includes(before));
  }
  throw new Error('the details did not reach their end');
}

describe.each([
  { columns: 120, rows: 36 },
  { columns: 80, rows: 24 },
  { columns: 60, rows: 16 },
])('snapshot details at $columns x $rows', (size) => {
  it('shows every field, its tags, the AMIs that use it and every rule that keeps it; scrolls to all of it; Esc back', async () => {
    const { app, d, images, tags, policy, first } = await openPinned(size);
    expect(lines(first).find((l) => l.includes('(Esc back'))).toContain(d.snapshotId);
    if (process.env.SHOW_FRAMES) console.log(first, JSON.stringify(tags), images.map((i) => i.id));
    const all = (await readAll(app, size.rows)).join('\n').replace(/\s+/g, ' ');
    for (const label of ['snapshot', 'volume', 'started', 'state', 'action', 'reason', 'kept by', 'AMIs', 'volume GiB', 'full size', 'description']) {
      expect(all, label).toMatch(new RegExp(`(^| )${label} `));
    }
    expect(all).toContain(d.reason);
    // wrapped values are whole once the line breaks are folded
    for (const rule of d.keptBy) expect(all).toContain(`${rule}: ${describeKeepRule(rule, policy, images)}`);
    for (const img of images) expect(all).toContain(img.id);
    for (const [k, v] of Object.entries(tags)) expect(all).toContain(`tag ${k} ${v}`);
    if (Object.keys(tags).length === 0) expect(all).toContain('tags none');

    const scrolls = /lines \d+-\d+ of \d+/.test(first);
    if (scrolls) {
      // G and g: the end and the top in one key
      const end = await press(app, 'G');
      await press(app, 'g');
      const top = await frameWhen(app, 'the top again', (x) => /lines 1-/.test(x));
      expect(lines(top).join('\n')).toContain(`snapshot`);
      expect(/lines \d+-(\d+) of (\d+)/.exec(lines(end).join('\n'))?.slice(1, 3).every((n, _, a) => n === a[0])).toBe(true);
    } else {
      expect(size.rows).toBeGreaterThan(16);
    }
    await press(app, KEY.escape);
    const back = await frameWhen(app, 'the list again', (x) => x.includes('snapshots ·') || x.includes('snapshots match'));
    expect(selectedRow(back)).toContain(d.snapshotId);
  }, 90_000);
});
