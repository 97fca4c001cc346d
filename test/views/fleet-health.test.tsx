import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import chalk from 'chalk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serverHealth, serverStateText } from '../../src/haproxy/health.js';
import type { PoolView } from '../../src/haproxy/pool.js';
import type { LiveServer } from '../../src/haproxy/runtime.js';
import { syncSettings } from '../../src/haproxy/sandbox.js';
import { setSandboxServerState } from '../../src/haproxy/sandbox-state.js';
import { App, createSessionFor } from '../../views/App.js';
import { fitColumns } from '../../views/components/table-layout.js';
import { fleetPane } from '../../views/panes/fleet.js';
import { HEALTH_LEVELS, rowHealth } from '../../views/panes/fleet-health.js';
import type { Instance } from '../../src/cloud/ports.js';
import { KEY, lines, press, testContext, track, type, waitFor, type TestContext } from './helpers.js';

/** Health at a glance: row colour and symbol by the worst of EC2 state, admin state and check health. */
let dir: string;
// Colour is the point here: ink draws none without a colour terminal, so ask for 16 colours.
const level = chalk.level;
beforeAll(() => {
  chalk.level = 1;
});
afterAll(() => {
  chalk.level = level;
});
const mounted: { unmount(): void }[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-fleet-health-'));
  process.env.XDG_STATE_HOME = path.join(dir, 'state');
});
afterEach(async () => {
  while (mounted.length) mounted.pop()?.unmount();
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

const SIZES = [
  { columns: 120, rows: 36 },
  { columns: 80, rows: 24 },
  { columns: 60, rows: 16 },
];
const symbol = (level: string): string => HEALTH_LEVELS.find((h) => h.level === level)?.symbol ?? '?';
const colour = (level: string): string => HEALTH_LEVELS.find((h) => h.level === level)?.color ?? '?';

/** The sandbox pool applied, then web-002 in maintenance and web-003 draining, as an operator leaves them. */
async function startWithStates(size: { columns: number; rows: number }) {
  const ctx: TestContext = { ...testContext(), sandboxDir: dir };
  const store = createSessionFor(ctx, { size, panes: [fleetPane] });
  const app = track(render(<App ctx={ctx} store={store} panes={[fleetPane]} />), store);
  mounted.push(app);
  await waitFor(() => app.lastFrame()?.includes('pool www_farm'), 'the pool plan', app.lastFrame, 10_000);
  await press(app, 'a');
  await press(app, KEY.tab);
  await press(app, KEY.enter);
  await waitFor(() => app.lastFrame()?.includes('in sync ('), 'the pool in sync', app.lastFrame, 10_000);
  const cloud = await ctx.cloud();
  const byName = new Map((await cloud.compute.describeInstances({})).map((i) => [i.name, i.id]));
  const settings = await syncSettings(ctx.config, dir);
  await setSandboxServerState(settings, 'www_farm', byName.get('web-002') ?? '', 'maint');
  await setSandboxServerState(settings, 'www_farm', byName.get('web-003') ?? '', 'drain');
  await press(app, 'r');
  await waitFor(() => /MAINT/.test(app.lastFrame() ?? '') && !/refreshing/.test(app.lastFrame() ?? ''), 'the states after refresh', app.lastFrame, 10_000);
  return { app, store };
}

describe('Fleet pane: health as a signal', () => {
  for (const size of SIZES) {
    it(`at ${size.columns}x${size.rows} a MAINT and a DRAIN server differ from a ready one in symbol, SERVER cell and colour`, async () => {
      const { app } = await startWithStates(size);
      // narrow the table to the three rows so they are on screen at 60x16 too
      await press(app, '/');
      await type(app, 'web-00');
      const f = await press(app, KEY.enter);
      const row = (name: string): string => lines(f).find((l) => l.includes(name)) ?? '';
      expect(row('web-001')).toMatch(new RegExp(`^[› ] ${symbol('up')} .*sim ready`));
      expect(row('web-002')).toMatch(new RegExp(`^[› ] ${symbol('maint')} .*sim MAINT`));
      expect(row('web-003')).toMatch(new RegExp(`^[› ] ${symbol('drain')} .*sim DRAIN`));
      // the colour too, for those who read colour first
      const raw = (name: string): string => f.split('\n').find((l) => l.includes(name)) ?? '';
      const ansi = { green: 32, magenta: 35, yellow: 33 } as Record<string, number>;
      expect(raw('web-001')).toContain(`\x1b[${ansi[colour('up')]}m`);
      expect(raw('web-002')).toContain(`\x1b[${ansi[colour('maint')]}m`);
      expect(raw('web-003')).toContain(`\x1b[${ansi[colour('drain')]}m`);
    });
  }

  it('? lists every row colour and symbol, from the same table the rows use', async () => {
    const { app } = await startWithStates({ columns: 120, rows: 36 });
    const f = await press(app, '?');
    const legend = lines(f).join('\n');
    for (const h of HEALTH_LEVELS) expect(legend).toMatch(new RegExp(`${h.symbol} +${h.meaning.slice(0, 20).replace(/[()]/g, '.')}`));
    // each symbol in its row colour
    const raw = f.split('\n').find((l) => l.includes(symbol('maint')) && l.includes('maintenance')) ?? '';
    expect(raw).toMatch(/\x1b\[35m■/);
    // the POOL values further down: help scrolls
    const more = lines(await press(app, KEY.pageDown)).join('\n');
    for (const mark of ['+join', '-leave', '~yes', '!skip']) expect(more).toContain(mark);
  });

  it('Enter shows the server state and the last check in the details', async () => {
    const { app } = await startWithStates({ columns: 80, rows: 24 });
    await press(app, '/');
    await type(app, 'web-002');
    await press(app, KEY.enter);
    const f = lines(await press(app, KEY.enter)).join('\n');
    expect(f).toMatch(/server\s+sim MAINT/);
    expect(f).toMatch(/last check\s+none: nothing checks health on the sandbox/);
  });
});

describe('Fleet pane: palette commands with arguments', () => {
  it(':drain NAME lists the matching servers, confirms, and drains that one wherever the cursor is', async () => {
    const { app } = await startWithStates({ columns: 80, rows: 24 });
    await press(app, ':');
    let f = await type(app, 'drain web-00');
    expect(f).toMatch(/drain web-001 i-/);
    f = await type(app, '1');
    const row = lines(f).find((l) => /drain web-001 i-/.test(l)) ?? '';
    const id = row.match(/i-[0-9a-f]+/)?.[0] ?? '';
    await press(app, KEY.tab);
    f = await press(app, KEY.enter);
    expect(f).toContain(`Set ${id} to drain`);
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(() => /web-001\s.*sim DRAIN/.test(app.lastFrame() ?? ''), 'web-001 drained', app.lastFrame, 10_000);
  });

  it('the details offer the row\'s actions: u from web-003\'s details sets it ready', async () => {
    const { app } = await startWithStates({ columns: 80, rows: 24 });
    await press(app, ':');
    await type(app, 'instance web-003');
    await press(app, KEY.enter);
    let f = await press(app, '?');
    expect(f).toMatch(/d +Drain this server/);
    await press(app, KEY.escape);
    f = await press(app, 'u');
    expect(f).toMatch(/Set i-\w+ to ready/);
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(() => /server\s+sim ready/.test(lines(app.lastFrame()).join('\n')), 'web-003 ready in its details', app.lastFrame, 10_000);
  });

  it(':instance NAME jumps to the instance and opens its details', async () => {
    const { app } = await startWithStates({ columns: 80, rows: 24 });
    await press(app, ':');
    await type(app, 'instance web-003');
    const f = lines(await press(app, KEY.enter)).join('\n');
    expect(f).toMatch(/name\s+web-003/);
    expect(f).toMatch(/server\s+sim DRAIN/);
  });
});

describe('health levels', () => {
  const live = (over: Partial<LiveServer>): LiveServer => ({ backend: 'www', name: 'i-1', address: '127.0.0.1', port: 80, admin: 'ready', status: 'UP', check: 'L7OK', ...over });
  const inst = (state: string): Instance => ({ id: 'i-1', state, tags: {} }) as Instance;
  const view = (s: LiveServer): PoolView => ({ live: new Map([['i-1', s]]) }) as unknown as PoolView;

  it('the SERVER cell shows admin state and health apart: DRAIN·DOWN, MAINT, UP', () => {
    expect(serverStateText(live({}))).toBe('UP');
    expect(serverStateText(live({ status: 'DOWN', check: 'L4CON' }))).toBe('DOWN');
    expect(serverStateText(live({ admin: 'drain', status: 'DRAIN', check: 'L4CON' }))).toBe('DRAIN·DOWN');
    expect(serverStateText(live({ admin: 'drain', status: 'DRAIN', check: 'L7OK' }))).toBe('DRAIN·UP');
    expect(serverStateText(live({ admin: 'maint', status: 'MAINT', check: '' }))).toBe('MAINT');
    expect(serverStateText(live({ status: 'no check', check: '' }))).toBe('no check');
    expect(serverHealth(live({ status: 'UP 1/3', check: 'L4TOUT' }))).toBe('UP');
  });

  it('the row takes the worst of EC2 state, admin state and health', () => {
    expect(rowHealth(inst('running'), view(live({})))).toBe('up');
    expect(rowHealth(inst('running'), view(live({ status: 'DOWN', check: 'L7STS' })))).toBe('down');
    expect(rowHealth(inst('running'), view(live({ admin: 'drain', status: 'DRAIN', check: 'L4CON' })))).toBe('down');
    expect(rowHealth(inst('running'), view(live({ admin: 'maint', status: 'MAINT' })))).toBe('maint');
    expect(rowHealth(inst('running'), view(live({ admin: 'drain', status: 'DRAIN' })))).toBe('drain');
    expect(rowHealth(inst('stopped'), view(live({ status: 'DOWN', check: 'L4CON' })))).toBe('down');
    expect(rowHealth(inst('stopped'), undefined)).toBe('off');
    expect(rowHealth(inst('pending'), undefined)).toBe('drain');
    expect(new Set(HEALTH_LEVELS.map((h) => h.color)).size).toBe(HEALTH_LEVELS.length);
    expect(colour('down')).toBe('red');
  });

  it('on a narrow terminal the health columns are the last to go, and the name outlasts the id', () => {
    const cols = [
      { key: 'health', title: '', get: () => '●', minWidth: 1, maxWidth: 1, priority: 12 },
      { key: 'id', title: 'ID', get: () => 'i-0123456789abcdef0', minWidth: 19, priority: 9 },
      { key: 'name', title: 'NAME', get: () => 'web-001', minWidth: 8, priority: 10 },
      { key: 'server', title: 'SERVER', get: () => 'DRAIN·DOWN', minWidth: 9, priority: 11 },
    ];
    expect(fitColumns(cols, [{}], 30).map((c) => c.column.key)).toEqual(['health', 'name', 'server']);
    expect(fitColumns(cols, [{}], 14).map((c) => c.column.key)).toEqual(['health', 'server']);
  });
});
