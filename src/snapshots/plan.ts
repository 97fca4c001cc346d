/**
 * A rotation plan: the serializable result of the policy over one scope.
 * What a person (or `--plan FILE`) confirmed is exactly what applyPlan deletes.
 */
import { matchTag, parseTagRules } from './policy.js';
import type { ComputePort, ListOptions, Snapshot, SnapshotFilter } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import type { SnapshotsConfig } from './config.js';
import { decide, policyFromConfig, type Decision, type KeepRule, type RetentionPolicy } from './policy.js';

// 2: sizes say what is known (volume size, full snapshot size), never a freed amount
export const PLAN_VERSION = 2;

export interface PlanScope {
  volumeIds?: string[] | undefined;
  tags?: Record<string, string[]> | undefined;
}

export interface VolumeSummary {
  volumeId: string;
  total: number;
  keep: number;
  delete: number;
  /** the volume's size (the largest EC2 reports on its snapshots); undefined when none says */
  volumeSizeGiB: number | undefined;
  /**
   * Sum of the full sizes EC2 reports (FullSnapshotSizeInBytes) of the snapshots to
   * delete. Not what deleting them frees: snapshots are incremental, and the
   * blocks a deletion releases are not reported anywhere.
   */
  deleteFullBytes: number;
  /** snapshots to delete whose full size EC2 did not report */
  fullSizeUnknown: number;
  usedByImage: number;
  notCompleted: number;
}

export interface PlannedDeletion {
  snapshotId: string;
  volumeId: string;
  startTime: string;
  /** the volume's size when the snapshot was taken */
  sizeGiB: number | undefined;
  fullSizeBytes?: number | undefined;
  reason: string;
}

export interface PlannedDecision extends PlannedDeletion {
  action: 'keep' | 'delete';
  state: string;
  keptBy: KeepRule[];
}

export interface SnapshotPlan {
  version: typeof PLAN_VERSION;
  createdAt: string;
  now: string;
  /** 'aws' or 'sandbox': a sandbox plan must not be applied to a real account. */
  source: string;
  policy: RetentionPolicy;
  scope: PlanScope;
  volumes: VolumeSummary[];
  deletions: PlannedDeletion[];
  totals: { snapshots: number; keep: number; delete: number; deleteFullBytes: number; fullSizeUnknown: number };
  /** Every decision, for a person reviewing why; left out of plan files unless asked. */
  decisions?: PlannedDecision[] | undefined;
}

export interface Inventory {
  snapshots: Snapshot[];
  usedByImage: Map<string, string>;
}

/** The only I/O of planning: snapshots in scope and the AMIs that pin some of them. */
export async function gatherInventory(compute: ComputePort, scope: PlanScope, opts: ListOptions = {}): Promise<Inventory> {
  const filter: SnapshotFilter = {};
  if (scope.volumeIds?.length) filter.volumeIds = scope.volumeIds;
  if (scope.tags && Object.keys(scope.tags).length) filter.tags = scope.tags;
  // Progress counts snapshots: the image pages listed beside them are not what "listing snapshots: N" means.
  const [snapshots, images] = await Promise.all([compute.describeSnapshots(filter, opts), compute.describeImages(opts.signal ? { signal: opts.signal } : {})]);
  const usedByImage = new Map<string, string>();
  for (const img of images) for (const id of img.snapshotIds) if (!usedByImage.has(id)) usedByImage.set(id, img.id);
  return { snapshots, usedByImage };
}

export interface BuildPlanInput extends Inventory {
  now: Date;
  policy: RetentionPolicy;
  scope: PlanScope;
  source: string;
  createdAt?: Date;
  includeDecisions?: boolean;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export function buildPlan(input: BuildPlanInput): SnapshotPlan {
  const decisions = decide({ snapshots: input.snapshots, now: input.now, policy: input.policy, usedByImage: input.usedByImage });
  return planFromDecisions(decisions, input);
}

export function planFromDecisions(decisions: readonly Decision[], input: Omit<BuildPlanInput, keyof Inventory>): SnapshotPlan {
  const volumes = new Map<string, VolumeSummary>();
  const deletions: PlannedDeletion[] = [];
  const planned: PlannedDecision[] | undefined = input.includeDecisions ? [] : undefined;
  let v: VolumeSummary | undefined;
  for (const d of decisions) {
    const s = d.snapshot;
    // decisions come grouped by volume: look the summary up only when the volume changes
    if (v?.volumeId !== s.volumeId) v = volumes.get(s.volumeId);
    if (!v) {
      v = { volumeId: s.volumeId, total: 0, keep: 0, delete: 0, volumeSizeGiB: undefined, deleteFullBytes: 0, fullSizeUnknown: 0, usedByImage: 0, notCompleted: 0 };
      volumes.set(s.volumeId, v);
    }
    v.total++;
    if (s.sizeGiB !== undefined && (v.volumeSizeGiB === undefined || s.sizeGiB > v.volumeSizeGiB)) v.volumeSizeGiB = s.sizeGiB;
    if (d.keptBy.includes('ami')) v.usedByImage++;
    if (d.keptBy[0] === 'not-completed') v.notCompleted++;
    // toISOString on 100k keeps is measurable: build rows only where needed.
    const needRow = d.action === 'delete' || planned !== undefined;
    const row: PlannedDeletion | undefined = needRow
      ? { snapshotId: s.id, volumeId: s.volumeId, startTime: s.startTime.toISOString(), sizeGiB: s.sizeGiB, ...(s.fullSizeBytes !== undefined ? { fullSizeBytes: s.fullSizeBytes } : {}), reason: d.reason }
      : undefined;
    if (d.action === 'delete') {
      v.delete++;
      if (s.fullSizeBytes === undefined) v.fullSizeUnknown++;
      else v.deleteFullBytes += s.fullSizeBytes;
      if (row) deletions.push(row);
    } else {
      v.keep++;
    }
    if (planned && row) planned.push({ ...row, action: d.action, state: s.state, keptBy: [...d.keptBy] });
  }
  const vols = [...volumes.values()].sort((a, b) => (a.volumeId < b.volumeId ? -1 : 1));
  const plan: SnapshotPlan = {
    version: PLAN_VERSION,
    createdAt: (input.createdAt ?? input.now).toISOString(),
    now: input.now.toISOString(),
    source: input.source,
    policy: input.policy,
    scope: input.scope,
    volumes: vols,
    deletions,
    totals: {
      snapshots: decisions.length,
      keep: decisions.length - deletions.length,
      delete: deletions.length,
      deleteFullBytes: vols.reduce((a, v) => a + v.deleteFullBytes, 0),
      fullSizeUnknown: vols.reduce((a, v) => a + v.fullSizeUnknown, 0),
    },
  };
  if (planned) plan.decisions = planned;
  return plan;
}

/** The scope the config names (`snapshots.volumes`, `snapshots.tags`); empty = every volume. */
export function configScope(c: Pick<SnapshotsConfig, 'volumes' | 'tags'>): PlanScope {
  const scope: PlanScope = {};
  if (c.volumes?.length) scope.volumeIds = [...c.volumes].sort();
  if (c.tags && Object.keys(c.tags).length) {
    scope.tags = Object.fromEntries(Object.entries(c.tags).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]]));
  }
  return scope;
}

/** List, then plan: what the CLI and the TUI both call. */
export async function planRotation(
  compute: ComputePort,
  opts: { scope: PlanScope; config: SnapshotsConfig; now: () => Date; source: string; includeDecisions?: boolean; list?: ListOptions },
): Promise<SnapshotPlan> {
  const inventory = await gatherInventory(compute, opts.scope, opts.list);
  // `now` is read after listing so a slow listing cannot age the plan before it exists.
  return buildPlan({
    ...inventory,
    now: opts.now(),
    policy: policyFromConfig(opts.config),
    scope: opts.scope,
    source: opts.source,
    includeDecisions: opts.includeDecisions ?? false,
  });
}

/** The same plan narrowed to one volume: the deletions shown for it, nothing recomputed. */
export function narrowPlan(plan: SnapshotPlan, volumeId: string): SnapshotPlan {
  const volumes = plan.volumes.filter((v) => v.volumeId === volumeId);
  const deletions = plan.deletions.filter((d) => d.volumeId === volumeId);
  const v = volumes[0];
  return {
    ...plan,
    scope: { ...plan.scope, volumeIds: [volumeId] },
    volumes,
    deletions,
    totals: { snapshots: v?.total ?? 0, keep: v?.keep ?? 0, delete: deletions.length, deleteFullBytes: v?.deleteFullBytes ?? 0, fullSizeUnknown: v?.fullSizeUnknown ?? 0 },
    decisions: plan.decisions?.filter((d) => d.volumeId === volumeId),
  };
}

/**
 * One lock for every rotation, whatever its scope: a one-volume rotation and an
 * all-volumes rotation overlap, and any two rotations share the account's one
 * DeleteSnapshot budget, so running them at once only throttles both.
 */
export const ROTATION_LOCK = 'snapshots-rotate';

export interface NowKept {
  snapshotId: string;
  /** "tag retain=forever" */
  why: string;
}

/**
 * Re-reads the plan's volumes just before deleting, and takes out what the
 * rules would keep now: a snapshot an AMI registered since uses, one no
 * longer completed, one that became its volume's newest (others were deleted
 * meanwhile), one a keep tag added since protects. Each is reported; the rest
 * of the confirmed plan goes ahead, since doing less than was confirmed is
 * always safe. A deletion naming another volume than the snapshot's is an
 * edited or corrupt file: refused whole (exit 3). `what` names the plan.
 */
export async function recheckPlan<P extends Pick<SnapshotPlan, 'deletions'>>(
  compute: ComputePort,
  plan: P,
  keepTags: readonly string[] | undefined,
  what: string,
): Promise<{ plan: P; nowKept: NowKept[] }> {
  const volumeIds = [...new Set(plan.deletions.map((d) => d.volumeId))].sort();
  if (volumeIds.length === 0) return { plan, nowKept: [] };
  const inventory = await gatherInventory(compute, { volumeIds });
  const byId = new Map<string, Snapshot>();
  const newest = new Map<string, Snapshot>();
  for (const x of inventory.snapshots) {
    byId.set(x.id, x);
    if (x.state !== 'completed') continue;
    const n = newest.get(x.volumeId);
    if (!n || x.startTime > n.startTime || (x.startTime.getTime() === n.startTime.getTime() && x.id < n.id)) newest.set(x.volumeId, x);
  }
  const moved = plan.deletions.filter((d) => {
    const live = byId.get(d.snapshotId);
    return live !== undefined && live.volumeId !== d.volumeId;
  });
  if (moved.length > 0) {
    throw new OpsError('REFUSED', `${what} names ${moved.length} snapshot(s) under another volume than their own; nothing deleted`, {
      details: moved.slice(0, 10).map((d) => `${d.snapshotId} belongs to ${byId.get(d.snapshotId)?.volumeId}, the plan says ${d.volumeId}`),
      hint: 'the file was edited or is corrupt: make a fresh plan (`opsdeck snapshots plan --batch --plan-out FILE`)',
    });
  }
  const rules = parseTagRules(keepTags);
  const nowKept: NowKept[] = [];
  const deletions = plan.deletions.filter((d) => {
    const live = byId.get(d.snapshotId);
    if (!live) return true; // already gone: the run reports it
    const ami = inventory.usedByImage.get(live.id);
    const tag = matchTag(live.tags, rules);
    const why =
      ami !== undefined ? `used by ${ami}`
      : live.state !== 'completed' ? `now ${live.state}, not completed`
      : newest.get(live.volumeId)?.id === live.id ? `now the newest completed snapshot of ${live.volumeId}`
      : tag !== undefined ? `tag ${tag}`
      : undefined;
    if (why === undefined) return true;
    nowKept.push({ snapshotId: d.snapshotId, why });
    return false;
  });
  return nowKept.length === 0 ? { plan, nowKept } : { plan: { ...plan, deletions }, nowKept };
}
