import { describe, expect, it } from 'vitest';
import { latestLoader, type LoadOutcome } from '../../src/store/latest.js';

/** A load whose calls finish only when the test says so, returning what the "world" held when each started. */
function gatedWorld() {
  let state = 'before';
  const gates: (() => void)[] = [];
  const load = (): Promise<string> => {
    const seen = state;
    return new Promise((resolve) => gates.push(() => resolve(seen)));
  };
  return {
    load,
    set: (s: string) => (state = s),
    release: async () => {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
    pending: () => gates.length,
  };
}

describe('latestLoader', () => {
  it('a request during a load (e.g. after an apply) is not dropped, and the stale result is never shown', async () => {
    const world = gatedWorld();
    const shown: LoadOutcome<string>[] = [];
    const loader = latestLoader(world.load, (o) => shown.push(o));

    const autoRefresh = loader.request(); // reads 'before'
    world.set('after'); // the apply lands while that load is in flight
    const afterApply = loader.request();
    await world.release(); // the stale load ends: must not be delivered
    expect(shown).toEqual([]);
    expect(world.pending()).toBe(1); // ...and the load runs again
    await world.release();
    await Promise.all([autoRefresh, afterApply]);
    expect(shown).toEqual([{ ok: true, value: 'after' }]);
  });

  it('runs one load at a time and coalesces a burst of requests into one more load', async () => {
    const world = gatedWorld();
    const shown: LoadOutcome<string>[] = [];
    const loader = latestLoader(world.load, (o) => shown.push(o));
    void loader.request();
    void loader.request();
    void loader.request();
    expect(world.pending()).toBe(1);
    await world.release();
    expect(world.pending()).toBe(1);
    await world.release();
    expect(world.pending()).toBe(0);
    expect(shown).toHaveLength(1);
  });

  it('delivers failures too, and nothing after stop()', async () => {
    const shown: LoadOutcome<string>[] = [];
    const failing = latestLoader(() => Promise.reject(new Error('EC2 said no')), (o) => shown.push(o));
    await failing.request();
    expect(shown).toMatchObject([{ ok: false, error: { message: 'EC2 said no' } }]);

    const world = gatedWorld();
    const after: LoadOutcome<string>[] = [];
    const loader = latestLoader(world.load, (o) => after.push(o));
    const p = loader.request();
    loader.stop();
    await world.release();
    await p;
    expect(after).toEqual([]);
  });
});
