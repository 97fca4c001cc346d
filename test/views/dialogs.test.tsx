import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App, createSessionFor } from '../../views/App.js';
import type { ConfirmRequest } from '../../src/store/session.js';
import { KEY, lines, press, selectedRow, testContext, track, waitFor } from './helpers.js';
import { shellPanes } from './sample-pane.js';

/** Confirm dialogs at 3 a.m.: every line of a long plan reachable, the dialog no bigger than its content. */
const mounted: { unmount(): void }[] = [];
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
});

async function start(size: { columns: number; rows: number }) {
  const ctx = testContext();
  const defs = shellPanes();
  const store = createSessionFor(ctx, { size, panes: defs });
  const app = track(render(<App ctx={ctx} store={store} panes={defs} />), store);
  mounted.push(app);
  await waitFor(() => selectedRow(app.lastFrame()), 'the item list', app.lastFrame);
  return { app, store };
}

/** A plan of 6 groups of 8 lines, one long line in each that must wrap rather than be cut. */
const groups = Array.from({ length: 6 }, (_, g) => [
  `group ${g + 1}: vol-0${g}aaaaaaaaaaaaaa`,
  ...Array.from({ length: 6 }, (_, i) => `  delete snap-${g}${i}bbbbbbbbbbbbbb`),
  `  reason: older than 365 days and not the newest of its month, kept by no rule end-of-group-${g + 1}`,
]);
const longPlan: ConfirmRequest = { title: 'Delete 36 snapshots?', body: groups.flat(), typed: '36', destructive: true, confirmLabel: 'Delete 36' };

describe('confirm dialogs', () => {
  for (const size of [
    { columns: 120, rows: 36 },
    { columns: 80, rows: 24 },
    { columns: 60, rows: 16 },
  ]) {
    it(`at ${size.columns}x${size.rows} every group of a long plan is reachable with j/PgDn, g/G go to the ends, and the typed count still confirms`, async () => {
      const { app, store } = await start(size);
      const answer = store.getState().confirm(longPlan);
      let f = await press(app, 'k');
      expect(lines(f).length).toBeLessThanOrEqual(size.rows - 1);
      const seen = new Set<string>();
      const collect = (frame: string): void => {
        for (const l of lines(frame)) seen.add(l.replace(/[║│]/g, '').trim());
      };
      collect(f);
      expect(f).toMatch(/lines 1-\d+ of \d+/);
      for (let i = 0; i < 30 && !/end-of-group-6/.test(f); i++) {
        f = await press(app, KEY.pageDown);
        collect(f);
      }
      const text = [...seen].join('\n');
      for (let g = 1; g <= 6; g++) {
        expect(text).toContain(`group ${g}: vol-0${g - 1}`);
        // the long line wrapped, its end on screen
        expect(text).toContain(`end-of-group-${g}`);
      }
      f = await press(app, 'g');
      expect(f).toContain('group 1: vol-00');
      f = await press(app, 'G');
      expect(f).toContain('end-of-group-6');
      f = await press(app, 'j');
      expect(f).toContain('end-of-group-6');
      // j and g did not land in the count; the typed number confirms
      await press(app, '3');
      f = await press(app, '6');
      expect(f).toContain('Type 36 to confirm: 36');
      await press(app, KEY.enter);
      await expect(answer).resolves.toBe(true);
    });
  }

  it('the footer says how each dialog works: a typed one is typed then Enter, and scrolling is offered only when the body scrolls', async () => {
    const { app, store } = await start({ columns: 100, rows: 24 });
    const footer = (x: string): string => lines(x).filter((l) => l.trim() !== '').at(-1) ?? '';
    // a short yes/no: buttons, no scroll
    const short = store.getState().confirm({ title: 'Drain web-3?', body: ['web-3 stops taking new requests'] });
    let f = await press(app, 'k');
    expect(footer(f)).toContain('Tab switch button');
    expect(footer(f)).toContain('Enter choose');
    expect(footer(f)).not.toContain('scroll');
    await press(app, KEY.escape);
    await expect(short).resolves.toBe(false);
    // a short typed one: type the word, Enter confirms; no buttons to switch, nothing to scroll
    const typed = store.getState().confirm({ title: 'Delete 3 snapshots?', body: ['3 snapshots on vol-0a'], typed: '3', destructive: true });
    f = await press(app, 'k');
    expect(footer(f)).toContain('type 3 · Enter confirms');
    expect(footer(f)).not.toContain('Enter choose');
    expect(footer(f)).not.toContain('scroll');
    await press(app, KEY.escape);
    await expect(typed).resolves.toBe(false);
    // a long typed one scrolls, and says so
    const long = store.getState().confirm(longPlan);
    f = await press(app, 'k');
    expect(footer(f)).toContain('type 36 · Enter confirms');
    expect(footer(f)).toContain('↑↓ scroll');
    await press(app, KEY.escape);
    await expect(long).resolves.toBe(false);
  });

  it('when the word to type has letters, j and k go into it and only arrows and paging scroll', async () => {
    const { app, store } = await start({ columns: 60, rows: 16 });
    void store.getState().confirm({ ...longPlan, typed: 'jk' });
    await press(app, 'j');
    let f = await press(app, 'k');
    expect(f).toContain('Type jk to confirm: jk');
    expect(f).toMatch(/lines 1-/);
    f = await press(app, KEY.down);
    expect(f).toMatch(/lines 2-/);
  });

  it('a short dialog is only as big as its content, not the whole screen', async () => {
    const { app, store } = await start({ columns: 120, rows: 36 });
    void store.getState().confirm({ title: 'Drain web-002?', body: ['set www_farm/i-0123 to drain'] });
    const f = await press(app, 'k');
    const border = lines(f).filter((l) => /[╔╚]/.test(l));
    expect(border).toHaveLength(2);
    expect(border[0]!.trim().length).toBeLessThan(60);
    const top = lines(f).findIndex((l) => l.includes('╔'));
    const bottom = lines(f).findIndex((l) => l.includes('╚'));
    expect(bottom - top).toBeLessThan(8);
    expect(f).not.toMatch(/lines \d+-\d+ of/);
  });

  it('a body line that fits is shown exactly as given: a diff keeps its spacing', async () => {
    const { app, store } = await start({ columns: 80, rows: 24 });
    void store.getState().confirm({ title: 'Apply?', body: ['-    server i-0123 web-a.lan:80 check', '+    server i-0456 web-b.lan:80 check'] });
    const f = await press(app, 'k');
    expect(f).toContain('-    server i-0123 web-a.lan:80 check');
    expect(f).toContain('+    server i-0456 web-b.lan:80 check');
  });
});
