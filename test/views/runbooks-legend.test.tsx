import React from 'react';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App, createSessionFor } from '../../views/App.js';
import { RUNBOOKS_LEGEND } from '../../views/panes/runbooks-parts.js';
import { lines, press, testContext, track, waitFor } from './helpers.js';

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
});

describe('Runbooks pane help', () => {
  it('? explains every step mark in the colour the step lines use', async () => {
    const level = chalk.level;
    chalk.level = 1; // colours on, as in a terminal
    let raw: string;
    try {
      const ctx = testContext();
      const store = createSessionFor(ctx, { size: { columns: 120, rows: 50 }, initialPane: 'runbooks' });
      const app = track(render(<App ctx={ctx} store={store} />), store);
      mounted.push(app);
      await waitFor(() => app.lastFrame()?.includes('haproxy-maintenance'), 'the runbook list', app.lastFrame, 20_000);
      raw = (await press(app, '?')) ?? '';
    } finally {
      chalk.level = level;
    }
    const f = lines(raw).join('\n');
    const codes: Record<string, string> = { red: '31', green: '32', yellow: '33', cyan: '36', gray: '90' };
    for (const e of RUNBOOKS_LEGEND) {
      expect(f).toContain(e.meaning.slice(0, 30));
      if (!e.color) continue;
      const line = raw.split('\n').find((l) => l.includes(e.meaning.slice(0, 30))) ?? '';
      expect(line, e.meaning).toContain(`\x1b[${codes[e.color]}m${e.mark}`);
    }
  });
});
