import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadWithoutFetch } from '../../views/launch.js';

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
  vi.resetModules();
});

describe('loadWithoutFetch (the TUI loads Ink with no global fetch)', () => {
  it('yoga, Ink\'s layout engine, otherwise reads its own WebAssembly through fetch', async () => {
    const spy = vi.fn(realFetch);
    globalThis.fetch = spy as typeof fetch;
    vi.resetModules();
    const { default: Yoga } = await import('yoga-layout');
    expect(Yoga.Node.create()).toBeDefined();
    expect(spy).toHaveBeenCalled();
  });

  it('without it, yoga decodes the bytes itself and works the same', async () => {
    const spy = vi.fn(realFetch);
    globalThis.fetch = spy as typeof fetch;
    vi.resetModules();
    const { default: Yoga } = await loadWithoutFetch(() => import('yoga-layout'));
    const node = Yoga.Node.create();
    node.setWidth(80);
    node.calculateLayout(undefined, undefined, Yoga.DIRECTION_LTR);
    expect(node.getComputedWidth()).toBe(80);
    expect(spy).not.toHaveBeenCalled();
    expect(globalThis.fetch).toBe(spy);
  });

  it('puts fetch back when the load fails', async () => {
    await expect(
      loadWithoutFetch(async () => {
        expect(typeof globalThis.fetch).toBe('undefined');
        throw new Error('load failed');
      }),
    ).rejects.toThrow('load failed');
    expect(globalThis.fetch).toBe(realFetch);
  });
});
