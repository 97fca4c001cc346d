import { describe, expect, it } from 'vitest';
import type { ComputePort, ListOptions, Snapshot } from '../../src/cloud/ports.js';
import { gatherInventory } from '../../src/snapshots/plan.js';

const snap = (n: number): Snapshot => ({ id: `snap-${n}`, volumeId: 'vol-1', startTime: new Date(n * 1000), state: 'completed', progress: '100%', sizeGiB: 8, description: undefined, tags: {} });

describe('gatherInventory progress', () => {
  it('"listing snapshots: N" counts snapshots, never the images listed beside them', async () => {
    const compute = {
      async describeSnapshots(_f: unknown, o: ListOptions = {}) {
        o.onPage?.({ pages: 1, items: 2 });
        o.onPage?.({ pages: 2, items: 3 });
        return [snap(1), snap(2), snap(3)];
      },
      async describeImages(o: ListOptions = {}) {
        // 40 images: were they counted, the progress would jump past the snapshots
        o.onPage?.({ pages: 1, items: 40 });
        return [{ id: 'ami-1', name: undefined, state: 'available', creationDate: undefined, snapshotIds: ['snap-2'] }];
      },
    } as unknown as ComputePort;
    const seen: number[] = [];
    const inv = await gatherInventory(compute, {}, { onPage: (p) => seen.push(p.items) });
    expect(seen).toEqual([2, 3]);
    expect(inv.snapshots).toHaveLength(3);
    expect(inv.usedByImage.get('snap-2')).toBe('ami-1');
  });
});

describe('plan sizes', () => {
  it('sums the full sizes EC2 reports for what is deleted, counts the unreported, and never calls it freed', async () => {
    const { buildPlan } = await import('../../src/snapshots/plan.js');
    const { describeDeleteSize } = await import('../../src/snapshots/summary.js');
    const countOnly = { timeZone: 'UTC', windows: { keepAllHours: 0, dailyDays: 0, weeklyDays: 0, monthlyDays: 0 }, keep: { last: 1 } };
    const snaps = [1, 2, 3, 4].map((n) => ({ ...snap(n), sizeGiB: n === 4 ? 200 : 100, ...(n < 3 ? { fullSizeBytes: n * 2 ** 30 } : {}) }));
    const plan = buildPlan({ snapshots: snaps, usedByImage: new Map(), now: new Date(10_000), policy: countOnly, scope: {}, source: 'test' });
    // snap-4 (newest) is kept; 1, 2 (reported 1 and 2 GiB) and 3 (unreported) go
    expect(plan.volumes[0]).toMatchObject({ volumeSizeGiB: 200, delete: 3, deleteFullBytes: 3 * 2 ** 30, fullSizeUnknown: 1 });
    expect(plan.totals).toMatchObject({ delete: 3, deleteFullBytes: 3 * 2 ** 30, fullSizeUnknown: 1 });
    expect(describeDeleteSize(plan.totals)).toBe('full size of the snapshots to delete: 3 GiB (1 without a reported size); what deleting frees: less, and unknown (snapshots are incremental)');
  });
});
