import React from 'react';
import { render } from 'ink-testing-library';
import { App, createSessionFor } from '../../views/App.js';
import { lines, selectedRow, testContext, waitFor } from '../views/helpers.js';
import { measureKeypresses, type RedrawFigures } from './keypress.js';

/**
 * Keypress-to-frame latency of the Snapshots pane on the sandbox's full set
 * (~30,000 snapshots on 3 volumes, ~10,000 rows in a drilled-in volume), at
 * 80x24, through the whole path a person feels. Target: median < 50 ms.
 * `where`: 'volumes' (the per-volume table) or 'volume' (one volume's snapshots).
 */
export async function measureSnapshotsPaneRedraw(where: 'volumes' | 'volume' = 'volume', presses = 20): Promise<RedrawFigures & { rows: number }> {
  const ctx = testContext();
  const store = createSessionFor(ctx, { size: { columns: 80, rows: 24 }, initialPane: 'snapshots' });
  const app = render(React.createElement(App, { ctx, store }));
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));
  try {
    await waitFor(() => selectedRow(app.lastFrame()), 'the volumes table', app.lastFrame, 20_000);
    await settle();
    let rows = 3;
    if (where === 'volume') {
      app.stdin.write('\r');
      const heading = await waitFor(() => lines(app.lastFrame()).find((l) => /^vol-\S+ [\d,]+ snapshots · /.test(l)), 'the drill-in', app.lastFrame, 10_000);
      rows = Number(/^vol-\S+ ([\d,]+) snapshots · /.exec(heading)?.[1]?.replace(/,/g, '') ?? 0);
      await settle();
    }

    // On 3 volume rows j/j/k/k keeps moving; on a long list mostly down.
    const key = (i: number): string => (where === 'volumes' ? (i % 4 < 2 ? 'j' : 'k') : i % 4 === 3 ? 'k' : 'j');
    return { ...(await measureKeypresses(app, { presses, key })), rows };
  } finally {
    app.unmount();
  }
}

// `node --import tsx test/bench/snapshots-pane.ts` prints the figures.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  for (const where of ['volumes', 'volume'] as const) {
    const r = await measureSnapshotsPaneRedraw(where);
    console.log(
      `snapshots pane (${where}, ${r.rows} rows): median ${r.medianMs.toFixed(1)} ms, p95 ${r.p95Ms.toFixed(1)} ms, CPU median ${r.cpuMedianMs.toFixed(1)} ms`,
    );
  }
  process.exit(0);
}
