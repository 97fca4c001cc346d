import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/defaults.js';
import { configSchema } from '../../src/config/schema.js';

describe('config defaults without zod', () => {
  it('equal what the schema gives an empty file (change both when an area changes a default)', () => {
    expect(defaultConfig()).toStrictEqual(configSchema.parse({}));
  });

  it('are a fresh copy each time, so one caller editing them cannot change another', () => {
    const a = defaultConfig();
    a.haproxy.backends.push('other');
    a.webcam.sizes.length = 0;
    expect(defaultConfig().haproxy.backends).toEqual(['www_farm']);
    expect(defaultConfig().webcam.sizes).toEqual([1280, 640, 160]);
  });

  it('keep snapshots tagged retain unless the config says keep.tag: [], even when it sets other counts', () => {
    expect(configSchema.parse({}).snapshots.keep.tag).toEqual(['retain']);
    expect(configSchema.parse({ snapshots: { keep: { last: 3 } } }).snapshots.keep).toEqual({ last: 3, tag: ['retain'] });
    expect(configSchema.parse({ snapshots: { keep: { tag: [] } } }).snapshots.keep.tag).toEqual([]);
  });
});
