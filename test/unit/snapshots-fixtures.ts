import type { ComputePort, Snapshot } from '../../src/cloud/ports.js';

let counter = 0;

/** A completed snapshot; override any field. */
export function snap(startTime: string | Date, over: Partial<Snapshot> = {}): Snapshot {
  counter++;
  return {
    id: over.id ?? `snap-${counter.toString(16).padStart(8, '0')}`,
    volumeId: 'vol-aaaa',
    startTime: new Date(startTime),
    state: 'completed',
    progress: '100%',
    sizeGiB: 8,
    description: undefined,
    tags: {},
    ...over,
  };
}

/**
 * Hourly snapshots for `volumes` volumes, `total` in all, ending at `now`
 * (about what the sandbox has), deterministic, no randomness needed.
 */
export function hourlySet(total: number, volumes: number, now: Date): Snapshot[] {
  const out: Snapshot[] = [];
  const perVolume = Math.ceil(total / volumes);
  const end = now.getTime();
  for (let v = 0; v < volumes && out.length < total; v++) {
    const volumeId = `vol-${v.toString(16).padStart(17, '0')}`;
    for (let i = 0; i < perVolume && out.length < total; i++) {
      out.push({
        id: `snap-${v.toString(16).padStart(4, '0')}${i.toString(16).padStart(13, '0')}`,
        volumeId,
        // a few minutes of jitter per volume, like a real cron
        startTime: new Date(end - i * 3_600_000 - v * 60_000),
        state: i === 0 && v % 7 === 0 ? 'pending' : 'completed',
        progress: undefined,
        sizeGiB: 20 + (v % 5) * 10,
        description: 'hourly',
        tags: {},
      });
    }
  }
  return out;
}

/**
 * Every planned id ends in exactly one bucket of the summary: deleted, skipped
 * in use, already gone, failed or not attempted. Checked after every executor run.
 */
export function expectAccounted(
  s: { deleted: string[]; skippedInUse: string[]; alreadyGone: string[]; failed: { id: string }[]; notAttempted: number },
  plan: { deletions: { snapshotId: string }[] },
): void {
  const outcomes = [...s.deleted, ...s.skippedInUse, ...s.alreadyGone, ...s.failed.map((f) => f.id)];
  const planned = new Set(plan.deletions.map((d) => d.snapshotId));
  if (new Set(outcomes).size !== outcomes.length) throw new Error('a snapshot is reported in two buckets');
  for (const id of outcomes) if (!planned.has(id)) throw new Error(`${id} is reported but was not planned`);
  const sum = outcomes.length + s.notAttempted;
  if (sum !== planned.size) {
    throw new Error(`buckets add up to ${sum} (deleted ${s.deleted.length}, in use ${s.skippedInUse.length}, gone ${s.alreadyGone.length}, failed ${s.failed.length}, not attempted ${s.notAttempted}), the plan has ${planned.size}`);
  }
}

const notHere = async (): Promise<never> => {
  throw new Error('not used by the snapshot executor');
};

/** A compute port that lists nothing and deletes through `deleteSnapshot`: what the executor tests drive. */
export function deletingPort(deleteSnapshot: ComputePort['deleteSnapshot']): ComputePort {
  return {
    describeInstances: async () => [],
    describeImages: async () => [],
    describeVolumes: async () => [],
    describeSnapshots: async () => [],
    deleteSnapshot,
    createSnapshot: notHere,
    createVolume: notHere,
    attachVolume: notHere,
    detachVolume: notHere,
    deleteVolume: notHere,
  };
}
