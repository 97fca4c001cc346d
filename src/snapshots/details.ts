/**
 * One snapshot in full, for a person asking "why is this one kept?" at 3 a.m.:
 * every field EC2 reports, its tags, the AMIs that use it, the reason the plan
 * gives and every rule that keeps it. Headless: the TUI lays the fields out.
 */
import type { ComputePort, Image, Snapshot } from '../cloud/ports.js';
import type { PlannedDecision } from './plan.js';
import type { KeepRule, RetentionPolicy } from './policy.js';

export interface SnapshotDetails {
  /** undefined: EC2 no longer lists it (deleted since the plan was made) */
  snapshot: Snapshot | undefined;
  /** every AMI whose block device mappings reference the snapshot */
  images: Image[];
}

/** Two calls: the snapshot itself, and the account's AMIs (all pages) to find every one that uses it. */
export async function loadSnapshotDetails(compute: ComputePort, snapshotId: string, opts: { signal?: AbortSignal } = {}): Promise<SnapshotDetails> {
  const [snapshots, images] = await Promise.all([compute.describeSnapshots({ snapshotIds: [snapshotId] }, opts), compute.describeImages(opts)]);
  return {
    snapshot: snapshots.find((s) => s.id === snapshotId),
    images: images.filter((i) => i.snapshotIds.includes(snapshotId)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

const windowRule = (noun: string, days: number): string => `newest of its ${noun}, within the ${days}-day ${noun} window`;

/** What a keep rule means under this policy, in words (the plan's reason names only the first). */
export function describeKeepRule(rule: KeepRule, policy: RetentionPolicy, images: readonly Image[] = []): string {
  const w = policy.windows;
  const k = policy.keep;
  switch (rule) {
    case 'not-completed':
      return 'not completed: never deleted';
    case 'ami':
      return images.length > 0 ? `used by ${images.map((i) => i.id).join(', ')}: EC2 refuses to delete it` : 'used by an AMI: EC2 refuses to delete it';
    case 'tag':
      return `keep tag (${(k.tag ?? []).join(', ')})`;
    case 'newest':
      return 'newest completed snapshot of its volume: never deleted';
    case 'recent':
      return `taken within the last ${w.keepAllHours}h: all are kept`;
    case 'day':
      return windowRule('day', w.dailyDays);
    case 'week':
      return windowRule('ISO week', w.weeklyDays);
    case 'month':
      return windowRule('month', w.monthlyDays);
    case 'last':
      return `keep-last ${k.last ?? 0}: among the newest ${k.last ?? 0}`;
    case 'hourly':
    case 'daily':
    case 'weekly':
    case 'monthly':
    case 'yearly': {
      const unit = { hourly: 'hour', daily: 'day', weekly: 'week', monthly: 'month', yearly: 'year' }[rule];
      return `keep-${rule} ${k[rule] ?? 0}: newest of its ${unit}`;
    }
  }
}

const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MiB`;

/**
 * The fields in the order a person reads them. `loaded` is undefined while
 * the snapshot and AMIs are being listed; `error` says why they could not be.
 */
export function snapshotDetailFields(
  d: PlannedDecision,
  policy: RetentionPolicy,
  loaded: SnapshotDetails | undefined,
  error?: string,
): [string, string][] {
  const s = loaded?.snapshot;
  const images = loaded?.images ?? [];
  const keptBy: [string, string][] =
    d.keptBy.length > 0
      ? d.keptBy.map((r, i): [string, string] => [i === 0 ? 'kept by' : '', `${r}: ${describeKeepRule(r, policy, images)}`])
      : [['kept by', d.action === 'delete' ? 'no rule: deleted by the plan' : '-']];
  const pending = error !== undefined ? `could not list: ${error}` : 'listing…';
  const amis: [string, string][] = !loaded
    ? [['AMIs', pending]]
    : images.length === 0
      ? [['AMIs', 'none uses it']]
      : images.map((i, n): [string, string] => [
          n === 0 ? 'AMIs' : '',
          `${i.id}${i.name ? ` ${i.name}` : ''} (${i.state ?? 'state unknown'}${i.creationDate ? `, created ${i.creationDate.toISOString()}` : ''})`,
        ]);
  const tags: [string, string][] = !loaded
    ? [['tags', pending]]
    : !s
      ? [['tags', 'EC2 no longer lists this snapshot']]
      : Object.keys(s.tags).length === 0
        ? [['tags', 'none']]
        : Object.entries(s.tags)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([key, v]): [string, string] => [`tag ${key}`, v]);
  const full = s?.fullSizeBytes ?? d.fullSizeBytes;
  return [
    ['snapshot', d.snapshotId],
    ['volume', d.volumeId],
    ['started', d.startTime],
    ['state', s ? `${s.state}${s.progress ? ` (${s.progress})` : ''}` : d.state],
    ['action', d.action],
    ['reason', d.reason],
    ...keptBy,
    ...amis,
    ['volume GiB', d.sizeGiB === undefined ? '-' : String(d.sizeGiB)],
    ['full size', full === undefined ? 'not reported' : mib(full)],
    ['description', !loaded ? pending : (s?.description ?? '-')],
    ...tags,
  ];
}
