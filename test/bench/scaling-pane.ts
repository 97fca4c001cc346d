import { performance } from 'node:perf_hooks';
import React from 'react';
import { render } from 'ink-testing-library';
import type { AutoScalingGroup, ScalingPolicy, ScalingPort, ScheduledAction } from '../../src/cloud/ports.js';
import { readStatus } from '../../src/scaling/status.js';
import { App, createSessionFor } from '../../views/App.js';
import { fakeCloud, selectedRow, testContext, unusedPort, waitFor } from '../views/helpers.js';
import { measureKeypresses, type RedrawFigures } from './keypress.js';

/**
 * The Scaling pane with `groups` groups of 25 instances each (200 groups:
 * 5,000 instances), the port answering at once so what is timed is ours:
 * the keypress redraw of the groups table, and a full refresh's work
 * (summaries from the three listings).
 */
function world(groups: number): ScalingPort {
  const names = Array.from({ length: groups }, (_, g) => `app-${String(g).padStart(3, '0')}`);
  const all: AutoScalingGroup[] = names.map((name, g) => ({
    name,
    minSize: 2,
    maxSize: 40,
    desiredCapacity: 25,
    instances: Array.from({ length: 25 }, (_, i) => ({
      id: `i-0${(g * 25 + i).toString(16).padStart(16, '0')}`,
      lifecycleState: i === 0 ? 'Pending' : 'InService',
      healthStatus: 'Healthy',
      availabilityZone: `us-east-1${'abc'[i % 3]}`,
      instanceType: 'm5.large',
      launchTemplate: `${name}-lt`,
      launchTemplateVersion: i % 5 === 0 ? '3' : '4',
      protectedFromScaleIn: false,
    })),
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    launchTemplate: `${name}-lt`,
    launchTemplateVersion: '4',
    tags: {},
    createdTime: new Date('2025-01-01T00:00:00Z'),
  }));
  const policies: ScalingPolicy[] = names.map((groupName) => ({ name: 'cpu50', groupName, kind: 'TargetTrackingScaling', enabled: true, targetTracking: { metric: 'ASGAverageCPUUtilization', targetValue: 50, disableScaleIn: false }, alarms: [] }));
  const actions: ScheduledAction[] = names.map((groupName, g) => ({ name: 'morning', groupName, startTime: new Date(Date.UTC(2026, 2, 2, 7, g % 60)), minSize: 6 }));
  const port = unusedPort<ScalingPort>();
  return Object.assign(Object.create(port) as ScalingPort, {
    describeGroups: async () => all,
    describePolicies: async () => policies,
    describeScheduledActions: async () => actions,
  });
}

export async function measureScalingPaneRedraw(groups: number, presses = 20): Promise<RedrawFigures> {
  const cloud = { ...fakeCloud(() => []), scaling: world(groups) };
  const ctx = testContext({ cloud });
  const store = createSessionFor(ctx, { size: { columns: 100, rows: 30 }, initialPane: 'scaling' });
  const app = render(React.createElement(App, { ctx, store }));
  try {
    await waitFor(() => selectedRow(app.lastFrame()), 'the groups table', app.lastFrame, 20_000);
    await new Promise((r) => setTimeout(r, 50));
    // down and up in turn: a 10-group reference list must not run out of rows to move to
    return await measureKeypresses(app, { presses, key: (i) => (i % 2 === 0 ? 'j' : 'k') });
  } finally {
    app.unmount();
  }
}

/** Median ms of a full status read with the port answering at once: the work a refresh adds to the calls' time. */
export async function measureScalingRefresh(groups: number, runs = 7): Promise<number> {
  const port = world(groups);
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await readStatus(port, { now: new Date('2026-03-01T12:00:00Z'), source: 'bench' });
    xs.push(performance.now() - t0);
  }
  return xs.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? Number.NaN;
}

// `node --import tsx test/bench/scaling-pane.ts` prints the figures.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const r = await measureScalingPaneRedraw(200);
  console.log(`scaling pane (200 groups, 5,000 instances): median ${r.medianMs.toFixed(1)} ms, p95 ${r.p95Ms.toFixed(1)} ms, CPU ${r.cpuMedianMs.toFixed(1)} ms`);
  console.log(`scaling refresh work (200 groups): ${(await measureScalingRefresh(200)).toFixed(1)} ms`);
  process.exit(0);
}
