/**
 * The Fleet row's colour and symbol: the worst of the EC2 state, the
 * HAProxy admin state and the check health. One table feeds the rows and
 * the `?` legend, so the two cannot drift apart; the symbol carries the
 * same news on monochrome terminals and for colour-blind eyes.
 */
import type { Instance } from '../../src/cloud/ports.js';
import { serverHealth } from '../../src/haproxy/health.js';
import type { PoolView } from '../../src/haproxy/pool.js';
import type { LegendEntry } from './types.js';

export type HealthLevel = 'down' | 'maint' | 'drain' | 'off' | 'up';

/** Worst first: a row takes the first level any of its sources reaches. */
export const HEALTH_LEVELS: readonly { level: HealthLevel; color: string; symbol: string; meaning: string }[] = [
  { level: 'down', color: 'red', symbol: '✖', meaning: 'server failing its health checks (DOWN)' },
  { level: 'maint', color: 'magenta', symbol: '■', meaning: 'server in maintenance (MAINT): no traffic' },
  { level: 'drain', color: 'yellow', symbol: '◐', meaning: 'server draining (DRAIN, NOLB), or instance pending/stopping' },
  { level: 'off', color: 'gray', symbol: '○', meaning: 'instance stopped or terminated' },
  { level: 'up', color: 'green', symbol: '●', meaning: 'running; its server UP or ready' },
];

const BY_LEVEL = new Map(HEALTH_LEVELS.map((h) => [h.level, h]));
const RANK = new Map(HEALTH_LEVELS.map((h, i) => [h.level, i]));

const EC2_LEVEL: Record<string, HealthLevel> = {
  running: 'up',
  pending: 'drain',
  stopping: 'drain',
  'shutting-down': 'drain',
  stopped: 'off',
  terminated: 'off',
};

function worst(levels: readonly HealthLevel[]): HealthLevel {
  return levels.reduce((a, b) => ((RANK.get(b) ?? 0) < (RANK.get(a) ?? 0) ? b : a), 'up');
}

export function rowHealth(inst: Instance, pool: PoolView | undefined): HealthLevel {
  const levels: HealthLevel[] = [EC2_LEVEL[inst.state] ?? 'drain'];
  const s = pool?.live.get(inst.id);
  if (s) {
    if (s.admin === 'maint') levels.push('maint');
    if (s.admin === 'drain') levels.push('drain');
    const h = serverHealth(s);
    if (h === 'DOWN') levels.push('down');
    if (h === 'NOLB') levels.push('drain');
  }
  return worst(levels);
}

export function healthStyle(level: HealthLevel): { color: string; symbol: string } {
  const h = BY_LEVEL.get(level) ?? HEALTH_LEVELS[HEALTH_LEVELS.length - 1]!;
  return { color: h.color, symbol: h.symbol };
}

/** Sort key: worst first. */
export function healthRank(level: HealthLevel): number {
  return RANK.get(level) ?? HEALTH_LEVELS.length;
}

/** The `?` legend: every colour and symbol the rows use, and the POOL column's values. */
export const FLEET_LEGEND: readonly LegendEntry[] = [
  ...HEALTH_LEVELS.map((h) => ({ mark: h.symbol, color: h.color, meaning: h.meaning })),
  { mark: '+join', meaning: 'POOL: joins the pool with the pending sync (a applies)' },
  { mark: '-leave', meaning: 'POOL: leaves the pool with the pending sync' },
  { mark: '~yes', meaning: 'POOL: in the pool; its server line changes with the sync' },
  { mark: '!skip', meaning: 'POOL: left out by discovery (Enter says why)' },
  { mark: 'A·H', meaning: 'SERVER: admin state · health, e.g. DRAIN·DOWN; sim: sandbox' },
];
