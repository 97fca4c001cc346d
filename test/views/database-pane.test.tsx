import React from 'react';
import { render } from 'ink-testing-library';
import chalk from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import { App, createSessionFor } from '../../views/App.js';
import { DATABASE_LEGEND } from '../../views/panes/database.js';
import { KEY, lines, press, testContext, track, waitFor } from './helpers.js';

/** The Database pane on the sandbox: health by colour and mark, the broken replica singled out, details and topology. */
const mounted: { unmount(): void }[] = [];
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
});

async function start(columns = 100, rows = 30) {
  const ctx = testContext();
  const store = createSessionFor(ctx, { size: { columns, rows }, initialPane: 'database' });
  const app = track(render(<App ctx={ctx} store={store} />), store);
  mounted.push(app);
  await waitFor(() => app.lastFrame()?.includes('3 servers'), 'the servers', app.lastFrame, 20_000);
  return { app, ctx };
}

describe('Database pane', () => {
  it('lists every server with its verdict; the broken replica is marked and says why', async () => {
    const { app } = await start();
    const f = lines(app.lastFrame()).join('\n');
    expect(f).toContain('3 servers · 1 need attention');
    expect(f).toMatch(/primary\s+✓ ok\s+source/);
    expect(f).toMatch(/replica\s+[✓~] (ok|lagging)\s+replica\s+Yes\/Yes\s+\d+s/);
    expect(f).toMatch(/replica-2\s+✗ broken\s+replica\s+Yes\/No\s+NULL/);
  });

  it('Enter shows a server in full with the replication error and the topology; Esc goes back', async () => {
    const { app } = await start();
    await press(app, 'G');
    const f = lines(await press(app, KEY.enter)).join('\n');
    expect(f.replace(/\s+/g, ' ')).toContain("last error SQL error 1062: Could not execute Write_rows_v1 event on table shop.orders; Duplicate entry '9' for key 'PRIMARY'");
    expect(f).toContain('replicates from  mysql-primary:3306');
    expect(f).toContain('gtid position    0-1-47750');
    expect(f).toMatch(/topology\n\s+primary\n\s+├─ replica\s+(ok|lagging).*\n\s+└─ replica-2\s+broken/);
    expect(lines(await press(app, KEY.escape)).join('\n')).toContain('3 servers');
  });

  it('d compares a replica with its source: the seed\'s lesson, temp table sizes not carried over', async () => {
    const { app } = await start();
    await press(app, 'j');
    const f = lines(await press(app, 'd')).join('\n');
    expect(f).toContain('drift: replica against its source primary (2 variables differ)');
    expect(f).toMatch(/tmp_table_size\s+67108864\s+16777216\s+in-memory temporary tables/);
    expect(lines(await press(app, KEY.escape)).join('\n')).toContain('3 servers');
    // the source has nothing to compare with: the footer says how to check its my.cnf instead
    await press(app, 'g');
    expect(lines(await press(app, 'd')).join('\n')).toContain('primary is not a replica of a server in the list');
  });

  it('the drift table keeps each value under its server at 80 and 60 columns, the reason wrapped apart from them', async () => {
    for (const [columns, rows] of [[80, 24], [60, 16]] as const) {
      const { app } = await start(columns, rows);
      await press(app, 'G');
      const f = lines(await press(app, 'd'));
      if (columns >= 80) expect(f.join('\n')).toContain('drift: replica-2 against its source primary (1 variable differs)');
      const head = f.find((l) => l.startsWith('VARIABLE')) ?? '';
      const values = f.find((l) => /^(innodb_flush_log_at_trx_commit)?\s+1\s+2(\s|$)/.test(l)) ?? '';
      // the primary's 1 under PRIMARY, the replica's 2 under REPLICA-2
      expect(values[head.indexOf('PRIMARY')]).toBe('1');
      expect(values[head.indexOf('REPLICA-2')]).toBe('2');
      const why = f.join(' ').replace(/\s+/g, ' ');
      expect(why).toContain('1 flushes the redo log at every commit (durable); 0 or 2 lose up to a second of commits on a crash');
      expect(f.every((l) => l.length <= columns)).toBe(true);
      while (mounted.length) mounted.pop()?.unmount();
    }
  });

  it('d from a replica\'s details opens its drift against the source; Esc comes back to the details', async () => {
    const { app } = await start();
    await press(app, 'j');
    await waitFor(() => lines(app.lastFrame()).some((l) => l.startsWith('› replica ')) || undefined, 'replica selected', app.lastFrame);
    expect(lines(await press(app, KEY.enter)).join('\n')).toContain('replicates from  mysql-primary:3306');
    expect(lines(await press(app, 'd')).join('\n')).toContain('drift: replica against its source primary (2 variables differ)');
    expect(lines(await press(app, KEY.escape)).join('\n')).toContain('replicates from  mysql-primary:3306');
  });

  it('a broken replica shows on the Database tab from any other pane', async () => {
    const { app } = await start();
    const f = lines(await press(app, '2'));
    expect(f[1]).toMatch(/6 Database.*1 broken/);
  });

  it('fits 80x24: the verdict survives when columns are dropped', async () => {
    const { app } = await start(80, 24);
    const f = lines(app.lastFrame());
    expect(f.every((l) => l.length <= 80)).toBe(true);
    expect(f.join('\n')).toMatch(/replica-2\s+✗ broken/);
  });

  it('fits 60x16 with the reason still readable: the sparkline and RO give way first', async () => {
    const { app } = await start(60, 16);
    const f = lines(app.lastFrame());
    expect(f.every((l) => l.length <= 60)).toBe(true);
    const header = f.find((l) => l.includes('SERVER')) ?? '';
    expect(header).toMatch(/ROLE\s+IO\/SQL\s+LAG\s+WHY/);
    expect(header).not.toContain('LAG HISTORY');
    const broken = f.find((l) => l.includes('replica-2')) ?? '';
    // the broken replica's role whole and at least 14 letters of its reason
    expect(broken).toMatch(/replica\s+Yes\/No\s+NULL\s+\S.{13}/);
  });

  it('at 60x16 a broken replica\'s details fit the frame and scroll: the whole error and the topology are reachable', async () => {
    const { app } = await start(60, 16);
    await press(app, 'G');
    let f = lines(await press(app, KEY.enter));
    // the rows between the title and the scroll position; each j brings one more in at the bottom
    const body = (frame: string[]): string[] => frame.slice(3, frame.findIndex((l) => /^lines \d+-\d+ of \d+/.test(l)));
    const rows = body(f);
    for (let i = 0; i < 30 && !/lines \d+-(\d+) of \1 /.test(f.join('\n')); i++) {
      f = lines(await press(app, 'j'));
      expect(f.length).toBeLessThanOrEqual(16);
      expect(f.every((l) => l.length <= 60)).toBe(true);
      rows.push(body(f).at(-1) ?? '');
    }
    const all = rows.join('\n');
    expect(all).toMatch(/└─ replica-2\s+broken/);
    const at = rows.findIndex((l) => l.startsWith('last error'));
    const rest = rows.slice(at + 1);
    const error = [rows[at], ...rest.slice(0, rest.findIndex((l) => !/^\s{17}\S/.test(l)))].join(' ').replace(/\s+/g, ' ');
    expect(error).toBe("last error SQL error 1062: Could not execute Write_rows_v1 event on table shop.orders; Duplicate entry '9' for key 'PRIMARY'");
    // a label never runs into another row's value
    expect(all).toMatch(/^server_id\s+3$/m);
  });

  it('the lag history grows by a read per refresh, follows the simulated load, and shows a NULL lag as ×, never as a 0', async () => {
    const { app, ctx } = await start();
    const row = (f: string | undefined, name: string): string => lines(f).find((l) => l.slice(2).startsWith(`${name} `)) ?? '';
    const history = (f: string | undefined, name: string): string => /[▁▂▃▄▅▆▇█×]+/.exec(row(f, name))?.[0] ?? '';
    expect([history(app.lastFrame(), 'replica'), history(app.lastFrame(), 'replica-2')]).toEqual(['█', '×']);
    // the sandbox replica is 17s behind at noon, 25s at 14:00 (the afternoon peak), 6s at 22:00
    const after = async (hours: number, reads: number): Promise<string> => {
      ctx.clock.advance(hours * 3_600_000);
      await press(app, 'r');
      return waitFor(() => history(app.lastFrame(), 'replica').length === reads && app.lastFrame(), `read ${reads}`, app.lastFrame);
    };
    let f = await after(2, 2);
    expect(row(f, 'replica')).toMatch(/\s25s\s+▆█\s/);
    f = await after(8, 3);
    expect(row(f, 'replica')).toMatch(/\s6s\s+▆█▃\s/);
    // the broken replica's lag was NULL at every read: its history says so instead of looking in step
    expect(history(f, 'replica-2')).toBe('×××');
    // the source has no lag to draw
    expect(history(f, 'primary')).toBe('');
    // in full, the same history
    await press(app, 'j');
    expect(lines(await press(app, KEY.enter)).join('\n')).toMatch(/lag history\s+▆█▃$/m);
  });

  it('colours each row by its verdict: the source green, the broken replica red', async () => {
    const level = chalk.level;
    chalk.level = 1;
    let raw: string;
    try {
      const { app } = await start();
      raw = (await press(app, 'r')) ?? '';
    } finally {
      chalk.level = level;
    }
    const line = (name: string): string => raw.split('\n').find((l) => l.replace(/\x1b\[[0-9;]*m/g, '').slice(2).startsWith(`${name} `)) ?? '';
    expect(line('primary')).toMatch(/\x1b\[32m[^\x1b]*primary/);
    expect(line('replica-2')).toMatch(/\x1b\[31m[^\x1b]*replica-2/);
    expect(line('replica-2')).not.toContain('\x1b[32m');
    // the replica is 17s behind at the test's noon: ok, green (lagging starts above 30s)
    expect(line('replica')).toMatch(/\x1b\[32m[^\x1b]*replica/);
  });

  it('? explains every verdict mark in the colour its rows use, and the lag columns', async () => {
    const level = chalk.level;
    chalk.level = 1; // colours on, as in a terminal: the marks' colours are what is checked
    let raw: string;
    try {
      // 38 rows: the legend's last line (RO) stays on screen below the × line
      const { app } = await start(100, 38);
      raw = (await press(app, '?')) ?? '';
    } finally {
      chalk.level = level;
    }
    const f = lines(raw).join('\n');
    for (const e of DATABASE_LEGEND) expect(f).toContain(e.meaning.slice(0, 30));
    // the broken mark is drawn red in the legend, as the broken row is on the pane
    const broken = raw.split('\n').find((l) => l.includes('✗') && l.includes('broken:')) ?? '';
    expect(broken).toMatch(/\x1b\[31m✗/);
    const lagging = raw.split('\n').find((l) => l.includes('lagging:')) ?? '';
    expect(lagging).toMatch(/\x1b\[33m~/);
  });
});
