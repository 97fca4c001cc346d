import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/defaults.js';
import { DATABASE_REFRESH_MS, isStale, refreshIntervalMs, SNAPSHOTS_REFRESH_MS, WEBCAM_REFRESH_MS } from '../../src/store/refresh.js';

describe('refresh intervals', () => {
  const config = defaultConfig();
  const with_ = (refreshSeconds: number, planMaxAgeMinutes: number) => ({
    fleet: { ...config.fleet, refreshSeconds },
    snapshots: { ...config.snapshots, planMaxAgeMinutes },
  });

  it('Fleet and Scaling follow fleet.refreshSeconds; Database 10 s; Webcam 60 s; Runbooks none', () => {
    const c = with_(7, 60);
    expect(refreshIntervalMs('fleet', c)).toBe(7000);
    expect(refreshIntervalMs('scaling', c)).toBe(7000);
    expect(refreshIntervalMs('database', c)).toBe(DATABASE_REFRESH_MS);
    expect(DATABASE_REFRESH_MS).toBe(10_000);
    expect(refreshIntervalMs('webcam', c)).toBe(WEBCAM_REFRESH_MS);
    expect(WEBCAM_REFRESH_MS).toBe(60_000);
    expect(refreshIntervalMs('runbooks', c)).toBeUndefined();
  });

  it('Snapshots: five minutes, or half the plan age limit when that is sooner', () => {
    expect(refreshIntervalMs('snapshots', with_(15, 60))).toBe(SNAPSHOTS_REFRESH_MS);
    expect(SNAPSHOTS_REFRESH_MS).toBe(300_000);
    expect(refreshIntervalMs('snapshots', with_(15, 10))).toBe(300_000);
    expect(refreshIntervalMs('snapshots', with_(15, 6))).toBe(180_000);
    expect(refreshIntervalMs('snapshots', with_(15, 1))).toBe(30_000);
  });

  it('stale only when older than the interval; never-loaded data and panes without one are not', () => {
    expect(isStale(1_000, 16_001, 15_000)).toBe(true);
    expect(isStale(1_000, 16_000, 15_000)).toBe(false);
    expect(isStale(1_000, 2_000, 15_000)).toBe(false);
    expect(isStale(undefined, 1e12, 15_000)).toBe(false);
    expect(isStale(0, 1e12, undefined)).toBe(false);
  });
});
