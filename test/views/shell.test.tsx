import React, { useEffect, useState } from 'react';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App, createSessionFor } from '../../views/App.js';
import { usePaneKeys } from '../../views/hooks.js';
import { panes } from '../../views/panes/index.js';
import type { PaneDefinition, PaneProps } from '../../views/panes/types.js';
import { fakeCloud, KEY, lines, makeInstances, press, track, selectedRow, testContext, type, waitFor } from './helpers.js';

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
});

/** A pane that records its own unmount and asks for a typed confirmation on `d`. */
function probe(log: string[]): PaneDefinition {
  function Probe({ store, paneId }: PaneProps): React.ReactElement {
    const [answer, setAnswer] = useState('none');
    useEffect(() => () => void log.push('unmounted'), []);
    usePaneKeys(store, paneId, [
      {
        keys: ['d'],
        label: 'delete',
        title: 'Delete 412 snapshots',
        run: () => {
          void store
            .getState()
            .confirm({ title: 'Delete 412 snapshots?', body: ['vol-1: 400', 'vol-2: 12'], typed: '412', destructive: true, confirmLabel: 'Delete 412' })
            .then((ok) => setAnswer(ok ? 'yes' : 'no'));
        },
      },
    ]);
    return <Text>answer: {answer}</Text>;
  }
  return { id: 'probe', title: 'Probe', component: Probe };
}

function startProbe(log: string[] = []) {
  const ctx = testContext();
  const defs = [probe(log), ...panes];
  const store = createSessionFor(ctx, { panes: defs, size: { columns: 80, rows: 24 } });
  const app = track(render(<App ctx={ctx} store={store} panes={defs} />), store);
  mounted.push(app);
  return { app, store, log };
}

function assertFits(frames: readonly string[], columns: number, rows: number): void {
  for (const f of frames) {
    const ls = lines(f);
    expect(ls.length, `frame taller than ${rows} rows:\n${f}`).toBeLessThanOrEqual(rows);
    for (const l of ls) expect(l.length, `line wider than ${columns}: "${l}"`).toBeLessThanOrEqual(columns);
  }
}

describe('frames fit the terminal', () => {
  for (const size of [
    { columns: 80, rows: 24 },
    { columns: 60, rows: 12 },
    { columns: 132, rows: 43 },
  ]) {
    it(`never draws outside ${size.columns}x${size.rows}, whatever is open`, async () => {
      const ctx = testContext({ cloud: fakeCloud(() => makeInstances(200)) });
      const store = createSessionFor(ctx, { size });
      const app = track(render(<App ctx={ctx} store={store} />), store);
      mounted.push(app);
      await waitFor(() => selectedRow(app.lastFrame()), 'the fleet table', app.lastFrame);
      for (const key of ['G', '?', KEY.escape, ':', KEY.escape, '/', 'a', KEY.enter, KEY.enter, KEY.escape, '2', '3', '4', '5', '6', '1']) {
        await press(app, key);
      }
      expect(app.frames.length).toBeGreaterThan(10);
      assertFits(app.frames, size.columns, size.rows);
      const fleet = lines(app.lastFrame());
      expect(fleet.length).toBe(size.rows - 1);
    });
  }

  it('a long message wraps onto up to three rows taken from the body, so its hint is not cut off', async () => {
    const ctx = testContext({ cloud: fakeCloud(() => makeInstances(200)) });
    const store = createSessionFor(ctx, { size: { columns: 80, rows: 24 } });
    const app = track(render(<App ctx={ctx} store={store} />), store);
    mounted.push(app);
    await waitFor(() => selectedRow(app.lastFrame()), 'the fleet table', app.lastFrame);
    const message =
      'not applied: reloaded (master CLI reload) but the runtime API at /run/haproxy/admin.sock did not confirm the planned servers (hint: check haproxy.runtimeSocket)';
    store.getState().setFlash(message, 'error');
    const f = await waitFor(() => app.lastFrame()?.includes('runtimeSocket)') && (app.lastFrame() ?? ''), 'the whole message', app.lastFrame);
    const rows = lines(f);
    expect(rows).toHaveLength(23);
    assertFits([f], 80, 24);
    // the message's words, in order, on the rows above the keys, which stay on the last row
    expect(rows.slice(-3, -1).join(' ').replace(/\s+/g, ' ')).toContain('planned servers (hint: check haproxy.runtimeSocket)');
    expect(rows.at(-4)).toMatch(/^not applied: /);
    expect(rows.at(-1)).toContain('? help');
    // on a small screen it takes fewer rows and ends in an ellipsis instead
    store.getState().setSize(60, 8);
    const small = await waitFor(() => lines(app.lastFrame()).length === 7 && (app.lastFrame() ?? ''), 'the small frame', app.lastFrame);
    expect(lines(small).at(-2)).toMatch(/^not applied: .*…$/);
    expect(lines(small).at(-1)).toContain('? help');
    assertFits([small], 60, 8);
    // a key clears it and the footer is one row of keys again
    const after = await press(app, 'j');
    expect(lines(after).at(-1)).toContain('? help');
  });

  it('listens to the terminal: a stdout resize event reaches the store and the frame', async () => {
    const ctx = testContext();
    const store = createSessionFor(ctx, { size: { columns: 80, rows: 24 } });
    const app = track(render(<App ctx={ctx} store={store} />), store);
    mounted.push(app);
    await waitFor(() => selectedRow(app.lastFrame()), 'the fleet table', app.lastFrame);
    // The test stdout has no rows; give it a real terminal's size, then resize it.
    Object.defineProperty(app.stdout, 'columns', { value: 70, configurable: true });
    Object.defineProperty(app.stdout, 'rows', { value: 16, configurable: true });
    app.stdout.emit('resize');
    await waitFor(() => lines(app.lastFrame()).length === 15, 'the resized frame', app.lastFrame);
    expect(store.getState().size).toEqual({ columns: 70, rows: 16 });
    assertFits([app.lastFrame() ?? ''], 70, 16);
  });

  it('follows a resize', async () => {
    const ctx = testContext({ cloud: fakeCloud(() => makeInstances(50)) });
    const store = createSessionFor(ctx, { size: { columns: 100, rows: 30 } });
    const app = track(render(<App ctx={ctx} store={store} />), store);
    mounted.push(app);
    await waitFor(() => selectedRow(app.lastFrame()), 'the fleet table', app.lastFrame);
    expect(lines(app.lastFrame()).length).toBe(29);
    store.getState().setSize(50, 14);
    await waitFor(() => lines(app.lastFrame()).length === 13, 'the smaller frame', app.lastFrame);
    assertFits([app.lastFrame() ?? ''], 50, 14);
    // The selection stays visible in the smaller window.
    await press(app, 'G');
    store.getState().setSize(80, 10);
    await waitFor(() => lines(app.lastFrame()).length === 9, 'the shorter frame', app.lastFrame);
    expect(selectedRow(app.lastFrame())).toContain('app-049');
  });
});

describe('quitting', () => {
  it('q unmounts the app', async () => {
    const { app, log, store } = startProbe();
    await waitFor(() => app.lastFrame()?.includes('answer: none'), 'the probe pane', app.lastFrame);
    await press(app, 'q');
    await waitFor(() => log.includes('unmounted'), 'the unmount', app.lastFrame);
    expect(store.getState().quitRequested).toBe(true);
  });

  it('Ctrl-C quits even from inside the palette', async () => {
    const { app, log } = startProbe();
    await waitFor(() => app.lastFrame()?.includes('answer: none'), 'the probe pane', app.lastFrame);
    await press(app, ':');
    await press(app, KEY.ctrlC);
    await waitFor(() => log.includes('unmounted'), 'the unmount', app.lastFrame);
  });
});

describe('confirm dialog in the shell', () => {
  it('shows the plan, starts on Cancel, and needs the typed count', async () => {
    const { app } = startProbe();
    await waitFor(() => app.lastFrame()?.includes('answer: none'), 'the probe pane', app.lastFrame);
    let f = await press(app, 'd');
    expect(f).toContain('Delete 412 snapshots?');
    expect(f).toContain('vol-1: 400');
    expect(f).toContain('Type 412 to confirm');
    expect(f).toMatch(/›\[ Cancel \]/);
    f = await press(app, KEY.enter);
    expect(f).toContain('answer: no');

    await press(app, 'd');
    await type(app, '41');
    await press(app, KEY.tab);
    f = await press(app, KEY.enter);
    expect(f).toContain('Type 412 to confirm');
    expect(f).toContain('Delete 412 snapshots?');
    await press(app, '2');
    f = await press(app, KEY.enter);
    expect(f).toContain('answer: yes');
  });

  it('Esc cancels', async () => {
    const { app } = startProbe();
    await waitFor(() => app.lastFrame()?.includes('answer: none'), 'the probe pane', app.lastFrame);
    await press(app, 'd');
    await type(app, '412');
    const f = await press(app, KEY.escape);
    expect(f).toContain('answer: no');
  });

  it('pane commands with a title are in the palette', async () => {
    const { app } = startProbe();
    await waitFor(() => app.lastFrame()?.includes('answer: none'), 'the probe pane', app.lastFrame);
    await press(app, ':');
    await type(app, 'del');
    const f = await press(app, KEY.enter);
    expect(f).toContain('Delete 412 snapshots?');
  });
});

describe('a pane that crashes', () => {
  it('shows what broke in that pane only; the shell keeps working and r retries', async () => {
    let broken = true;
    function Fragile(): React.ReactElement {
      if (broken) throw new Error('cannot read the plan file');
      return <Text>fragile pane is fine</Text>;
    }
    const defs: PaneDefinition[] = [{ id: 'fragile', title: 'Fragile', component: Fragile }, ...panes];
    const ctx = testContext();
    const store = createSessionFor(ctx, { panes: defs, size: { columns: 80, rows: 24 } });
    const app = track(render(<App ctx={ctx} store={store} panes={defs} />), store);
    mounted.push(app);
    await waitFor(() => app.lastFrame()?.includes('The Fragile pane failed'), 'the pane error', app.lastFrame);
    expect(app.lastFrame()).toContain('cannot read the plan file');
    let f = await press(app, '2');
    expect(f).toContain('haproxy-1');
    f = await press(app, '1');
    expect(f).toContain('The Fragile pane failed');
    broken = false;
    await waitFor(() => lines(app.lastFrame()).some((l) => l.includes('r retry')), 'the retry key in the footer', app.lastFrame);
    f = await press(app, 'r');
    expect(f).toContain('fragile pane is fine');
  });
});
