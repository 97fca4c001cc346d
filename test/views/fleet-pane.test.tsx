import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { OpsError } from '../../src/core/errors.js';
import { App, createSessionFor } from '../../views/App.js';
import { fleetPane } from '../../views/panes/fleet.js';
import { placeholderPane } from './placeholder-pane.js';
import { fakeCloud, KEY, lines, makeInstances, press, track, selectedRow, testContext, type, waitFor, type TestContext } from './helpers.js';

/** The Fleet pane in the shell, on the sandbox world (or a controlled cloud where a test needs one). */
const mounted: { unmount(): void }[] = [];
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
});

async function start(ctx: TestContext = testContext(), waitRows = true) {
  const store = createSessionFor(ctx, { size: { columns: 100, rows: 24 }, panes: [fleetPane] });
  const app = track(render(<App ctx={ctx} store={store} panes={[fleetPane]} />), store);
  mounted.push(app);
  if (waitRows) await waitFor(() => selectedRow(app.lastFrame()), 'the fleet table', app.lastFrame);
  return { app, store, ctx };
}

/** Rows start with the selection marker and the health symbol. */
const tableRows = (frame: string | undefined): string[] => lines(frame).filter((l) => /^[› ] \S i-/.test(l));

describe('Fleet pane on the sandbox', () => {
  it('lists every instance with its name, state, zone, type, address and age', async () => {
    const { app } = await start();
    const f = app.lastFrame() ?? '';
    expect(tableRows(f)).toHaveLength(13);
    expect(f).toMatch(/haproxy-1\s+running\s+us-east-1a\s+c5\.large\s+127\.0\.0\.10\s+210d/);
    expect(f).toMatch(/web-spare\s+stopped/);
    expect(lines(f)[0]).toContain('refreshed 0s ago');
  });

  it('follows the world on refresh: the Auto Scaling group moves with its load curve', async () => {
    const { app, ctx } = await start();
    expect(app.lastFrame()).not.toContain('web-011');
    ctx.clock.advance(6 * 3_600_000);
    await press(app, 'r');
    await waitFor(() => tableRows(app.lastFrame()).length === 16, 'the refreshed fleet', app.lastFrame);
    expect(app.lastFrame()).toMatch(/web-011\s+terminated/);
  });

  it('/ narrows the fleet table as you type; Esc clears the filter', async () => {
    const { app } = await start();
    await press(app, '/');
    let f = await type(app, 'mysql');
    expect(tableRows(f).map((l) => l.match(/mysql-\w+/)?.[0])).toEqual(['mysql-primary', 'mysql-replica']);
    f = await type(app, ' rep');
    expect(tableRows(f)).toHaveLength(1);
    expect(selectedRow(f)).toContain('mysql-replica');
    f = await press(app, KEY.escape);
    expect(tableRows(f)).toHaveLength(13);
  });

  it('the filter says how many match, keeps a selected row that still matches, and clearing it keeps the row it selected', async () => {
    const { app } = await start();
    await press(app, 'G');
    const last = selectedRow(app.lastFrame())?.match(/i-\w+/)?.[0] ?? '';
    expect(last).not.toBe('');
    // a filter the selected row matches keeps it selected
    await press(app, '/');
    let f = await type(app, last.slice(-6));
    expect(f).toMatch(/1 of 13 instances match/);
    expect(selectedRow(f)).toContain(last);
    f = await press(app, KEY.escape);
    expect(selectedRow(f)).toContain(last);
    // one that hides it selects the first match, and Esc stays there rather than jumping back
    await press(app, '/');
    f = await type(app, 'mysql');
    expect(f).toMatch(/2 of 13 instances match "mysql"/);
    f = await press(app, KEY.enter);
    expect(selectedRow(f)).toContain('mysql-primary');
    f = await press(app, 'j');
    expect(selectedRow(f)).toContain('mysql-replica');
    await press(app, '/');
    f = await press(app, KEY.escape);
    expect(tableRows(f)).toHaveLength(13);
    expect(selectedRow(f)).toContain('mysql-replica');
  });

  it('y copies the selected instance id with OSC 52 and says so', async () => {
    const { app } = await start();
    await press(app, 'j');
    const id = selectedRow(app.lastFrame())?.match(/i-\w+/)?.[0] ?? '';
    const before = app.frames?.length ?? 0;
    await press(app, 'y');
    const sent = (app.frames ?? []).slice(before);
    expect(sent.join('')).toContain(`\x1b]52;c;${Buffer.from(id).toString('base64')}\x07`);
    // (under CI ink writes the sequence as a frame of its own; a terminal redraws the screen after it)
    const f = sent.filter((x) => !x.startsWith('\x1b]52')).at(-1) ?? '';
    expect(f).toContain(`copied ${id}`);
    // the frame is still the pane
    expect(selectedRow(f)).toContain(id);
  });

  it('Enter shows an instance in full, Esc comes back', async () => {
    const { app } = await start();
    await press(app, 'j');
    let f = await press(app, KEY.enter);
    expect(f).toMatch(/mysql-primary/);
    expect(f).toMatch(/MysqlRole\s+primary/);
    expect(f).toMatch(/ami-\w+/);
    f = await press(app, KEY.escape);
    expect(selectedRow(f)).toContain('mysql-primary');
  });
});

describe('Fleet pane: sorting', () => {
  it('s sorts by id in plain text order (hex ids), then by name in natural order (web-9 before web-10)', async () => {
    const base = makeInstances(3);
    const rows = [
      { ...base[0]!, id: 'i-0be9c00000000000a', name: 'web-10', tags: { Name: 'web-10' } },
      { ...base[1]!, id: 'i-03d2000000000000b', name: 'web-2', tags: { Name: 'web-2' } },
      { ...base[2]!, id: 'i-0914000000000000c', name: 'web-9', tags: { Name: 'web-9' } },
    ];
    const { app } = await start(testContext({ cloud: fakeCloud(() => rows) }));
    const order = (f: string): string[] => tableRows(f).map((l) => l.slice(4).split(/\s+/)[0] ?? '');
    const names = (f: string): string[] => tableRows(f).map((l) => l.slice(4).split(/\s+/)[1] ?? '');
    let f = await press(app, 's');
    expect(f).toContain('sorted by id ↑');
    expect(order(f)).toEqual(['i-03d2000000000000b', 'i-0914000000000000c', 'i-0be9c00000000000a']);
    f = await press(app, 's');
    expect(f).toContain('sorted by name ↑');
    expect(names(f)).toEqual(['web-2', 'web-9', 'web-10']);
    f = await press(app, 'S');
    expect(names(f)).toEqual(['web-10', 'web-9', 'web-2']);
  });
});

describe('Fleet pane: instance details', () => {
  it('wraps long tag values, gives an over-long key its own row, and scrolls to tags below the screen', async () => {
    const [inst] = makeInstances(1);
    const arn = 'arn:aws:cloudformation:us-east-1:123456789012:stack/opsdeck-web-production/0f7a1b2c-3d4e-5f60-7182-93a4b5c6d7e8';
    const description =
      'Primary edge load balancer for the www farm; owned by team-traffic, paged via PD service P123ABC; drain before any kernel update, never during the nightly backup window; the health check hits /healthz on port 8080 every 2 s and marks a server down after 3 failures; see runbook https://wiki.example.com/display/OPS/haproxy-edge-runbook';
    const tags: Record<string, string> = { Name: 'app-000', Description: description, 'aws:cloudformation:stack-id': arn };
    for (let i = 0; i < 30; i++) tags[`team:tag-${String(i).padStart(2, '0')}`] = `value-${i}`;
    tags['kubernetes.io/cluster/opsdeck-production-eks-cluster'] = 'owned';
    const { app } = await start(testContext({ cloud: fakeCloud(() => [{ ...inst!, tags }]) }));
    let f = await press(app, KEY.enter);
    expect(f).toMatch(/lines 1-\d+ of \d+ \(j\/k scroll\)/);
    expect(f).not.toContain('team:tag-29');
    // an ARN has no spaces: it is cut across rows, beside its key
    const rows = lines(f);
    const at = rows.findIndex((l) => l.startsWith('tag aws:cloudformation:stack-id'));
    expect(at).toBeGreaterThan(0);
    const value = [rows[at]!.slice('tag aws:cloudformation:stack-id'.length), rows[at + 1]!].map((l) => l.trim()).join('');
    expect(value).toBe(arn);
    // a long value is wrapped whole (the view scrolls): its last word, the runbook URL, is there
    const d = rows.findIndex((l) => l.startsWith('tag Description'));
    const text = rows.slice(d, at).map((l, i) => (i === 0 ? l.slice('tag Description'.length) : l).trim()).join(' ');
    expect(text).toBe(description);
    f = await press(app, 'G');
    expect(f).toMatch(/tag team:tag-29\s+value-29/);
    // wider than the label column (40% of 100): on a row of its own, whole, then its value
    const end = lines(f);
    const key = end.findIndex((l) => l === 'tag kubernetes.io/cluster/opsdeck-production-eks-cluster');
    expect(key).toBeGreaterThan(0);
    expect(end[key + 1]?.trim()).toBe('owned');
    for (const l of end) expect(l.length).toBeLessThanOrEqual(100);
    f = await press(app, 'g');
    expect(f).toMatch(/^id\s+i-/m);
    f = await press(app, KEY.escape);
    expect(selectedRow(f)).toContain('app-000');
  });
});

describe('Fleet pane: hostile API values', () => {
  it('a tag value with escape sequences and newlines cannot break the table or the details view', async () => {
    const [inst] = makeInstances(1);
    const evil = { ...inst!, name: 'x\x1b[2J\nserver evil', tags: { Name: 'x\x1b[2J\nserver evil', Note: 'a\r\n\x1b]0;pwned\x07b' } };
    const { app } = await start(testContext({ cloud: fakeCloud(() => [evil]) }));
    expect(app.lastFrame()).not.toContain('\x1b[2J');
    const f = await press(app, KEY.enter);
    expect(f).toMatch(/tag Note\s+a {2}.\]0;pwned.b/);
    expect(f).not.toMatch(/\x1b\[2J|\x1b\]0;|\x07/);
    expect(lines(f).some((l) => l.startsWith('server evil'))).toBe(false);
  });
});

describe('Fleet pane: loading and errors', () => {
  it('shows loading first: the first frame never waits for data', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const cloud = fakeCloud(async () => {
      await gate;
      return makeInstances(3);
    });
    const { app } = await start(testContext({ cloud }), false);
    await waitFor(() => app.lastFrame()?.includes('loading instances'), 'the loading frame', app.lastFrame);
    expect(lines(app.lastFrame())[0]).toContain('not refreshed yet');
    release();
    await waitFor(() => app.lastFrame()?.includes('app-002'), 'the rows', app.lastFrame);
  });

  it('shows an error panel with the hint instead of crashing, and r retries', async () => {
    let fail = true;
    const cloud = fakeCloud(() => {
      if (fail) throw new OpsError('CLOUD', 'The security token included in the request is expired', { hint: 'Run aws sso login --profile ops' });
      return makeInstances(2);
    });
    const { app } = await start(testContext({ cloud }), false);
    await waitFor(() => app.lastFrame()?.includes('Could not list instances'), 'the error panel', app.lastFrame);
    const f = app.lastFrame() ?? '';
    expect(f).toContain('token included in the request is expired');
    expect(f).toContain('hint: Run aws sso login --profile ops');
    fail = false;
    await press(app, 'r');
    await waitFor(() => app.lastFrame()?.includes('app-001'), 'the recovered rows', app.lastFrame);
    expect(app.lastFrame()).not.toContain('Could not list');
  });

  it('a load that never answers becomes an error panel at the deadline (never an endless "loading"), and r retries', async () => {
    let hang = true;
    const cloud = fakeCloud(() => (hang ? new Promise<never>(() => {}) : makeInstances(2)));
    const { app } = await start(testContext({ cloud, options: { timeoutMs: 300 } }), false);
    await waitFor(() => app.lastFrame()?.includes('Could not list instances'), 'the timeout panel', app.lastFrame);
    const f = app.lastFrame() ?? '';
    expect(f).toContain('listing instances did not finish within 300ms');
    expect(f).toMatch(/hint: the endpoint did not answer in time/);
    expect(f).toContain('press r to retry');
    expect(f).not.toContain('loading instances');
    hang = false;
    await press(app, 'r');
    await waitFor(() => app.lastFrame()?.includes('app-001'), 'the rows after retry', app.lastFrame);
  });

  it('keeps the last good rows when a refresh fails, and says the list is stale', async () => {
    let fail = false;
    const cloud = fakeCloud(() => {
      if (fail) throw new Error('socket hang up');
      return makeInstances(4);
    });
    const { app } = await start(testContext({ cloud }));
    fail = true;
    await press(app, 'r');
    await waitFor(() => app.lastFrame()?.includes('Refresh failed'), 'the stale warning', app.lastFrame);
    expect(app.lastFrame()).toContain('socket hang up');
    expect(app.lastFrame()).toContain('app-003');
  });

  it('refreshes every fleet.refreshSeconds while on screen', async () => {
    const base = testContext();
    const cloud = fakeCloud(() => makeInstances(3));
    const { app } = await start(testContext({ cloud, config: { fleet: { ...base.config.fleet, refreshSeconds: 1 } } }));
    expect(cloud.calls).toBe(1);
    await waitFor(() => cloud.calls >= 2, 'an automatic refresh', app.lastFrame, 2500);
  });

  it('coming back to data older than the refresh interval refreshes at once; fresher data is left alone', async () => {
    const cloud = fakeCloud(() => makeInstances(3));
    const ctx = testContext({ cloud });
    const other = placeholderPane('other', 'Other', 'later');
    const store = createSessionFor(ctx, { size: { columns: 100, rows: 24 }, panes: [fleetPane, other] });
    const app = track(render(<App ctx={ctx} store={store} panes={[fleetPane, other]} />), store);
    mounted.push(app);
    await waitFor(() => selectedRow(app.lastFrame()), 'the fleet table', app.lastFrame);
    expect(cloud.calls).toBe(1);
    await press(app, '2');
    await press(app, '1');
    expect(cloud.calls).toBe(1);
    await press(app, '2');
    ctx.clock.advance((ctx.config.fleet.refreshSeconds + 1) * 1000);
    await press(app, '1');
    await waitFor(() => cloud.calls === 2, 'a refresh on coming back', app.lastFrame, 2000);
  });
});
