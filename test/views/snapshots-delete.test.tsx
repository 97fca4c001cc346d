import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/core/lock.js';
import { planRotation, ROTATION_LOCK } from '../../src/snapshots/plan.js';
import { KEY, lines, press, selectedRow, type, waitFor } from './helpers.js';
import { confirmTyped, count, footer, frameWhen, holdDeletions, ids, pressUntil, privateSnapshotsState, SLOW, start, summaryCounts } from './snapshots-fixture.js';

privateSnapshotsState();

describe('Snapshots pane: deleting', () => {
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
