/**
 * Bench: plan 100,000 snapshots over 50 volumes (issue 4 target: under 300 ms).
 * Measures the whole pure planning step (policy + plan object), not the listing.
 */
import { performance } from 'node:perf_hooks';
import { buildPlan } from '../../src/snapshots/plan.js';
import { defaultPolicy, type RetentionPolicy } from '../../src/snapshots/policy.js';
import { hourlySet } from '../unit/snapshots-fixtures.js';

export function measurePlan(snapshots = 100_000, volumes = 50, policy: RetentionPolicy = defaultPolicy): { ms: number } {
  const now = new Date('2026-11-21T12:00:00Z');
  const set = hourlySet(snapshots, volumes, now);
  const usedByImage = new Map<string, string>();
  for (let i = 0; i < set.length; i += 997) usedByImage.set(set[i]?.id ?? '', 'ami-0bench');
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const plan = buildPlan({ snapshots: set, usedByImage, now, policy, scope: {}, source: 'bench' });
    runs.push(performance.now() - t0);
    if (plan.totals.snapshots !== set.length) throw new Error('bench plan lost snapshots');
  }
  runs.sort((a, b) => a - b);
  return { ms: Math.round((runs[Math.floor(runs.length / 2)] ?? 0) * 10) / 10 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('plan 100k/50 UTC', measurePlan());
  console.log('plan 100k/50 Europe/Berlin', measurePlan(100_000, 50, { ...defaultPolicy, timeZone: 'Europe/Berlin' }));
}
