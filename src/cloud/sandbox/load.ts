import { mix32 } from './rng.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * Daily load in [0, 1]: quiet at 04:00 UTC, busy at 16:00, weekends lighter,
 * plus seeded noise per 15-minute slot so the curve looks measured, not drawn.
 */
export function loadAt(ms: number, seed: number): number {
  const phase = (ms % DAY) / DAY;
  const base = 0.5 - 0.5 * Math.cos(2 * Math.PI * (phase - 4 / 24));
  const weekday = new Date(ms).getUTCDay();
  const weekend = weekday === 0 || weekday === 6 ? 0.75 : 1;
  const slot = Math.floor(ms / (15 * MINUTE));
  const noise = (mix32(slot ^ mix32(seed)) / 4294967296 - 0.5) * 0.16;
  return Math.min(1, Math.max(0, base * weekend + noise));
}
