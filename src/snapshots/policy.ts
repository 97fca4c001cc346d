/**
 * Retention policy engine: pure, no I/O. Given a volume's snapshots and `now`,
 * decide keep or delete for each, with the reason a person reads.
 *
 * Unlike the 2009 recipe this keeps the NEWEST of each bucket, keys weeks by
 * ISO week-year and months by year (the recipe's "11" collides across years),
 * and never deletes the newest completed snapshot of a volume, an in-progress
 * snapshot or one an AMI uses.
 *
 * Idempotence (re-planning after applying a plan at the same `now` deletes
 * nothing more) holds because every keep rule depends only on the snapshot's
 * own time and on which snapshots are newer than it within the same bucket:
 * deleting a bucket's non-newest members never changes any bucket's newest.
 */
import type { Snapshot } from '../cloud/ports.js';
import type { SnapshotsConfig } from './config.js';
import { ZoneCalendar, type BucketUnit } from './calendar.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface RetentionWindows {
  keepAllHours: number;
  dailyDays: number;
  weeklyDays: number;
  monthlyDays: number;
}

export interface CountRules {
  last?: number | undefined;
  hourly?: number | undefined;
  daily?: number | undefined;
  weekly?: number | undefined;
  monthly?: number | undefined;
  yearly?: number | undefined;
  /** "key" (tag present) or "key=value" */
  tag?: string[] | undefined;
}

export interface RetentionPolicy {
  timeZone: string;
  windows: RetentionWindows;
  keep: CountRules;
}

export const defaultPolicy: RetentionPolicy = {
  timeZone: 'UTC',
  windows: { keepAllHours: 24, dailyDays: 7, weeklyDays: 31, monthlyDays: 365 },
  keep: { tag: ['retain'] },
};

export function policyFromConfig(c: SnapshotsConfig): RetentionPolicy {
  return { timeZone: c.timeZone, windows: { ...c.windows }, keep: { ...c.keep } };
}

/** Why a snapshot is kept; a snapshot may be kept by several rules, the first one listed names the reason. */
export type KeepRule =
  | 'not-completed'
  | 'ami'
  | 'tag'
  | 'newest'
  | 'recent'
  | 'day'
  | 'week'
  | 'month'
  | 'last'
  | 'hourly'
  | 'daily'
  | 'weekly'
  | 'monthly'
  | 'yearly';

export type WindowUnit = 'day' | 'week' | 'month';

export interface Decision {
  snapshot: Snapshot;
  action: 'keep' | 'delete';
  reason: string;
  keptBy: readonly KeepRule[];
  /** The bucketed window the snapshot's age falls in, if any (kept or not); shared by a bucket's decisions. */
  window?: WindowBucket | undefined;
}

export interface WindowBucket {
  readonly unit: WindowUnit;
  readonly bucket: number;
  readonly label: string;
}

/** Shared by every snapshot no rule keeps: 100k plans allocate as little as possible (GC dominated). */
const NO_RULES: readonly KeepRule[] = Object.freeze([]);
const NOT_COMPLETED: readonly KeepRule[] = Object.freeze(['not-completed'] as KeepRule[]);

interface BucketState {
  window: WindowBucket;
  /** the delete reason of every older member: names the bucket's keeper (its newest, seen first) */
  supersededReason: string;
}

export interface PolicyInput {
  snapshots: readonly Snapshot[];
  now: Date;
  policy: RetentionPolicy;
  /** snapshot id -> id of an AMI that references it */
  usedByImage: ReadonlyMap<string, string>;
}

const windowNoun: Record<WindowUnit, string> = { day: 'day', week: 'ISO week', month: 'month' };
const WINDOW_UNITS: readonly WindowUnit[] = ['day', 'week', 'month'];
const countUnit: Record<'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly', BucketUnit> = {
  hourly: 'hour',
  daily: 'day',
  weekly: 'week',
  monthly: 'month',
  yearly: 'year',
};
const countRules = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;

function describeSpan(ms: number): string {
  if (ms < 2 * DAY) return `${Math.round(ms / HOUR)}h`;
  const days = Math.round(ms / DAY);
  return `${days} days`;
}

export interface TagRule {
  key: string;
  value: string | undefined;
}

export function parseTagRules(specs: readonly string[] | undefined): TagRule[] {
  return (specs ?? []).map((s) => {
    const i = s.indexOf('=');
    return i < 0 ? { key: s, value: undefined } : { key: s.slice(0, i), value: s.slice(i + 1) };
  });
}

export function matchTag(tags: Snapshot['tags'], rules: readonly TagRule[]): string | undefined {
  for (const r of rules) {
    const v = tags[r.key];
    if (v !== undefined && (r.value === undefined || r.value === v)) return `${r.key}=${v}`;
  }
  return undefined;
}

/** Decide every snapshot (once per id). Output is grouped by volume, newest first within a volume. */
export function decide(input: PolicyInput): Decision[] {
  const byVolume = new Map<string, Snapshot[]>();
  for (const s of input.snapshots) {
    let list = byVolume.get(s.volumeId);
    if (!list) byVolume.set(s.volumeId, (list = []));
    list.push(s);
  }
  const cal = new ZoneCalendar(input.policy.timeZone);
  const out: Decision[] = [];
  for (const volumeId of [...byVolume.keys()].sort()) {
    decideVolume(byVolume.get(volumeId) ?? [], input, cal, out);
  }
  return out;
}

function decideVolume(snaps: Snapshot[], input: PolicyInput, cal: ZoneCalendar, out: Decision[]): void {
  const { policy, usedByImage } = input;
  const now = input.now.getTime();
  const w = policy.windows;
  const recentEnd = w.keepAllHours * HOUR;
  // Each window keeps the newest of its own buckets over its whole length, measured back from
  // now (restic's --keep-within-* combine the same way). Nested windows lost data under daily
  // rotation: a month's last days shared an ISO week with the next month, the weekly tier kept
  // only the later day, and the month was gone before the monthly tier reached it.
  const windowEnd: Record<WindowUnit, number> = { day: w.dailyDays * DAY, week: w.weeklyDays * DAY, month: w.monthlyDays * DAY };
  const monthEnd = Math.max(recentEnd, windowEnd.day, windowEnd.week, windowEnd.month);
  const tagRules = parseTagRules(policy.keep.tag);
  const expiredReason = monthEnd > 0 ? `older than ${describeSpan(monthEnd)}` : 'not kept by any rule';
  const recentReason = `within ${describeSpan(recentEnd)}`;
  const last = policy.keep.last;

  // Sort once on precomputed times (100k snapshots: no getTime() in the comparator).
  const n = snaps.length;
  const times = new Float64Array(n);
  const order: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    times[i] = (snaps[i] as Snapshot).startTime.getTime();
    order[i] = i;
  }
  order.sort((a, b) => {
    const d = (times[b] as number) - (times[a] as number);
    if (d !== 0) return d;
    const ia = (snaps[a] as Snapshot).id;
    const ib = (snaps[b] as Snapshot).id;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });

  const buckets: Record<WindowUnit, Map<number, BucketState>> = { day: new Map(), week: new Map(), month: new Map() };
  const countSeen: Record<string, { last: number | undefined; n: number }> = {};
  for (const r of countRules) countSeen[r] = { last: undefined, n: 0 };
  let completedIndex = 0;
  // Per-snapshot verdict, reset each iteration; one closure for the whole volume.
  let keptBy: KeepRule[] | undefined;
  let reason: string | undefined;
  const keep = (rule: KeepRule, why: string): void => {
    (keptBy ??= []).push(rule);
    reason ??= why;
  };

  let previousId: string | undefined;
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    const s = snaps[i] as Snapshot;
    // A listing can repeat a snapshot (pages shifting while snapshots are created).
    // A second copy would look "not newest of its bucket" and get the bucket's
    // keeper deleted: decide each id once (copies sort next to each other).
    if (s.id === previousId) continue;
    previousId = s.id;
    if (s.state !== 'completed') {
      out.push({ snapshot: s, action: 'keep', reason: 'not completed — ignored', keptBy: NOT_COMPLETED });
      continue;
    }
    const t = times[i] as number;
    const age = now - t;
    keptBy = undefined;
    reason = undefined;
    let deleteReason = expiredReason;

    const ami = usedByImage.get(s.id);
    if (ami !== undefined) keep('ami', `used by ${ami} — skipped`);
    if (tagRules.length) {
      const tag = matchTag(s.tags, tagRules);
      if (tag !== undefined) keep('tag', `tag ${tag} — kept`);
    }
    if (completedIndex === 0) keep('newest', 'newest of volume — never deleted');

    let window: Decision['window'];
    if (age < recentEnd) keep('recent', recentReason);
    for (const unit of WINDOW_UNITS) {
      if (age >= windowEnd[unit]) continue;
      const bucket = cal.bucketId(unit, t);
      let state = buckets[unit].get(bucket);
      if (state === undefined) {
        // newest first: the first snapshot seen in a bucket is its newest
        const label = cal.label(unit, bucket);
        state = { window: { unit, bucket, label }, supersededReason: `not newest of ${windowNoun[unit]} ${label} (${s.id} kept)` };
        buckets[unit].set(bucket, state);
        keep(unit, `newest of ${windowNoun[unit]} ${label}`);
      } else if (deleteReason === expiredReason) {
        // the finest window it falls in names why it goes
        deleteReason = state.supersededReason;
      }
      window ??= state.window;
    }

    if (last !== undefined && completedIndex < last) keep('last', `keep-last ${last}`);
    for (const rule of countRules) {
      const limit = policy.keep[rule];
      if (limit === undefined || limit <= 0) continue;
      const seen = countSeen[rule];
      if (!seen || seen.n >= limit) continue;
      const unit = countUnit[rule];
      const bucket = cal.bucketId(unit, t);
      // restic: walking newest first, the first snapshot of each new bucket is its newest.
      if (bucket !== seen.last) {
        seen.last = bucket;
        seen.n++;
        keep(rule, `keep-${rule} ${limit}: newest of ${unit} ${cal.label(unit, bucket)}`);
      }
    }

    completedIndex++;
    out.push(
      reason !== undefined
        ? { snapshot: s, action: 'keep', reason, keptBy: keptBy ?? NO_RULES, window }
        : { snapshot: s, action: 'delete', reason: deleteReason, keptBy: NO_RULES, window },
    );
  }
}
