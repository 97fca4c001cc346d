import React from 'react';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { defaultConfig } from '../../src/config/schema.js';
import { App, createSessionFor } from '../../views/App.js';
import { fleetPane } from '../../views/panes/fleet.js';
import { fakeCloud, makeInstances, selectedRow, testContext, waitFor } from '../views/helpers.js';
import { measureKeypresses, type RedrawFigures } from './keypress.js';

/**
 * Keypress-to-frame latency of the Fleet pane with its HAProxy pool loaded:
 * `rows` instances all joining the pool (POOL/SERVER columns and a diff of
 * `rows` server lines on screen), at 120x36. Target: median < 50 ms at 5,000.
 */
export async function measureFleetPoolRedraw(rows = 5000, presses = 20): Promise<RedrawFigures> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-bench-pool-'));
  const base = defaultConfig();
  const ctx = {
    ...testContext({ cloud: fakeCloud(() => makeInstances(rows)), config: { fleet: { ...base.fleet, discovery: { tags: { Role: 'web' } } } } }),
    sandboxDir: dir,
  };
  const store = createSessionFor(ctx, { size: { columns: 120, rows: 36 }, panes: [fleetPane] });
  const app = render(React.createElement(App, { ctx, store, panes: [fleetPane] }));
  try {
    await waitFor(() => app.lastFrame()?.includes('pool www_farm:') && selectedRow(app.lastFrame()), 'the pool plan', app.lastFrame, 60_000);
    return await measureKeypresses(app, { presses });
  } finally {
    app.unmount();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const r = await measureFleetPoolRedraw(Number(process.argv[2] ?? 5000));
  console.log(`fleet pane with pool, keypress redraw: median ${r.medianMs.toFixed(1)} ms, p95 ${r.p95Ms.toFixed(1)} ms`);
  process.exit(0);
}
