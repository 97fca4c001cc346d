import React from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { refreshIntervalMs } from '../../src/store/refresh.js';
import { App, createSessionFor } from '../../views/App.js';
import { lines, press, privateStateDir, testContext, track, waitFor, type Rendered } from './helpers.js';

/**
 * Coming back to a pane whose data is older than its refresh interval
 * refreshes it at once, on every pane that refreshes (keys in, the header's
 * "refreshed N ago" out); fresher data is left alone.
 */
const mounted: { unmount(): void }[] = [];
privateStateDir('opsdeck-return-', () => {
  while (mounted.length) mounted.pop()?.unmount();
});

const SLOW = 20_000;
const header = (app: Rendered): string => lines(app.lastFrame())[0] ?? '';
const headerSays = (app: Rendered, what: string, text: string): Promise<string> =>
  waitFor(() => (header(app).includes(text) ? header(app) : undefined), what, app.lastFrame, SLOW);
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const age = (ms: number): string => (ms < 60_000 ? `${Math.floor(ms / 1000)}s` : `${Math.floor(ms / 60_000)}m`);

describe.each([
  { pane: 'fleet', key: '1' },
  { pane: 'snapshots', key: '2' },
  { pane: 'webcam', key: '4' },
  { pane: 'scaling', key: '5' },
  { pane: 'database', key: '6' },
])('the $pane pane', ({ pane, key }) => {
  it('refreshes at once on return to data older than its interval, and leaves fresher data alone', async () => {
    const ctx = testContext();
    const interval = refreshIntervalMs(pane, ctx.config) as number;
    expect(interval).toBeGreaterThan(2000);
    const store = createSessionFor(ctx, { size: { columns: 100, rows: 30 }, initialPane: pane });
    const app = track(render(<App ctx={ctx} store={store} />), store);
    mounted.push(app);
    await headerSays(app, 'the first load', 'refreshed 0s ago');
    const first = store.getState().refreshedAt[pane];

    // away (Runbooks loads nothing on a timer), back before the interval is up: the same data
    await press(app, '3');
    ctx.clock.advance(interval - 2000);
    await press(app, key);
    await headerSays(app, 'the older data shown', `refreshed ${age(interval - 2000)} ago`);
    await settle(1500);
    expect(header(app)).toContain(`refreshed ${age(interval - 2000)} ago`);
    expect(store.getState().refreshedAt[pane]).toBe(first);

    // away again until the data is older than the interval: coming back refreshes it at once
    await press(app, '3');
    ctx.clock.advance(4000);
    await press(app, key);
    await headerSays(app, 'a refresh on coming back', 'refreshed 0s ago');
    expect(store.getState().refreshedAt[pane]).toBe(ctx.clock.now().getTime());
  }, 60_000);
});
