import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../core/clock.js';
import { ManualClock } from '../../core/clock.js';
import type { AlarmsPort, BalancingPort, ClassicElbPort, CloudPorts, ComputePort, ListOptions, ObjectStorePort, Volume } from '../ports.js';
import { sandboxAlarms } from './alarms.js';
import { sandboxScaling } from './scaling.js';
import { SandboxTargets } from './targets.js';
import { SandboxClassicElb } from './classic-elb.js';
import { APP_AMI_ID, ASG_NAME, SandboxFleet } from './fleet.js';
import { SandboxObjectStore } from './objects.js';
import { SandboxEbs } from './ebs.js';
import { awsId } from './rng.js';
import type { SandboxImageSpec, SandboxVolumeSpec } from './snapshots.js';
import { SnapshotStore } from './snapshots.js';
import { TokenBucket } from './throttle.js';

export { APP_AMI_ID, ASG_NAME } from './fleet.js';
export { loadAt } from './load.js';
export { SNAPSHOT_HISTORY_DAYS } from './snapshots.js';
export { DEREGISTRATION_DELAY_S, HEALTH_CHECKS_MS, TARGET_GROUP_ARN, TARGET_GROUP_NAME } from './targets.js';
export { CLASSIC_ELB_NAME, CLASSIC_HEALTH_CHECKS_MS, CONNECTION_DRAINING_S } from './classic-elb.js';

export const SANDBOX_BUCKET = 'opsdeck-sandbox';
export const AMI_POINTER_KEY = 'ami-application';
/** What `fleet.discovery.amiPointer` should say to find the sandbox's app servers. */
export const SANDBOX_AMI_POINTER = `s3://${SANDBOX_BUCKET}/${AMI_POINTER_KEY}`;
export const PREVIOUS_APP_AMI_ID = 'ami-07f6e5d4c3b2a1908';
/** A fixed default "now" so a world built without a clock is the same everywhere. */
export const SANDBOX_DEFAULT_NOW = new Date('2026-06-15T12:00:00Z');

export interface SandboxWorldOptions {
  seed?: number;
  /** a fixed instant (the world keeps its own manual time) or a clock to follow */
  now?: Date | Clock;
  /** persist objects under dir/objects (webcam frames, pointer), deleted snapshot ids in dir/snapshots-deleted.jsonl and the group's configuration in dir/scaling-state.json */
  dir?: string;
  /** simulated latency of every call, in world-clock ms (0 in tests, a few ms in the TUI) */
  latencyMs?: number;
  /** EC2 request budget: burst and refill per second (defaults 100, 5) */
  ec2Budget?: { burst: number; refillPerSecond: number };
}

export interface SandboxWorld extends CloudPorts {
  kind: 'sandbox';
  /** always there in the sandbox: web-asg's simulated target group */
  balancing: BalancingPort;
  /** always there in the sandbox: web-asg's simulated classic ELB web-elb */
  classicElb: ClassicElbPort;
  alarms: AlarmsPort;
  /** The world's clock: the base clock plus every advance(). */
  readonly clock: Clock;
  /** Moves world time forward (the load curve, pending snapshots, token refill follow). */
  advance(ms: number): void;
  readonly seed: number;
  /** ids of the fixed (non-ASG) instances and the volumes, for tests and demos */
  readonly ids: SandboxFleet['staticIds'] & { volumes: Record<'mysqlData' | 'webAssets' | 'webcamArchive', string> };
  /** Wall time the first full snapshot generation took, in ms (0 before it happened). */
  snapshotGenerationMs(): number;
  createBucket(name: string): void;
}

export function createSandboxWorld(opts: SandboxWorldOptions = {}): SandboxWorld {
  const seed = opts.seed ?? 42;
  const base: Clock = isClock(opts.now) ? opts.now : new ManualClock(opts.now ?? SANDBOX_DEFAULT_NOW);
  let offset = 0;
  const clock: Clock = {
    now: () => new Date(base.now().getTime() + offset),
    sleep: (ms, signal) => base.sleep(ms, signal),
  };
  const nowMs = (): number => clock.now().getTime();
  const latency = opts.latencyMs ?? 0;
  const delay = async (signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    if (latency > 0) await clock.sleep(latency, signal);
  };
  /** A one-page listing, answered after the simulated latency, reported like the AWS adapter's pages. */
  const listed = async <T>(o: ListOptions | undefined, get: () => T[]): Promise<T[]> => {
    await delay(o?.signal);
    const out = get();
    o?.onPage?.({ pages: 1, items: out.length });
    return out;
  };

  const fleet = new SandboxFleet(seed, nowMs, opts.dir);
  const volumeIds = {
    mysqlData: awsId('vol', seed, 'volume', 0),
    webAssets: awsId('vol', seed, 'volume', 1),
    webcamArchive: awsId('vol', seed, 'volume', 2),
  };
  const volumeSpecs: SandboxVolumeSpec[] = [
    { id: volumeIds.mysqlData, name: 'mysql-data', sizeGiB: 500, availabilityZone: 'us-east-1a', attachedInstanceId: fleet.staticIds.dbPrimary, minuteOffset: 5, durationMinutes: [70, 180] },
    { id: volumeIds.webAssets, name: 'web-assets', sizeGiB: 100, availabilityZone: 'us-east-1a', attachedInstanceId: fleet.staticIds.lb, minuteOffset: 15, durationMinutes: [4, 25] },
    { id: volumeIds.webcamArchive, name: 'webcam-archive', sizeGiB: 250, availabilityZone: 'us-east-1b', attachedInstanceId: undefined, minuteOffset: 30, durationMinutes: [20, 75] },
  ];
  const imageSpecs: SandboxImageSpec[] = [
    { id: APP_AMI_ID, name: 'application-current', ageDays: 21, volumeIds: [volumeIds.webAssets, volumeIds.mysqlData] },
    { id: PREVIOUS_APP_AMI_ID, name: 'application-previous', ageDays: 160, volumeIds: [volumeIds.webAssets, volumeIds.webcamArchive] },
  ];
  const snapshots = new SnapshotStore(seed, volumeSpecs, imageSpecs, nowMs, () => performance.now(), opts.dir);
  const ebs = new SandboxEbs(seed, nowMs, volumeSpecs, (id) => fleet.describeInstances({ instanceIds: [id] })[0]?.availabilityZone, opts.dir);
  const budget = opts.ec2Budget ?? { burst: 100, refillPerSecond: 5 };
  const ec2Mutations = new TokenBucket(budget.burst, budget.refillPerSecond, nowMs);

  // A subdirectory: the CLI keeps other sandbox state (audit log, HAProxy files) in the same dir.
  const objectStore = new SandboxObjectStore(nowMs, opts.dir === undefined ? undefined : join(opts.dir, 'objects'));
  objectStore.createBucket(SANDBOX_BUCKET);
  void objectStore.putObject(SANDBOX_BUCKET, AMI_POINTER_KEY, `${APP_AMI_ID}\n`);

  const compute: ComputePort = {
    describeInstances: (filter, o) => listed(o, () => fleet.describeInstances(filter)),
    describeImages: (o) => listed(o, () => snapshots.describeImages()),
    describeVolumes: (filter, o) => listed(o, (): Volume[] => ebs.describeVolumes(filter?.volumeIds)),
    async describeSnapshots(filter, o) {
      await delay(o?.signal);
      const out = [...snapshots.describe(filter), ...ebs.describeSnapshots(filter)];
      // Report progress the way the AWS adapter does: one event per 1000-item page.
      const onPage = o?.onPage;
      if (onPage) {
        const pages = Math.max(1, Math.ceil(out.length / 1000));
        for (let p = 1; p <= pages; p++) onPage({ pages: p, items: Math.min(out.length, p * 1000) });
      }
      return out;
    },
    async deleteSnapshot(id, o) {
      await delay(o?.signal);
      ec2Mutations.take('DeleteSnapshot');
      snapshots.delete(id);
    },
    async createSnapshot(volumeId, o) {
      await delay(o?.signal);
      ec2Mutations.take('CreateSnapshot');
      return ebs.createSnapshot(volumeId, o);
    },
    async createVolume(o) {
      await delay(o.signal);
      ec2Mutations.take('CreateVolume');
      return ebs.createVolume(o, (id) => {
        const hit = snapshots.describe({ snapshotIds: [id] })[0];
        return hit ? { sizeGiB: hit.sizeGiB ?? 1, completed: hit.state === 'completed' } : undefined;
      });
    },
    async attachVolume(volumeId, instanceId, _device, o) {
      await delay(o?.signal);
      ec2Mutations.take('AttachVolume');
      ebs.attachVolume(volumeId, instanceId);
    },
    async detachVolume(volumeId, o) {
      await delay(o?.signal);
      ec2Mutations.take('DetachVolume');
      ebs.detachVolume(volumeId);
    },
    async deleteVolume(volumeId, o) {
      await delay(o?.signal);
      ec2Mutations.take('DeleteVolume');
      ebs.deleteVolume(volumeId);
    },
  };

  const scaling = sandboxScaling(fleet, delay, listed);
  const targets = new SandboxTargets(fleet, nowMs, opts.dir);
  const balancing: BalancingPort = {
    describeTargetGroups: (arns, o) => listed(o, () => targets.describe(arns)),
    async registerTargets(arn, ids, o) {
      await delay(o?.signal);
      targets.register(arn, ids);
    },
    async deregisterTargets(arn, ids, o) {
      await delay(o?.signal);
      targets.deregister(arn, ids);
    },
  };

  const elb = new SandboxClassicElb(fleet, nowMs, opts.dir);
  const classicElb: ClassicElbPort = {
    describeLoadBalancers: (names, o) => listed(o, () => elb.describe(names)),
    async registerInstances(name, ids, o) {
      await delay(o?.signal);
      elb.register(name, ids);
    },
    async deregisterInstances(name, ids, o) {
      await delay(o?.signal);
      elb.deregister(name, ids);
    },
  };

  const objects: ObjectStorePort = {
    async getObject(bucket, key, o) {
      await delay(o?.signal);
      return objectStore.getObject(bucket, key);
    },
    async putObject(bucket, key, body, o) {
      await delay(o?.signal);
      return objectStore.putObject(bucket, key, body, o);
    },
    async listObjects(bucket, prefix, o) {
      await delay(o?.signal);
      return objectStore.listObjects(bucket, prefix, o);
    },
    async deleteObject(bucket, key, o) {
      await delay(o?.signal);
      return objectStore.deleteObject(bucket, key);
    },
  };

  return {
    kind: 'sandbox',
    compute,
    scaling,
    balancing,
    classicElb,
    alarms: sandboxAlarms(fleet, seed, nowMs, listed),
    objects,
    clock,
    seed,
    ids: { ...fleet.staticIds, volumes: volumeIds },
    advance(ms: number) {
      if (ms < 0) throw new RangeError('advance(ms): time only moves forward');
      offset += ms;
    },
    snapshotGenerationMs: () => snapshots.generationMs,
    createBucket: (name) => objectStore.createBucket(name),
  };
}

function isClock(x: Date | Clock | undefined): x is Clock {
  return x !== undefined && !(x instanceof Date);
}

