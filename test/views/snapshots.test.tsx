import { describe, expect, it } from 'vitest';
import { KEY, lines, press, selectedRow, type } from './helpers.js';
import { count, pressUntil, privateSnapshotsState, start } from './snapshots-fixture.js';

privateSnapshotsState();

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
});
