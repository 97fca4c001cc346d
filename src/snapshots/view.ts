/**
 * Pane-ready views of a plan (no React here): decisions per volume and a
 * timeline strip showing where the kept snapshots fall.
 */
import type { PlannedDecision, SnapshotPlan } from './plan.js';

const HOUR = 3_600_000;

/** Decisions grouped by volume, newest first (the order the policy produced). */
export function decisionsByVolume(plan: SnapshotPlan): Map<string, PlannedDecision[]> {
  const out = new Map<string, PlannedDecision[]>();
  for (const d of plan.decisions ?? []) {
    let list = out.get(d.volumeId);
    if (!list) out.set(d.volumeId, (list = []));
    list.push(d);
  }
  return out;
}

/**
 * One character per slice of age, newest on the left, on a log scale from 1 h
 * to `spanHours` so that the dense recent keeps and the sparse monthly ones
 * both show: '█' a kept snapshot, '·' only deletions, ' ' nothing.
 */
export function timelineStrip(decisions: readonly PlannedDecision[], nowMs: number, width: number, spanHours = 14 * 30 * 24): string {
  if (width <= 0) return '';
  const cells = new Array<number>(width).fill(0); // 0 empty, 1 deletions only, 2 kept
  const logSpan = Math.log(spanHours);
  for (const d of decisions) {
    const ageH = Math.max(1, (nowMs - Date.parse(d.startTime)) / HOUR);
    const i = Math.min(width - 1, Math.floor((Math.log(ageH) / logSpan) * width));
    const v = d.action === 'keep' ? 2 : 1;
    if ((cells[i] ?? 0) < v) cells[i] = v;
  }
  return cells.map((c) => (c === 2 ? '█' : c === 1 ? '·' : ' ')).join('');
}

/** "kept", "delete", "ami", "busy": a colour class for a decision row. */
export function decisionClass(d: PlannedDecision): 'keep' | 'delete' | 'pinned' | 'unfinished' {
  if (d.action === 'delete') return 'delete';
  if (d.keptBy[0] === 'not-completed') return 'unfinished';
  if (d.keptBy[0] === 'ami' || d.keptBy[0] === 'tag') return 'pinned';
  return 'keep';
}

/** A plan older than the limit must be refreshed before it is applied. */
export function planAgeMinutes(plan: SnapshotPlan, nowMs: number): number {
  return (nowMs - Date.parse(plan.createdAt)) / 60_000;
}
