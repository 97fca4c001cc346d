import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxWorld } from '../../src/cloud/sandbox/index.js';
import { acquireLock } from '../../src/core/lock.js';
import { planRotation, ROTATION_LOCK } from '../../src/snapshots/plan.js';
import { App, createSessionFor } from '../../views/App.js';
import { KEY, lines, press, track, selectedRow, testContext, type, waitFor, type Rendered } from './helpers.js';

const mounted: { unmount(): void }[] = [];
/**
 * Ceiling for any wait on the screen. CI runs this file on 2 cores next to
 * other test files: frames can lag a keypress by seconds, so every check
 * waits for the frame it needs (returning as soon as it is there), never for a
 * fixed time.
 */
const SLOW = 20_000;
/** Presses a key, then waits until the frame satisfies `check`; returns that frame. */
async function pressUntil(app: Rendered, key: string, what: string, check: (frame: string) => boolean): Promise<string> {
  await press(app, key);
  return frameWhen(app, what, check);
}
/** Waits until the frame satisfies `check` (generous ceiling); returns that frame. */
function frameWhen(app: Rendered, what: string, check: (frame: string) => boolean): Promise<string> {
  return waitFor(() => {
    const f = app.lastFrame() ?? '';
    return check(f) ? f : undefined;
  }, what, app.lastFrame, SLOW);
}
/** Every bucket of the summary screen, by its label. */
function summaryCounts(frame: string): Record<string, number> {
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

async function start(opts: { readOnly?: boolean; size?: { columns: number; rows: number } } = {}) {
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
async function confirmTyped(app: Rendered, typed: number): Promise<string> {
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
function holdDeletions(world: SandboxWorld, after: number): () => void {
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

const ids = async (w: SandboxWorld): Promise<Set<string>> => new Set((await w.compute.describeSnapshots()).map((s) => s.id));
const count = (n: number): string => n.toLocaleString('en-US');
/** The key hints: the frame's last line with text. */
const footer = (x: string): string => lines(x).filter((l) => l.trim() !== '').at(-1) ?? '';

describe('Snapshots pane', () => {
  it('previews the plan: one row per volume with total, keep, delete and a timeline of kept snapshots', async () => {
    const { app, expected } = await start();
    const f = lines(app.lastFrame()).join('\n');
    expect(f).toContain(`${expected.volumes.length} volumes · ${count(expected.totals.snapshots)} snapshots · ${count(expected.totals.delete)} to delete`);
    expect(f).toContain('policy: all 24h · newest per day 7d');
    for (const v of expected.volumes) {
      expect(f).toMatch(new RegExp(`${v.volumeId}\\s+${count(v.total)}\\s+${count(v.keep)}\\s+${count(v.delete)}\\s.*█`));
    }
  }, 90_000);

  it('drills into a volume: keep/delete with the reason, filterable, Esc goes back', async () => {
    const { app, expected } = await start();
    const first = expected.volumes[0];
    expect(first).toBeDefined();
    let f = await pressUntil(app, KEY.enter, 'the drill-in', (x) => x.includes('snapshots ·'));
    expect(f).toContain(`${first?.volumeId} ${count(first?.total ?? 0)} snapshots · ${count(first?.delete ?? 0)} to delete`);
    expect(selectedRow(f)).toMatch(/snap-\w+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+keep\s+(newest of volume — never deleted|not completed — ignored)/);
    expect(f).toMatch(/keep\s+within 24h/);

    await press(app, '/');
    await type(app, 'older than 365 days');
    f = await pressUntil(app, KEY.enter, 'the filtered list', (x) => x.includes(' of ') && lines(x).filter((l) => /snap-/.test(l)).length > 3);
    const rows = lines(f).filter((l) => /snap-/.test(l));
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.every((l) => /delete\s+older than 365 days/.test(l))).toBe(true);
    expect(f).toMatch(new RegExp(`\\d+ of ${count(first?.total ?? 0)} snapshots match "older than 365 days" · ${count(first?.delete ?? 0)} to delete`));
    // the filter matches what the columns show: the start time as displayed, with its space
    await press(app, '/');
    await press(app, '\x15');
    const shownStart = /\d{4}-\d\d-\d\d \d\d:\d\d/.exec(rows[0] ?? '')?.[0] ?? '';
    f = await type(app, shownStart);
    expect(lines(f).filter((l) => /snap-/.test(l)).every((l) => l.includes(shownStart))).toBe(true);
    expect(f).toMatch(/[1-9]\d* of [\d,]+ snapshots match/);
    await press(app, KEY.enter);

    f = await pressUntil(app, KEY.escape, 'back at the volumes', (x) => x.includes(' volumes · '));
    expect(selectedRow(app.lastFrame())).toContain(first?.volumeId);

    const other = expected.volumes[1]?.volumeId ?? '';
    await press(app, '/');
    f = await type(app, other);
    expect(f).toContain(`1 of ${expected.volumes.length} volumes match "${other}"`);
  }, 90_000);

  it('? has a legend for every row colour and the timeline\'s marks and scale', async () => {
    const { app } = await start();
    // the legend is under the keys; help scrolls
    const f = lines(await press(app, '?')).join('\n') + lines(await press(app, KEY.pageDown)).join('\n');
    for (const c of ['keep', 'delete', 'pinned', 'unfinished']) expect(f).toMatch(new RegExp(`${c} +row: `));
    expect(f).toMatch(/█ +timeline: a kept snapshot/);
    expect(f).toMatch(/scale +timeline: newest on the left/);
  }, 90_000);

  it(':vol ID opens that volume\'s snapshots from another pane, completing the id', async () => {
    const { app, expected } = await start();
    const third = expected.volumes[2]?.volumeId ?? '';
    await press(app, '1');
    await press(app, ':');
    await type(app, `vol ${third.slice(0, 8)}`);
    let f = await press(app, KEY.tab);
    expect(f).toContain(`:vol ${third}`);
    f = await pressUntil(app, KEY.enter, 'the drill-in', (x) => x.includes('snapshots ·'));
    expect(f).toContain(`${third} ${count(expected.volumes[2]?.total ?? 0)} snapshots`);
  }, 90_000);

  it(':vol ID works while the pane shows a volume (its keys no longer offer the verb), and :instance from a details view', async () => {
    const { app, expected } = await start();
    const [first, second] = [expected.volumes[0]?.volumeId ?? '', expected.volumes[1]?.volumeId ?? ''];
    await pressUntil(app, KEY.enter, 'the first volume', (x) => x.includes(`${first} `) && x.includes('snapshots ·'));
    await press(app, ':');
    await type(app, `vol ${second}`);
    const f = await pressUntil(app, KEY.enter, 'the second volume', (x) => x.includes(`${second} ${count(expected.volumes[1]?.total ?? 0)} snapshots`));
    expect(f).not.toContain('no command matches');
  }, 90_000);

  it('s sorts the volumes by each column in turn (counts as numbers), S reverses', async () => {
    const { app, expected } = await start();
    const volumeOrder = (f: string): string[] => lines(f).flatMap((l) => l.match(/^[› ] (vol-\w+)/)?.[1] ?? []);
    let f = await press(app, 's');
    expect(volumeOrder(f)).toEqual(expected.volumes.map((v) => v.volumeId).sort());
    f = await press(app, 's');
    expect(f).toMatch(/TOTAL/);
    const byTotal = [...expected.volumes].sort((a, b) => a.total - b.total).map((v) => v.volumeId);
    expect(volumeOrder(f)).toEqual(byTotal);
    f = await press(app, 'S');
    expect(volumeOrder(f)).toEqual([...byTotal].reverse());
  }, 90_000);

  it('Enter on a snapshot shows it in full, with every rule that keeps it; Esc comes back to the list', async () => {
    const { app, expected } = await start();
    const first = expected.volumes[0]?.volumeId ?? '';
    await pressUntil(app, KEY.enter, 'the drill-in', (x) => x.includes('snapshots ·'));
    const id = selectedRow(app.lastFrame())?.match(/snap-\w+/)?.[0] ?? '';
    let f = lines(await press(app, KEY.enter)).join('\n');
    expect(f).toMatch(new RegExp(`snapshot +${id}`));
    expect(f).toMatch(new RegExp(`volume +${first}`));
    expect(f).toMatch(/kept by +\S+/);
    expect(f).toMatch(/reason +\S+/);
    f = lines(await press(app, KEY.escape)).join('\n');
    expect(f).toContain('snapshots ·');
    expect(selectedRow(f)).toContain(id);
  }, 90_000);

  it('y copies the highlighted volume id, and in a volume the highlighted snapshot id', async () => {
    const { app, store, expected } = await start();
    await press(app, 'y');
    expect(store.getState().clipboard?.text).toBe(expected.volumes[0]?.volumeId);
    await pressUntil(app, KEY.enter, 'the drill-in', (x) => x.includes('snapshots ·'));
    await press(app, 'j');
    const row = selectedRow(app.lastFrame())?.match(/snap-\w+/)?.[0];
    await press(app, 'y');
    expect(store.getState().clipboard?.text).toBe(row);
    expect(store.getState().flash?.text).toContain(`copied ${row}`);
  }, 90_000);

  it('at 60x16 the plan wraps rather than cuts: every group\'s date range read whole, the scroll reaching the last line', async () => {
    const { app, expected } = await start({ size: { columns: 60, rows: 16 } });
    let f = await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    const total = Number(/lines 1-\d+ of (\d+)/.exec(f)?.[1]);
    const seen: string[] = [];
    for (let i = 0; i < 200; i++) {
      const body = lines(f).slice(3);
      const from = Number(/lines (\d+)-/.exec(f)?.[1]);
      body.slice(0, body.findIndex((l) => l.startsWith('lines '))).forEach((l, k) => (seen[from - 1 + k] = l));
      if (f.includes(`-${total} of ${total}`)) break;
      f = await press(app, 'j');
    }
    expect(seen.filter((l) => l !== undefined)).toHaveLength(total);
    expect(seen.join('\n')).not.toMatch(/\d…/);
    expect(seen.every((l) => l.length <= 60)).toBe(true);
    const text = seen.join(' ').replace(/\s+/g, ' ');
    for (const v of new Set(expected.deletions.map((d) => d.volumeId))) {
      const mine = expected.deletions.filter((d) => d.volumeId === v).map((d) => d.startTime.slice(0, 10)).sort();
      expect(text).toContain(`${v} `);
      expect(text).toContain(mine[0]);
      expect(text).toContain(mine.at(-1));
    }
    // a wrapped group's second line hangs under it, indented
    const at = seen.findIndex((l, i) => /^vol-/.test(l) && /^\s+\S/.test(seen[i + 1] ?? ''));
    expect(at).toBeGreaterThanOrEqual(0);
  }, 90_000);

  it('at 60x16 every group of the plan is reachable by scrolling, in the plan and in its confirmation', async () => {
    const { app, expected } = await start({ size: { columns: 60, rows: 16 } });
    let f = await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    expect(f).toMatch(/lines 1-\d+ of \d+ \(j\/k scroll\)/);
    const seen = new Set<string>();
    const groups = new Set(expected.deletions.map((d) => d.volumeId));
    const scrollAll = async (key: string): Promise<void> => {
      for (let i = 0; i < 40; i++) {
        lines(f).forEach((l) => seen.add(l));
        if ([...groups].every((v) => [...seen].some((l) => l.includes(v)))) return;
        f = await press(app, key);
      }
    };
    await scrollAll('j');
    for (const v of groups) expect([...seen].some((l) => l.includes(v))).toBe(true);
    f = await press(app, 'g');
    expect(f).toMatch(/lines 1-/);
    // the confirmation shows the same groups, and scrolls too
    f = await pressUntil(app, KEY.enter, 'the confirmation', (x) => x.includes('to confirm'));
    seen.clear();
    await scrollAll(KEY.pageDown);
    for (const v of groups) expect([...seen].some((l) => l.includes(v))).toBe(true);
    await press(app, KEY.escape);
  }, 90_000);

  it('d shows the plan grouped with totals; a wrong typed number refuses; Esc cancels; nothing is deleted', async () => {
    const { app, world, expected } = await start();
    const before = await ids(world);
    let f = await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    expect(f).toContain(`Plan: delete ${count(expected.totals.delete)} snapshots`);
    expect(f).toMatch(/not newest of its month\s+[\d,]+\s+\d{4}-\d\d-\d\d … \d{4}-\d\d-\d\d/);
    expect(f).toMatch(/older than 365 days/);

    f = await pressUntil(app, KEY.enter, 'the confirmation', (x) => x.includes('snapshots?'));
    expect(f).toContain(`Delete ${count(expected.totals.delete)} snapshots?`);
    expect(f).toMatch(/›\[ Cancel \]/); // focus starts on Cancel
    // the dialog lists the groups as far as it has room, then says how many more
    expect(lines(f).filter((l) => /not newest of its|older than 365 days/.test(l)).length).toBeGreaterThan(3);
    await type(app, '12');
    await frameWhen(app, 'the typed 12', (x) => x.includes('to confirm: 12'));
    await press(app, KEY.tab);
    f = await pressUntil(app, KEY.enter, 'the refusal', (x) => x.includes('is not'));
    expect(f).toContain(`12 is not ${expected.totals.delete}: nothing done; fix it, or Esc to cancel`);
    expect(f).toContain(`Delete ${count(expected.totals.delete)} snapshots?`);
    // letters never land in a number to type; Ctrl-U starts over and clears the refusal
    f = await press(app, 'q');
    expect(f).toContain('to confirm: 12');
    f = await press(app, KEY.ctrlU);
    expect(f).not.toContain('is not');
    f = await pressUntil(app, KEY.escape, 'the dialog to close', (x) => !x.includes('snapshots?'));
    expect(f).not.toContain('snapshots?');
    expect(await ids(world)).toEqual(before);
  }, 90_000);

  it('the typed count deletes exactly the planned snapshots of the volume, with progress and a summary', async () => {
    const { app, world, expected, ctx } = await start();
    const volume = expected.volumes[1]?.volumeId ?? '';
    await pressUntil(app, KEY.down, 'the second volume selected', (x) => (selectedRow(x) ?? '').includes(volume));
    await pressUntil(app, KEY.enter, 'the drill-in', (x) => x.includes(`${volume} `) && x.includes('snapshots ·'));
    const planned = new Set(expected.deletions.filter((d) => d.volumeId === volume).map((d) => d.snapshotId));
    const before = await ids(world);
    let f = await pressUntil(app, 'd', 'the plan', (x) => x.includes('Plan: delete'));
    expect(f).toContain(`Plan: delete ${count(planned.size)} snapshots`);
    await confirmTyped(app, planned.size);
    const progress = await waitFor(() => /Deleting [\d,]+ snapshots[\s\S]*█+░* [1-9][\d,]*\/[\d,]+/.exec(app.lastFrame() ?? '') ?? undefined, 'the progress bar', app.lastFrame, SLOW);
    if (process.env.SHOW_FRAMES) console.log(app.lastFrame());
    expect(progress[0]).toContain(`Deleting ${count(planned.size)} snapshots`);
    f = await frameWhen(app, 'the summary', (x) => x.includes('Rotation done'));
    expect(f).toMatch(new RegExp(`deleted\\s+${count(planned.size)}`));
    expect(f).toMatch(/failed\s+0/);
    const after = await ids(world);
    for (const id of before) expect(after.has(id)).toBe(!planned.has(id));
    const audit = (ctx.audit as unknown as { entries: { target: string }[] }).entries;
    expect(new Set(audit.map((e) => e.target))).toEqual(planned);
  }, 90_000);

  it('deletes the plan that was confirmed, even when a re-plan by then would pick other snapshots', async () => {
    const { app, world, expected, ctx } = await start();
    const volume = expected.volumes[0]?.volumeId ?? '';
    await pressUntil(app, KEY.enter, 'the drill-in', (x) => x.includes(`${volume} `) && x.includes('snapshots ·'));
    const shown = new Set(expected.deletions.filter((d) => d.volumeId === volume).map((d) => d.snapshotId));
    await pressUntil(app, 'd', 'the plan', (x) => x.includes(`Plan: delete ${count(shown.size)} snapshots`));
    // the world moves on while the person reads the plan (still within planMaxAgeMinutes)
    ctx.clock.advance(59 * 60_000);
    await press(app, 'r');
    const later = await planRotation(world.compute, { scope: { volumeIds: [volume] }, config: ctx.config.snapshots, now: () => ctx.clock.now(), source: 'sandbox' });
    const laterIds = new Set(later.deletions.map((d) => d.snapshotId));
    expect([...laterIds].some((id) => !shown.has(id)), 'a re-plan now differs from the plan on screen').toBe(true);
    const before = await ids(world);
    await confirmTyped(app, shown.size);
    const f = await frameWhen(app, 'the summary', (x) => x.includes('Rotation done'));
    expect(f).toMatch(new RegExp(`deleted\\s+${count(shown.size)}`));
    const after = await ids(world);
    expect(new Set([...before].filter((id) => !after.has(id)))).toEqual(shown);
  }, 90_000);

  it('if, by the time it is confirmed, the plan on screen would delete what is now the newest of the volume, that one is kept and said', async () => {
    const { app, world, expected } = await start();
    const volume = expected.volumes[0]?.volumeId ?? '';
    await pressUntil(app, KEY.enter, 'the drill-in', (x) => x.includes(`${volume} `) && x.includes('snapshots ·'));
    await pressUntil(app, 'd', 'the plan', (x) => x.includes('Plan: delete'));
    const planned = expected.deletions.filter((d) => d.volumeId === volume);
    const newestPlanned = planned.reduce((a, b) => (b.startTime > a.startTime ? b : a));
    // meanwhile someone else deletes every newer snapshot of the volume
    for (const s of await world.compute.describeSnapshots({ volumeIds: [volume] })) {
      if (s.startTime.toISOString() > newestPlanned.startTime) await world.compute.deleteSnapshot(s.id);
    }
    await confirmTyped(app, planned.length);
    const f = await frameWhen(app, 'the summary', (x) => x.includes('Rotation done'));
    expect(f).toMatch(new RegExp(`deleted\\s+${count(planned.length - 1)}`));
    expect(f).toContain(`now kept: ${newestPlanned.snapshotId} (now the newest completed snapshot of ${volume})`);
    expect((await ids(world)).has(newestPlanned.snapshotId)).toBe(true);
  }, 90_000);

  it('a running deletion shows its progress in the tab bar from another pane, and keeps running there', async () => {
    const { app, world, expected } = await start();
    const release = holdDeletions(world, 50);
    await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    await confirmTyped(app, expected.totals.delete);
    await waitFor(() => / [1-9][\d,]*\/[\d,]+/.test(app.lastFrame() ?? ''), 'deletions under way', app.lastFrame, SLOW);
    const f = await press(app, '1');
    const tabs = lines(f)[1] ?? '';
    expect(tabs).toMatch(new RegExp(`2 Snapshots ⟳[\\d,]+/${count(expected.totals.delete)}`));
    expect(tabs).toContain('[1 Fleet');
    release();
    await press(app, '2');
    await frameWhen(app, 'the summary', (x) => x.includes('Rotation') || x.includes('deleted'));
    await waitFor(() => !(lines(app.lastFrame())[1] ?? '').includes('⟳'), 'the mark gone when done', app.lastFrame, SLOW);
  }, 90_000);

  it('c, c during the deletion cancels (Esc and one c do not): the calls in flight finish, the rest are not attempted', async () => {
    const { app, world, expected } = await start();
    const before = await ids(world);
    const release = holdDeletions(world, 200);
    await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    await confirmTyped(app, expected.totals.delete);
    // cancel once deletions are under way (count above zero)
    await waitFor(() => / [1-9][\d,]*\/[\d,]+/.test(app.lastFrame() ?? ''), 'deletions under way', app.lastFrame, SLOW);
    // Esc goes back to the volumes and never cancels running work: p shows the progress again
    let g = await pressUntil(app, KEY.escape, 'back at the volumes', (x) => x.includes(' volumes · '));
    expect(lines(g)[1]).toMatch(/Snapshots ⟳[\d,]+\//);
    g = await pressUntil(app, 'p', 'the progress again', (x) => x.includes('Deleting '));
    // one c only asks
    g = await press(app, 'c');
    expect(g).toContain('press c again to cancel the deletion');
    expect(g).not.toContain('Rotation cancelled');
    await press(app, 'c');
    release();
    const f = await frameWhen(app, 'the cancelled summary', (x) => x.includes('Rotation cancelled'));
    const deleted = Number(/deleted\s+([\d,]+)/.exec(f)?.[1]?.replace(/,/g, ''));
    const notAttempted = Number(/not attempted \(cancelled\)\s+([\d,]+)/.exec(f)?.[1]?.replace(/,/g, ''));
    expect(deleted).toBeGreaterThan(0);
    expect(notAttempted).toBeGreaterThan(0);
    expect(deleted + notAttempted).toBe(expected.totals.delete);
    // every planned snapshot is in exactly one bucket (a throttled or aborted call included)
    const buckets = summaryCounts(f);
    expect(Object.values(buckets).reduce((a, n) => a + n, 0), f).toBe(expected.totals.delete);
    // (the world keeps taking hourly snapshots as its clock moves: count removals, not sizes)
    const after = await ids(world);
    expect([...before].filter((id) => !after.has(id))).toHaveLength(deleted);
  }, 90_000);

  it('Esc during a deletion goes back to the volumes and lets it run: its count stays in the tab bar, and the result is said when it ends', async () => {
    // wide enough for every key in the footer
    const { app, world, expected } = await start({ size: { columns: 200, rows: 30 } });
    const before = await ids(world);
    const release = holdDeletions(world, 50);
    await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    await confirmTyped(app, expected.totals.delete);
    await waitFor(() => / [1-9][\d,]*\/[\d,]+/.test(app.lastFrame() ?? ''), 'deletions under way', app.lastFrame, SLOW);
    const f = await pressUntil(app, KEY.escape, 'back at the volumes', (x) => x.includes(' volumes · '));
    expect(f).not.toContain('Deleting ');
    const tab = (x: string): number => Number(/Snapshots ⟳([\d,]+)\//.exec(lines(x)[1] ?? '')?.[1]?.replace(/,/g, '') ?? Number.NaN);
    const shownThen = tab(f);
    expect(shownThen).toBeGreaterThan(0);
    // the list's keys work meanwhile, and p is offered to see the progress
    expect(footer(f)).toContain('p progress');
    release();
    const done = await frameWhen(app, 'the result in the footer', (x) => x.includes(`snapshots: deleted ${count(expected.totals.delete)}`));
    expect(done).toContain(' volumes · ');
    expect(done).not.toContain('Rotation done');
    expect(lines(done)[1]).not.toContain('⟳');
    const after = await ids(world);
    expect([...before].filter((id) => !after.has(id))).toHaveLength(expected.totals.delete);
  }, 90_000);

  it('the footer offers / filter only while a list is on screen: not over the plan, the progress or a snapshot in full', async () => {
    const { app, world, expected } = await start({ size: { columns: 200, rows: 30 } });
    expect(footer(app.lastFrame() ?? '')).toContain('/ filter');
    let f = await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    expect(footer(f)).not.toContain('/ filter');
    // and / there says why nothing happens rather than opening a filter over rows nobody sees
    f = await press(app, '/');
    expect(f).toContain('no list on screen to filter here');
    const release = holdDeletions(world, 20);
    await confirmTyped(app, expected.totals.delete);
    f = await waitFor(() => (/ [1-9][\d,]*\/[\d,]+/.test(app.lastFrame() ?? '') ? app.lastFrame() : undefined), 'deletions under way', app.lastFrame, SLOW);
    expect(footer(f ?? '')).not.toContain('/ filter');
    f = await pressUntil(app, KEY.escape, 'back at the volumes', (x) => x.includes(' volumes · '));
    expect(footer(f)).toContain('/ filter');
    await pressUntil(app, KEY.enter, 'the drill-in', (x) => x.includes('snapshots ·'));
    f = await pressUntil(app, KEY.enter, 'a snapshot in full', (x) => x.includes('Esc back · y copies the id'));
    expect(footer(f)).not.toContain('/ filter');
    release();
  }, 90_000);

  it('q during a deletion does not cut it off; Ctrl-C cancels it, quits when the calls in flight are done, and leaves the summary', async () => {
    const { app, store, world, expected } = await start();
    const before = await ids(world);
    const release = holdDeletions(world, 200);
    await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    await confirmTyped(app, expected.totals.delete);
    await waitFor(() => / [1-9][\d,]*\/[\d,]+/.test(app.lastFrame() ?? ''), 'deletions under way', app.lastFrame, SLOW);
    let f = await press(app, 'q');
    expect(store.getState().quitRequested).toBe(false);
    expect(f).toContain('a snapshot deletion is running: press c to cancel it first');
    f = await press(app, KEY.ctrlC);
    expect(f).toContain('cancelling a snapshot deletion: opsdeck quits when the calls in flight are done');
    expect(store.getState().quitRequested).toBe(false);
    release();
    await waitFor(() => store.getState().quitRequested, 'the quit after the cancel', app.lastFrame, SLOW);
    const note = store.getState().exitNote ?? '';
    expect(note).toMatch(/^snapshots: deleted [\d,]+/);
    expect(note).toMatch(/cancelled/);
    const deleted = Number(/deleted ([\d,]+)/.exec(note)?.[1]?.replace(/,/g, ''));
    const after = await ids(world);
    expect([...before].filter((id) => !after.has(id))).toHaveLength(deleted);
    expect(deleted).toBeLessThan(expected.totals.delete);
  }, 90_000);

  it('refuses a plan that grew older than snapshots.planMaxAgeMinutes while on screen', async () => {
    const { app, world, ctx, expected } = await start();
    const before = await ids(world);
    await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    ctx.clock.advance(61 * 60_000);
    await confirmTyped(app, expected.totals.delete);
    const f = await frameWhen(app, 'the stale-plan refusal', (x) => x.includes('the plan is older'));
    expect(f).toContain('the plan is older than 60 minutes: press r to refresh it first');
    const after = await ids(world);
    expect([...before].filter((id) => !after.has(id))).toEqual([]);
  }, 90_000);

  it('says so when another rotation holds the lock, and deletes nothing', async () => {
    const lock = await acquireLock(ROTATION_LOCK);
    try {
      const { app, world, expected } = await start();
      const before = await ids(world);
      await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
      await confirmTyped(app, expected.totals.delete);
      const f = await frameWhen(app, 'the lock message', (x) => /another run holds the lock/.test(x));
      expect(f).toContain(`pid ${process.pid}`);
      const after = await ids(world);
      expect([...before].filter((id) => !after.has(id))).toEqual([]);
    } finally {
      await lock.release();
    }
  }, 90_000);

  it('under --read-only, D opens the plan to read; only confirming it is refused', async () => {
    const { app, world } = await start({ readOnly: true });
    const before = await ids(world);
    let f = await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    expect(f).not.toContain('to confirm');
    f = await pressUntil(app, KEY.enter, 'the read-only notice', (x) => x.includes('read-only session'));
    expect(f).toContain('read-only session: deleting snapshots is turned off');
    expect(f).not.toContain('to confirm');
    expect(await ids(world)).toEqual(before);
  }, 90_000);

  it('d plans the highlighted volume only; D every volume', async () => {
    const { app, expected } = await start();
    const second = expected.volumes[1];
    await press(app, 'j');
    let f = await pressUntil(app, 'd', 'the plan', (x) => x.includes('Plan: delete'));
    expect(f).toContain(`Plan: delete ${count(second?.delete ?? 0)} snapshots`);
    expect(f).toContain(`on ${second?.volumeId}`);
    await press(app, KEY.escape);
    f = await pressUntil(app, 'D', 'the plan', (x) => x.includes('Plan: delete'));
    expect(f).toContain(`Plan: delete ${count(expected.totals.delete)} snapshots`);
  }, 90_000);
});
