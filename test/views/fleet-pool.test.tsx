import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/core/audit.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Config } from '../../src/config/schema.js';
import { App, createSessionFor } from '../../views/App.js';
import { fleetPane } from '../../views/panes/fleet.js';
import { poolDetail } from '../../views/panes/fleet-pool.js';
import type { PoolView } from '../../src/haproxy/pool.js';
import { KEY, lines, press, track, selectedRow, testContext, type, waitFor, type Rendered, type TestContext } from './helpers.js';

/** The Fleet pane's pool: sandbox discovery, the diff, apply after confirmation, drain. */
let dir: string;
const mounted: { unmount(): void }[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-fleet-pool-'));
  // The sync lock lives under $XDG_STATE_HOME: a private one per test keeps parallel files (and a crashed run) out.
  process.env.XDG_STATE_HOME = path.join(dir, 'state');
});
afterEach(async () => {
  while (mounted.length) mounted.pop()?.unmount();
  // a pool reload started by the test's last key may still be writing under dir
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

async function start(opts: { readOnly?: boolean; config?: Partial<Config>; size?: { columns: number; rows: number } } = {}) {
  const ctx: TestContext = { ...testContext({ options: { readOnly: opts.readOnly ?? false }, ...(opts.config ? { config: opts.config } : {}) }), sandboxDir: dir };
  const store = createSessionFor(ctx, { size: opts.size ?? { columns: 120, rows: 36 }, panes: [fleetPane] });
  const app = track(render(<App ctx={ctx} store={store} panes={[fleetPane]} />), store);
  mounted.push(app);
  await waitFor(() => app.lastFrame()?.includes('pool www_farm'), 'the pool plan', app.lastFrame, 10_000);
  return { app, store, ctx };
}
const live = () => readFile(path.join(dir, 'haproxy', 'haproxy.cfg'), 'utf8');

/** a, move to Confirm, Enter: the pool applied, as a person does it. */
async function applyPool(app: Rendered): Promise<void> {
  await press(app, 'a');
  await press(app, KEY.tab);
  await press(app, KEY.enter);
  await waitFor(() => app.lastFrame()?.includes('in sync ('), 'the pool in sync after apply', app.lastFrame, 10_000);
}
const entries = (ctx: TestContext) => (ctx.audit as unknown as { entries: AuditRecord[] }).entries;

describe('Fleet pane: HAProxy pool', () => {
  it('shows the instances with their pool column, the summary and the coloured diff of the pending sync', async () => {
    const { app } = await start();
    const f = app.lastFrame() ?? '';
    expect(f).toMatch(/POOL\s+SERVER/);
    expect(f).toMatch(/web-001\s.*\+join/);
    expect(f).toMatch(/haproxy-1\s.*\bno\b/);
    // web-spare runs the app AMI but is stopped and outside the group: not a pool member.
    expect(f).toMatch(/web-spare\s.*\bno\b/);
    expect(f).toMatch(/pool www_farm: \+\d+ added \/ -0 removed \/ 0 unchanged \(0 -> \d+ servers\)/);
    expect(f).toMatch(/^\+\s+server i-[0-9a-f]{17} 127\.0\.\d+\.\d+:80 check maxconn 200/m);
    // each server line names its instance too
    expect(f).toMatch(/^\+\s+server i-[0-9a-f]{17} .* # web-\d{3}/m);
  });

  it('a asks for confirmation first; Esc writes nothing; confirming applies exactly the plan', async () => {
    const { app, ctx } = await start();
    const before = await live();
    let f = await press(app, 'a');
    expect(f).toContain('Apply HAProxy change to');
    expect(f).toMatch(/\+\d+ added/);
    f = await press(app, KEY.escape);
    expect(f).not.toContain('[ Cancel ]');
    // closing is never silent: it says nothing was done
    expect(f).toMatch(/cancelled: Apply HAProxy change to .*nothing done/);
    expect(await live()).toBe(before);
    await press(app, 'a');
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(() => app.lastFrame()?.includes('in sync ('), 'the pool in sync after apply', app.lastFrame, 10_000);
    const after = await live();
    expect(after).not.toBe(before);
    expect(after.match(/^ {4}server i-/gm)?.length).toBeGreaterThan(3);
    expect(app.lastFrame()).toMatch(/web-001\s.*\byes\b/);
    expect(entries(ctx).map((e) => `${e.action}:${e.result}`)).toEqual(['haproxy.sync:ok']);
  });

  it('d drains the selected server after confirmation and the SERVER column shows it', async () => {
    const { app, ctx } = await start();
    await applyPool(app);
    await press(app, '/');
    await type(app, 'web-002');
    await press(app, KEY.enter);
    expect(selectedRow(app.lastFrame())).toContain('web-002');
    let f = await press(app, 'd');
    expect(f).toContain('Set i-');
    expect(f).toContain('drain');
    await press(app, KEY.tab);
    f = await press(app, KEY.enter);
    await waitFor(() => /web-002\s.*DRAIN/.test(app.lastFrame() ?? ''), 'DRAIN in the row', app.lastFrame, 10_000);
    // the pool line counts servers by state, so a drained one shows from the summary too
    await waitFor(() => /in sync \(\d+ servers: sim 1 DRAIN · \d+ READY\)/.test(app.lastFrame() ?? ''), 'the DRAIN count in the pool line', app.lastFrame, 10_000);
    expect(entries(ctx).at(-1)).toMatchObject({ action: 'haproxy.server-state', result: 'ok', details: { state: 'drain', simulated: true } });
    // The rehearsal is recorded in the sandbox dir: a new session (or `haproxy status --sandbox`) still sees it.
    while (mounted.length) mounted.pop()?.unmount();
    const again = await start();
    await waitFor(() => /web-002\s.*DRAIN/.test(again.app.lastFrame() ?? ''), 'DRAIN after a restart', again.app.lastFrame, 10_000);
  });

  it('while a dialog, help or the palette is open, no key reaches the pane underneath', async () => {
    const { app, ctx } = await start();
    await applyPool(app);
    await press(app, '/');
    await type(app, 'web-00');
    await press(app, KEY.enter);
    const row = selectedRow(app.lastFrame());
    expect(row).toContain('web-001');
    const audited = entries(ctx).length;
    // a non-typed confirm (the drain dialog): j, d, m, u and a do nothing to the list or the pool
    let f = await press(app, 'd');
    expect(f).toContain('Set i-');
    for (const k of ['j', 'j', 'd', 'm', 'u', 'a']) f = await press(app, k);
    expect(f).toContain('Set i-');
    expect(f).not.toContain('Apply HAProxy change');
    f = await press(app, KEY.escape);
    expect(selectedRow(f)).toBe(row);
    // help scrolls with j, the list does not move
    await press(app, '?');
    for (const k of ['j', 'd']) await press(app, k);
    f = await press(app, KEY.escape);
    expect(selectedRow(f)).toBe(row);
    // the palette takes j and d as text
    await press(app, ':');
    for (const k of ['j', 'd']) f = await press(app, k);
    f = await press(app, KEY.escape);
    expect(selectedRow(f)).toBe(row);
    expect(f).not.toContain('Set i-');
    // nothing was drained, set or applied by any of it
    expect(entries(ctx)).toHaveLength(audited);
  });

  it('keys typed ahead act on the row the cursor moved to: "jjd" in one burst drains the third row', async () => {
    const { app } = await start();
    await applyPool(app);
    await press(app, '/');
    await type(app, 'web-00');
    let f = await press(app, KEY.enter);
    expect(selectedRow(f)).toContain('web-001');
    const third = /(i-[0-9a-f]{17}) +web-003/.exec(f ?? '')?.[1];
    expect(third).toBeDefined();
    app.stdin.write('jjd');
    f = await waitFor(() => app.lastFrame()?.includes('Set i-') && app.lastFrame(), 'the drain dialog', app.lastFrame, 10_000);
    expect(f).toContain(`Set ${third} to drain`);
    // and Enter typed ahead after a move opens the row moved to
    await press(app, KEY.escape);
    app.stdin.write('k\r');
    f = await waitFor(() => app.lastFrame()?.includes('(Esc back)') && app.lastFrame(), 'the details', app.lastFrame, 10_000);
    expect(f).toMatch(/web-002/);
    expect(f).not.toMatch(/web-003/);
  });

  it('after a failed discovery the pool is "unknown", never "in sync", and a says why nothing is applied', async () => {
    // a pool is live first, then discovery breaks (a missing pointer object)
    const first = await start();
    await applyPool(first.app);
    const liveBefore = await live();
    while (mounted.length) mounted.pop()?.unmount();

    const base = defaultConfig();
    const { app } = await start({ config: { fleet: { ...base.fleet, discovery: { amiPointer: 's3://opsdeck-sandbox/no-such-key' } } } });
    let f = app.lastFrame() ?? '';
    const servers = liveBefore.match(/^ {4}server /gm)?.length ?? 0;
    expect(servers).toBeGreaterThan(0);
    expect(f).toContain(`pool www_farm: unknown, discovery failed; live config left as is (${servers} servers)`);
    expect(f).not.toContain('in sync');
    expect(f).toMatch(/REFUSED: discovery failed/);
    f = await press(app, 'a');
    expect(f).toMatch(/discovery failed, pool left unchanged/);
    expect(f).not.toContain('nothing to apply');
    expect(await live()).toBe(liveBefore);
  });

  it('help at 80x24 shows every key\'s whole description, wrapped rather than cut', async () => {
    const { app } = await start({ size: { columns: 80, rows: 24 } });
    let text = '';
    let f = await press(app, '?');
    for (let i = 0; i < 10; i++) {
      text += `${f ?? ''}\n`;
      if (!/j\/k scroll/.test(f ?? '')) break;
      f = await press(app, 'j');
    }
    for (const l of lines(f)) expect(l.length).toBeLessThanOrEqual(80);
    // the words of each title, in order, across its continuation lines
    const flat = text.replace(/[│╭╮╰╯─]/g, ' ').replace(/\s+/g, ' ');
    for (const title of ['Apply past the removal/empty guards (typed confirmation)', 'Put the selected server in maintenance', 'Set the selected server ready']) {
      expect(flat).toContain(title);
    }
  });

  it('a plan made before the live file changed is refused at confirm: nothing written, says why', async () => {
    const { app, ctx } = await start();
    const f = await press(app, 'a');
    // the test clock stands at T0 (12:00:00 UTC)
    expect(f).toContain('planned at 12:00:00 UTC (refused if the live file changed since)');
    // Someone edits the live config while the dialog is open.
    const edited = `${await live()}# hand edit during an incident\n`;
    await writeFile(path.join(dir, 'haproxy', 'haproxy.cfg'), edited);
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(() => app.lastFrame()?.includes('changed since the plan was made'), 'the stale-plan refusal', app.lastFrame, 10_000);
    expect(app.lastFrame()).toMatch(/not applied: .*haproxy\.cfg changed since the plan was made/);
    expect(await live()).toBe(edited);
    expect(entries(ctx).filter((e) => e.result === 'ok')).toEqual([]);
  });

  it('on the sandbox the SERVER column says the states are simulated, not a made-up health', async () => {
    const { app } = await start();
    await applyPool(app);
    const f = app.lastFrame() ?? '';
    expect(f).toMatch(/applied \+\d+ added \/ -0 removed .*reload simulated/);
    expect(f).toMatch(/web-001\s.*\byes\s+sim ready/);
    expect(f).not.toMatch(/web-001\s.*\bUP\b/);
    expect(f).toContain('sandbox: no runtime API, server states simulated');
  });

  it('a refused removal: a says why and points at F; F shows the override and needs the typed count; applies exactly that', async () => {
    // A pool of 12 where discovery finds 5 or so: more than half would go.
    const { app: first } = await start();
    await press(first, 'a');
    await press(first, KEY.tab);
    await press(first, KEY.enter);
    await waitFor(() => first.lastFrame()?.includes('in sync ('), 'apply', first.lastFrame, 10_000);
    first.unmount();
    const file = path.join(dir, 'haproxy', 'haproxy.cfg');
    const extra = Array.from({ length: 12 }, (_, n) => `    server i-${String(n).padStart(17, '0')} 127.0.9.${n}:80 check maxconn 200\n`).join('');
    await writeFile(file, (await live()) + extra);
    const padded = await live();
    const { app, ctx } = await start();
    expect(app.lastFrame()).toMatch(/REFUSED \(F reviews an override\): the change removes 12 of \d+ servers/);
    let f = await press(app, 'a');
    expect(f).toMatch(/refused without --force · F reviews and applies it anyway/);
    expect(await live()).toBe(padded);
    await press(app, 'F');
    // F plans again (fresh discovery, guards overridden) before asking.
    await waitFor(() => app.lastFrame()?.includes('OVERRIDING'), 'the override dialog', app.lastFrame, 10_000);
    f = app.lastFrame() ?? '';
    expect(f).toMatch(/OVERRIDING: removes 12 of \d+ servers/);
    expect(f).not.toContain('allowed by --force');
    expect(f).toContain('Type 12 to confirm');
    await type(app, '12');
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(() => app.lastFrame()?.includes('in sync ('), 'the forced apply', app.lastFrame, 10_000);
    expect(await live()).not.toMatch(/127\.0\.9\./);
    expect(entries(ctx).at(-1)).toMatchObject({ action: 'haproxy.sync', result: 'ok', details: { removed: 12, overridden: [expect.stringMatching(/^removes 12 of \d+ servers/)] } });
  });

  it('Enter on an instance spells out its pool membership and what the pending sync does to it', async () => {
    const { app } = await start();
    await press(app, '/');
    await type(app, 'web-001');
    await press(app, KEY.enter);
    const f = await press(app, KEY.enter);
    expect(f).toMatch(/pool\s+not a server; joins with the pending sync/);
    expect(f).toMatch(/server\s+-/);
  });

  it('a two-row message on a 60x16 terminal takes rows from the table, not the pool summary it is about', async () => {
    const { app } = await start({ readOnly: true, size: { columns: 60, rows: 16 } });
    expect(app.lastFrame()).toContain('pool www_farm');
    const f = await press(app, 'a');
    const rows = lines(f);
    expect(rows).toHaveLength(15);
    expect(rows.slice(-3, -1).join(' ')).toMatch(/^read-only session: applying the HAProxy change is turned off/);
    // and the keys stay under it
    expect(rows.at(-1)).toContain('? help');
    expect(f).toContain('pool www_farm');
  });

  it('read-only: a and d are off the footer, marked off in help, and say why when pressed', async () => {
    const { app } = await start({ readOnly: true });
    const before = await live();
    const footer = (frame: string | undefined): string => lines(frame).filter(Boolean).at(-1) ?? '';
    // a message takes the rows above the keys
    const message = (frame: string | undefined): string => lines(frame).filter(Boolean).at(-2) ?? '';
    expect(footer(app.lastFrame())).toContain('r refresh');
    expect(footer(app.lastFrame())).not.toMatch(/\ba apply|\bd drain/);
    const panel = await waitFor(() => app.lastFrame()?.includes('pool www_farm') && (app.lastFrame() ?? ''), 'the pool plan', app.lastFrame);
    expect(lines(panel).find((l) => l.includes('haproxy -c:'))).toMatch(/^read-only · haproxy -c:/);
    expect(panel).not.toContain('a applies');
    let f = await press(app, 'a');
    expect(message(f)).toMatch(/read-only/);
    expect(footer(f)).toContain('r refresh');
    expect(f).not.toContain('Apply HAProxy change to');
    f = await press(app, 'd');
    expect(message(f)).toMatch(/read-only session: .* is turned off/);
    expect(f).not.toContain(`Set i-`);
    f = await press(app, '?');
    // (help wraps a long description onto the next line of its column)
    expect(f).toMatch(/a +Apply the HAProxy pool change \(off: read-only/);
    expect(f).toMatch(/d +Drain the selected server \(off: read-only/);
    expect(await live()).toBe(before);
  });
});

describe('poolDetail', () => {
  it('gives discovery\'s reason for an instance left out of the pool', () => {
    const view = { plan: { problems: [{ instanceId: 'i-0123456789abcdef0', reason: 'has no private IPv4 address' }], summary: { added: [], removed: [], changed: [] } }, inPool: new Map() } as unknown as PoolView;
    expect(poolDetail(view, 'i-0123456789abcdef0')).toBe('left out: has no private IPv4 address');
  });
});
