/**
 * Ages and durations, one wording for the TUI and batch output, so a person
 * reading cron mail and the console sees the same "380d" for the same instance.
 */

/**
 * "12s", "4m", "3h5m", "16h", "2d4h", "380d": coarse ages a person scans in a
 * table, never wider than 5 cells (the second unit goes once it would not fit).
 */
export function formatAge(ms: number): string {
  // A little clock skew between the API and this machine is "just now", never a negative age.
  if (!Number.isFinite(ms)) return '-';
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 10) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 24) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 10) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return `${d}d`;
}

/** "1.2s", "3m04s", "1h02m": ETAs and durations. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  if (s < 10) return `${(ms / 1000).toFixed(1)}s`;
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
