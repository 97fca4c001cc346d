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
