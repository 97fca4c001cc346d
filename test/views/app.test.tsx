import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App, createSessionFor } from '../../views/App.js';
import { panes } from '../../views/panes/index.js';
import type { PaneDefinition } from '../../views/panes/types.js';
import { KEY, lines, press, track, selectedRow, testContext, type, waitFor, type TestContext } from './helpers.js';
import { sampleItems, shellPanes, type Item } from './sample-pane.js';

/**
 * The shell: header, tabs, footer, overlays and the keyboard, on a sample
 * list pane (test/views/sample-pane.tsx) so these tests keep testing the
 * shell while the real panes change. The Fleet pane: fleet-pane.test.tsx.
 */
const mounted: { unmount(): void }[] = [];
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
});

async function start(opts: { ctx?: TestContext; defs?: PaneDefinition[]; size?: { columns: number; rows: number }; initialPane?: string } = {}) {
  const ctx = opts.ctx ?? testContext();
  const defs = opts.defs ?? shellPanes();
  const store = createSessionFor(ctx, { size: opts.size ?? { columns: 80, rows: 24 }, initialPane: opts.initialPane, panes: defs });
  const app = track(render(<App ctx={ctx} store={store} panes={defs} />), store);
  mounted.push(app);
  if (opts.initialPane === undefined) await waitFor(() => selectedRow(app.lastFrame()), 'the item list', app.lastFrame);
  return { app, store, ctx };
}

const footer = (frame: string | undefined): string => lines(frame).filter(Boolean).at(-1) ?? '';

describe('the pane registry', () => {
  it('has the six panes in tab order', () => {
    expect(panes.map((p) => `${p.id}:${p.title}`)).toEqual([
      'fleet:Fleet',
      'snapshots:Snapshots',
      'runbooks:Runbooks',
      'webcam:Webcam',
      'scaling:Scaling',
      'database:Database',
    ]);
  });
});

describe('header and tabs', () => {
  it('show the context, the badges, the last refresh and the pane tabs', async () => {
    const { app } = await start({ ctx: testContext({ options: { profile: 'ops', region: 'eu-west-1', readOnly: true } }) });
    const [header, tabs] = lines(app.lastFrame());
    expect(header).toMatch(/^opsdeck\s+ops@eu-west-1\s+SANDBOX\s+READ-ONLY\s.*refreshed 0s ago$/);
    expect(tabs).toMatch(/\[1 Items\].*2 Snapshots.*3 Runbooks.*4 Webcam.*5 Scaling.*6 Database/);
  });

  it('on a narrow terminal shorten the refresh note, then drop it, before a badge is cut', async () => {
    const ctx = testContext({ options: { profile: 'ops', region: 'eu-west-1', readOnly: true } });
    const { app, store } = await start({ ctx, size: { columns: 54, rows: 24 } });
    expect(lines(app.lastFrame())[0]).toMatch(/^opsdeck\s+ops@eu-west-1\s+SANDBOX\s+READ-ONLY\s+0s ago$/);
    store.getState().setSize(46, 24);
    const f = await waitFor(() => !lines(app.lastFrame())[0]?.includes('ago') && app.lastFrame(), 'the narrower header', app.lastFrame);
    expect(lines(f)[0]).toMatch(/^opsdeck\s+ops@eu-west-1\s+SANDBOX\s+READ-ONLY\s*$/);
  });

  it('name the account the SDK will use: flags, then the config, then AWS_PROFILE / AWS_REGION', () => {
    const aws = testContext({ options: { sandbox: false } });
    const header = (ctx: ReturnType<typeof testContext>, env: NodeJS.ProcessEnv) => createSessionFor(ctx, { env }).getState().context;
    expect(header(aws, { AWS_PROFILE: 'prod', AWS_REGION: 'eu-west-1' })).toMatchObject({ profile: 'prod', region: 'eu-west-1', sandbox: false });
    expect(header(aws, { AWS_DEFAULT_REGION: 'us-west-2' })).toMatchObject({ profile: 'default', region: 'us-west-2' });
    expect(header(aws, {})).toMatchObject({ profile: 'default', region: 'no region' });
    const flagged = testContext({ options: { sandbox: false, profile: 'ops' }, config: { aws: { region: 'ap-south-1' } } });
    expect(header(flagged, { AWS_PROFILE: 'prod', AWS_REGION: 'eu-west-1' })).toMatchObject({ profile: 'ops', region: 'ap-south-1' });
    // The sandbox is not an AWS account: the environment does not name it.
    expect(header(testContext(), { AWS_PROFILE: 'prod' })).toMatchObject({ profile: 'sandbox', region: 'sandbox-1', sandbox: true });
  });

  it('speak for the pane on screen: a pane that loaded nothing is "not refreshed yet"', async () => {
    const { app, ctx } = await start();
    ctx.clock.advance(5_000);
    let f = await press(app, '3');
    expect(lines(f)[0]).toMatch(/not refreshed yet$/);
    f = await press(app, '1');
    await waitFor(() => lines(app.lastFrame())[0]?.includes('refreshed 5s ago'), 'the items pane age', app.lastFrame, 10_000);
  });

  it('do not show READ-ONLY when mutations are allowed', async () => {
    const { app } = await start();
    expect(lines(app.lastFrame())[0]).not.toContain('READ-ONLY');
  });

  it('say how long ago the data was refreshed, from the session clock', async () => {
    const { app, ctx } = await start();
    ctx.clock.advance(42_000);
    await waitFor(() => lines(app.lastFrame())[0]?.includes('refreshed 42s ago'), 'the header tick', app.lastFrame, 10_000);
  });
});

describe('switching panes', () => {
  it('number keys, Tab and Shift-Tab switch panes, and the footer follows the pane', async () => {
    const { app } = await start();
    expect(footer(app.lastFrame())).toContain('r refresh');
    let f = await press(app, '2');
    expect(lines(f)[1]).toContain('[2 Snapshots]');
    expect(f).toContain('arrives with snapshot retention');
    expect(footer(f)).not.toContain('refresh');
    expect(footer(f)).not.toContain('filter');
    f = await press(app, KEY.tab);
    expect(lines(f)[1]).toContain('[3 Runbooks]');
    expect(f).toContain('arrives with MySQL resync runbooks');
    f = await press(app, '6');
    expect(f).toContain('arrives with database health and drift');
    f = await press(app, KEY.tab);
    expect(lines(f)[1]).toContain('[1 Items]');
    f = await press(app, KEY.shiftTab);
    expect(lines(f)[1]).toContain('[6 Database]');
    f = await press(app, '1');
    expect(selectedRow(f)).toContain('item 0');
    expect(footer(f)).toContain('r refresh');
  });

  it('opens on the pane asked for', async () => {
    const { app } = await start({ initialPane: 'scaling' });
    await waitFor(() => app.lastFrame()?.includes('arrives with Auto Scaling controls'), 'the scaling pane', app.lastFrame);
  });

  it('keeps a pane\'s selection when you come back to it', async () => {
    const { app } = await start();
    await press(app, 'j');
    await press(app, 'j');
    await press(app, '3');
    const f = await press(app, '1');
    expect(selectedRow(f)).toContain('item 2');
  });
});

describe('help', () => {
  it('? lists the current pane keys and the global ones; Esc closes it', async () => {
    const { app } = await start();
    let f = await press(app, '?');
    expect(f).toContain('Items keys');
    expect(f).toContain('Refresh items');
    expect(f).toMatch(/j\/↓\s+down/);
    expect(f).toContain('Everywhere');
    expect(f).toMatch(/\?\s+help/);
    expect(f).not.toContain('item 0');
    expect(footer(f)).toContain('Esc close help');
    f = await press(app, KEY.escape);
    expect(f).not.toContain('Items keys');
    expect(f).toContain('item 0');
    await press(app, '3');
    f = await press(app, '?');
    expect(f).toContain('Runbooks keys');
    expect(f).toContain('(no keys of its own)');
    expect(f).not.toContain('Refresh items');
  });
});

describe('help on a small screen', () => {
  it('scrolls with j/k when the keys do not fit, and never past the end', async () => {
    const { app } = await start({ size: { columns: 50, rows: 12 } });
    let f = await press(app, '?');
    expect(f).toContain('Items keys');
    expect(f).toMatch(/j\/k scroll \(1-\d+ of \d+\)/);
    expect(f).not.toContain('Everywhere');
    for (let i = 0; i < 40; i++) await press(app, 'j');
    f = await press(app, 'j');
    expect(f).toMatch(/\^C\s+cancel running work/);
    f = await press(app, 'k');
    expect(f).not.toMatch(/\^C\s+cancel running work/);
    f = await press(app, KEY.escape);
    expect(selectedRow(f)).toContain('item 0');
  });
});

describe('filter', () => {
  it('/ narrows the list as you type; Enter keeps it; Esc clears it', async () => {
    const { app } = await start();
    await press(app, '/');
    let f = await type(app, 'item 1');
    expect(footer(f)).toContain('/item 1');
    expect(f).toContain('3 of 12 items');
    expect(lines(f).filter((l) => /^[› ] it-/.test(l))).toHaveLength(3);
    f = await press(app, KEY.enter);
    expect(footer(f)).toContain('j/k move');
    expect(f).toContain('3 of 12 items');
    f = await press(app, KEY.escape);
    expect(f).toContain('12 of 12 items');
  });

  it('Ctrl-W deletes the last word and Ctrl-U clears the filter, like readline', async () => {
    const { app } = await start();
    await press(app, '/');
    let f = await type(app, 'item 1');
    expect(f).toContain('3 of 12 items');
    f = await press(app, KEY.ctrlW);
    expect(footer(f)).toContain('/item ');
    expect(footer(f)).not.toContain('/item 1');
    expect(f).toContain('12 of 12 items');
    await type(app, '11');
    f = await press(app, KEY.ctrlU);
    expect(f).toContain('12 of 12 items');
    f = await type(app, 'item 2');
    expect(footer(f)).toContain('/item 2');
    expect(f).toContain('1 of 12 items');
  });

  it('arrows move through the narrowed list while typing', async () => {
    const { app } = await start();
    await press(app, '/');
    await type(app, 'item 1');
    const f = await press(app, KEY.down);
    expect(selectedRow(f)).toContain('item 10');
    expect(footer(f)).toContain('/item 1');
  });

  it('says so on a pane without a list', async () => {
    const { app } = await start();
    await press(app, '4');
    const f = await press(app, '/');
    // the message sits above the keys, which stay on the last row
    expect(lines(f).filter(Boolean).at(-2)).toContain('Webcam has no list to filter');
    expect(footer(f)).toContain('? help');
  });
});

describe('command palette', () => {
  it(': lists commands, typing filters them, Enter runs the chosen one', async () => {
    const { app } = await start();
    let f = await press(app, ':');
    expect(f).toContain('Go to Snapshots');
    expect(f).toContain('Items: Refresh items');
    expect(footer(f)).toContain('Enter run');
    expect(footer(f)).toContain('Tab complete');
    f = await type(app, 'snap');
    expect(f).toContain('Go to Snapshots');
    expect(f).not.toContain('Go to Webcam');
    f = await press(app, KEY.enter);
    expect(lines(f)[1]).toContain('[2 Snapshots]');
  });

  it('arrows choose among the matches; Esc closes without running anything', async () => {
    const { app } = await start();
    await press(app, ':');
    await type(app, 'go to');
    await press(app, KEY.down);
    let f = await press(app, KEY.down);
    expect(selectedRow(f.replace(/│ /g, ''))).toContain('Go to Runbooks');
    f = await press(app, KEY.escape);
    expect(lines(f)[1]).toContain('[1 Items]');
    await press(app, ':');
    await type(app, 'runb');
    f = await press(app, KEY.enter);
    expect(lines(f)[1]).toContain('[3 Runbooks]');
  });

  it('runs the pane\'s own commands', async () => {
    let calls = 0;
    const { app } = await start({ defs: shellPanes(() => (calls++, sampleItems(12))) });
    await press(app, ':');
    await type(app, 'refresh items');
    await press(app, KEY.enter);
    await waitFor(() => calls === 2, 'the refresh', app.lastFrame);
  });
});

describe('list keys', () => {
  it('j/k, arrows, g/G move; the selection stays on the same row when a refresh reorders rows', async () => {
    let order: Item[] = sampleItems(30);
    let loads = 0;
    const { app } = await start({ defs: shellPanes(() => (loads++, order)) });
    expect(selectedRow(app.lastFrame())).toContain('item 0');
    await press(app, 'j');
    await press(app, 'j');
    await press(app, KEY.down);
    let f = await press(app, 'k');
    expect(selectedRow(f)).toContain('item 2');
    f = await press(app, 'G');
    expect(selectedRow(f)).toContain('item 29');
    f = await press(app, 'g');
    expect(selectedRow(f)).toContain('item 0');
    await press(app, 'j');
    await press(app, 'j');
    order = [...order].reverse();
    await press(app, 'r');
    // the reversed order is on screen once item 3 is drawn above the selection
    const above = (frame: string | undefined): string | undefined => {
      const rows = lines(frame).filter((l) => /^[› ] it-/.test(l));
      return rows[rows.findIndex((l) => l.startsWith('› ')) - 1];
    };
    f = await waitFor(() => above(app.lastFrame())?.includes('item 3') && (app.lastFrame() ?? ''), 'the refreshed order', app.lastFrame);
    expect(loads).toBe(2);
    const rows = lines(f).filter((l) => /^[› ] it-/.test(l));
    const at = rows.findIndex((l) => l.startsWith('› '));
    expect(rows[at]).toContain('item 2');
    expect(rows[at - 1]).toContain('item 3');
    expect(rows[0]).toContain('item 19');
  });

  it('a burst of keys in one read (key repeat over ssh, fast typing) is every key, not one unknown key', async () => {
    const { app } = await start();
    let f = await press(app, 'jjj');
    expect(selectedRow(f)).toContain('item 3');
    await press(app, ':');
    f = await press(app, 'runb\r');
    expect(lines(f)[1]).toContain('[3 Runbooks]');
  });

  it('Esc typed ahead with other keys is still Esc: "Esc j Enter" in one read closes, moves, opens the next', async () => {
    const { app } = await start();
    let f = await press(app, KEY.enter);
    expect(f).toContain('opened it-0000');
    // what a laggy ssh link delivers in one read; ink calls ESC+j "Alt+j"
    f = await press(app, '\x1bj\r');
    expect(f).toContain('opened it-0001');
  });

  it('a key typed ahead after Enter acts on the opened item, not on the list underneath', async () => {
    const { app } = await start();
    // Enter only changes the pane's own React state; j must still see it
    let f = await press(app, '\rj');
    expect(f).toContain('opened it-0000');
    f = await press(app, KEY.escape);
    expect(selectedRow(f)).toContain('item 0');
  });

  it('PgDn and PgUp move a page; the window scrolls so the selection stays visible', async () => {
    const { app } = await start({ defs: shellPanes(() => sampleItems(100)) });
    let f = await press(app, KEY.pageDown);
    const first = selectedRow(f);
    expect(first).toBeDefined();
    expect(first).not.toContain('item 0');
    f = await press(app, KEY.pageDown);
    expect(f).not.toContain('item 0 ');
    expect(selectedRow(f)).toBeDefined();
    f = await press(app, KEY.pageUp);
    expect(selectedRow(f)).toBe(first);
  });

  it('Enter drills in and Esc comes back to the same row', async () => {
    const { app } = await start();
    await press(app, 'j');
    let f = await press(app, KEY.enter);
    expect(f).toContain('opened it-0001');
    expect(footer(f)).toContain('Esc back');
    f = await press(app, KEY.escape);
    expect(selectedRow(f)).toContain('item 1');
  });
});
