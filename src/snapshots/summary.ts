/**
 * Views of a plan for people: deletions grouped by volume and kind of reason,
 * with counts, sizes and date ranges. Shared by batch text output and the TUI.
 */
import type { ApplySummary } from './execute.js';
import type { PlannedDeletion, SnapshotPlan } from './plan.js';

export interface DeletionGroup {
  volumeId: string;
  /** the reason without its bucket label: "older than 365 days", "not newest of its day" */
  kind: string;
  count: number;
  oldest: string;
  newest: string;
}

const SUPERSEDED = /^not newest of (day|ISO week|month) /;

export function reasonKind(reason: string): string {
  const m = SUPERSEDED.exec(reason);
  return m ? `not newest of its ${m[1]}` : reason;
}

export function groupDeletions(deletions: readonly PlannedDeletion[]): DeletionGroup[] {
  const groups = new Map<string, DeletionGroup>();
  for (const d of deletions) {
    const kind = reasonKind(d.reason);
    const key = `${d.volumeId}\u0000${kind}`;
    let g = groups.get(key);
    if (!g) {
      g = { volumeId: d.volumeId, kind, count: 0, oldest: d.startTime, newest: d.startTime };
      groups.set(key, g);
    }
    g.count++;
    // ISO strings in UTC compare chronologically
    if (d.startTime < g.oldest) g.oldest = d.startTime;
    if (d.startTime > g.newest) g.newest = d.startTime;
  }
  return [...groups.values()].sort((a, b) => (a.volumeId < b.volumeId ? -1 : a.volumeId > b.volumeId ? 1 : b.count - a.count));
}

/** "all 24h · newest per day 7d · per ISO week 31d · per month 365d (UTC) + keep-daily 3" */
export function describePolicy(plan: Pick<SnapshotPlan, 'policy'>): string {
  const { windows: w, keep, timeZone } = plan.policy;
  const parts = [
    `all ${w.keepAllHours}h`,
    `newest per day ${w.dailyDays}d`,
    `per ISO week ${w.weeklyDays}d`,
    `per month ${w.monthlyDays}d`,
  ];
  const extra: string[] = [];
  for (const k of ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const) {
    const n = keep[k];
    if (n !== undefined && n > 0) extra.push(`keep-${k} ${n}`);
  }
  if (keep.tag?.length) extra.push(`keep-tag ${keep.tag.join(',')}`);
  return `${parts.join(' · ')} (${timeZone})${extra.length ? ` + ${extra.join(', ')}` : ''}`;
}

export function describeScope(plan: Pick<SnapshotPlan, 'scope'>): string {
  const parts: string[] = [];
  if (plan.scope.volumeIds?.length) parts.push(`volumes ${plan.scope.volumeIds.join(', ')}`);
  for (const [k, v] of Object.entries(plan.scope.tags ?? {})) parts.push(`tag ${k}=${v.join('|')}`);
  return parts.length ? parts.join(', ') : 'all volumes';
}

/** "deleted 4,512 · skipped in use 3 · already gone 12 · failed 3" */
export function describeResult(s: ApplySummary): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const parts = [
    `deleted ${n(s.deleted.length)}`,
    `skipped in use ${n(s.skippedInUse.length)}`,
    `already gone ${n(s.alreadyGone.length)}`,
    `failed ${n(s.failed.length)}`,
  ];
  if (s.cancelled) parts.push(`cancelled, ${n(s.notAttempted)} not attempted`);
  return parts.join(' · ');
}

/**
 * What is known about the size of what a plan deletes: the full size EC2
 * reports, where it does. Never a freed amount: snapshots are incremental.
 */
export function describeDeleteSize(totals: { delete: number; deleteFullBytes: number; fullSizeUnknown: number }, short = false): string {
  if (totals.delete === 0) return 'nothing to delete';
  const gib = (b: number): string => `${(b / 2 ** 30).toLocaleString('en-US', { maximumFractionDigits: 1 })} GiB`;
  // the TUI's dialogs are 80 columns at most
  if (short) return totals.fullSizeUnknown === totals.delete ? 'space freed: unknown (snapshots are incremental)' : `full size ${gib(totals.deleteFullBytes)}; space freed: less, unknown`;
  if (totals.fullSizeUnknown === totals.delete) return 'full size not reported by EC2; what deleting frees: unknown (snapshots are incremental)';
  const part = totals.fullSizeUnknown > 0 ? ` (${totals.fullSizeUnknown.toLocaleString('en-US')} without a reported size)` : '';
  return `full size of the snapshots to delete: ${gib(totals.deleteFullBytes)}${part}; what deleting frees: less, and unknown (snapshots are incremental)`;
}
