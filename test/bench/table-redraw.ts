import React from 'react';
import { render } from 'ink-testing-library';
import { App, createSessionFor } from '../../views/App.js';
import { fakeCloud, makeInstances, selectedRow, testContext, waitFor } from '../views/helpers.js';
import { measureKeypresses, type RedrawFigures } from './keypress.js';

export type { RedrawFigures };

/**
 * Keypress-to-frame latency of the Fleet table with `rows` instances at 80x24.
 * Target: median < 50 ms at 10,000.
 */
export async function measureTableRedraw(rows: number, presses = 20): Promise<RedrawFigures> {
  const ctx = testContext({ cloud: fakeCloud(() => makeInstances(rows)) });
  const store = createSessionFor(ctx, { size: { columns: 80, rows: 24 } });
  const app = render(React.createElement(App, { ctx, store }));
  try {
    await waitFor(() => selectedRow(app.lastFrame()), 'the fleet table', app.lastFrame, 10_000);
    return await measureKeypresses(app, { presses });
  } finally {
    app.unmount();
  }
}

// `node --import tsx test/bench/table-redraw.ts [rows]` prints the figures.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const rows = Number(process.argv[2] ?? 10_000);
  const r = await measureTableRedraw(rows);
  console.log(
    `table redraw, ${rows} rows: median ${r.medianMs.toFixed(1)} ms, p95 ${r.p95Ms.toFixed(1)} ms, CPU median ${r.cpuMedianMs.toFixed(1)} ms`,
  );
  process.exit(0);
}
