import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attention } from '../../src/core/attention.js';
import { defaultConfig } from '../../src/config/schema.js';
import { App, createSessionFor } from '../../views/App.js';
import { lines, press, testContext, track, waitFor } from './helpers.js';
import { placeholderPane } from './placeholder-pane.js';

/** Tab marks from panes nobody has opened, or that are hidden: the shell runs each pane's attention probe. */
const mounted: { unmount(): void }[] = [];
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
});

/** A Fleet pane whose probe the test answers, beside another pane; probed every `refreshSeconds`. */
function startWatched(probe: () => Promise<Attention | undefined>, refreshSeconds: number, initialPane: string) {
  const watched = { ...placeholderPane('fleet', 'Fleet', 'the pool'), attention: probe };
  const panes = [watched, placeholderPane('other', 'Other', 'nothing')];
  // the probe's interval is the pane's refresh interval (config.fleet.refreshSeconds for fleet)
  const ctx = testContext({ config: { fleet: { ...defaultConfig().fleet, refreshSeconds } } });
  const store = createSessionFor(ctx, { panes, size: { columns: 60, rows: 10 }, initialPane });
  const app = track(render(<App ctx={ctx} store={store} panes={panes} />), store);
  mounted.push(app);
  return app;
}

describe('tab attention from any pane', () => {
  it('on the sandbox, starting on Fleet, the Database tab shows the broken replica without ever being opened', async () => {
    const ctx = testContext();
    const store = createSessionFor(ctx, { size: { columns: 120, rows: 24 }, initialPane: 'fleet' });
    const app = track(render(<App ctx={ctx} store={store} />), store);
    mounted.push(app);
    await waitFor(() => /6 Database !1 broken/.test(lines(app.lastFrame())[1] ?? ''), 'the Database tab marked', app.lastFrame, 20_000);
    expect(store.getState().activePane).toBe('fleet');
    // the pane, when opened, says the same as its tab
    await press(app, '6');
    await waitFor(() => lines(app.lastFrame()).join('\n').includes('1 need attention'), 'the Database pane', app.lastFrame, 20_000);
    expect(lines(app.lastFrame())[1]).toMatch(/6 Database !1 broken/);
  });

  it('a hidden pane is probed every refresh interval: a server going DOWN while you are elsewhere is marked, and cleared when it comes back', async () => {
    let now: Attention | undefined;
    let calls = 0;
    const app = startWatched(async () => (calls++, now), 0.05, 'other');
    await waitFor(() => calls > 0, 'the startup probe', app.lastFrame);
    expect(lines(app.lastFrame())[1]).not.toContain('!');
    now = { level: 'bad', text: '1 DOWN' };
    await waitFor(() => lines(app.lastFrame())[1]?.includes('1 Fleet !1 DOWN'), 'the Fleet tab marked', app.lastFrame);
    now = undefined;
    await waitFor(() => !lines(app.lastFrame())[1]?.includes('DOWN'), 'the mark cleared', app.lastFrame);
  });

  it('the pane on screen is not probed: its own reading stands', async () => {
    let calls = 0;
    const app = startWatched(async (): Promise<Attention> => (calls++, { level: 'warn', text: 'probe' }), 0.02, 'fleet');
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBe(0);
    // once hidden, it is looked at; a warning is yellow "!", apart from running work's "⟳"
    await press(app, '2');
    await waitFor(() => lines(app.lastFrame())[1]?.includes('1 Fleet !probe'), 'the probe mark', app.lastFrame);
  });
});
