/**
 * How old a pane's data may get before it is refreshed: on a timer while the
 * pane is on screen, and at once when a person comes back to it (switching
 * panes, closing help) with data older than that. Someone who switches to
 * Fleet during an incident must not read a minute-old pool for another 15 s.
 */
import type { Config } from '../config/schema.js';

/** A MySQL server's replication state changes by the second: as often as the probes can afford. */
export const DATABASE_REFRESH_MS = 10_000;
/** A capture a minute at most: the webcam's status moves no faster. */
export const WEBCAM_REFRESH_MS = 60_000;
/** Listing every snapshot is heavy (100k of them take seconds): five minutes, or sooner if plans expire sooner. */
export const SNAPSHOTS_REFRESH_MS = 5 * 60_000;

/** The refresh interval of a pane, in ms; undefined for panes whose data a person loads (Runbooks). */
export function refreshIntervalMs(paneId: string, config: Pick<Config, 'fleet' | 'snapshots'>): number | undefined {
  switch (paneId) {
    case 'fleet':
    case 'scaling':
      return config.fleet.refreshSeconds * 1000;
    case 'database':
      return DATABASE_REFRESH_MS;
    case 'webcam':
      return WEBCAM_REFRESH_MS;
    case 'snapshots':
      // half the plan's age limit: a plan read on return is never near refusal at confirm
      return Math.min(SNAPSHOTS_REFRESH_MS, (config.snapshots.planMaxAgeMinutes * 60_000) / 2);
    default:
      return undefined;
  }
}

/**
 * True when data refreshed at `refreshedAtMs` is older than the interval.
 * Never loaded: false, the pane's first load is under way (or failed and says so).
 */
export function isStale(refreshedAtMs: number | undefined, nowMs: number, intervalMs: number | undefined): boolean {
  if (refreshedAtMs === undefined || intervalMs === undefined) return false;
  return nowMs - refreshedAtMs > intervalMs;
}
