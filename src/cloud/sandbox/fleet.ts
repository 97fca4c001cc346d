import type { AsgInstance, AutoScalingGroup, Instance, InstanceFilter, Tags } from '../ports.js';
import { CloudError } from '../ports.js';
import { awsId, mix32, pick, streamFor } from './rng.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The simulated scaling policy evaluates every 5 minutes, like a CloudWatch alarm period. */
const TICK = 5 * MINUTE;
/** A manual capacity change holds this long before the policy takes over again. */
const OVERRIDE_HOLD = HOUR;
const BOOT = 90_000;

export const APP_AMI_ID = 'ami-0a1b2c3d4e5f60718';
export const LB_AMI_ID = 'ami-0c5b7d4e1f2a39846';
export const DB_AMI_ID = 'ami-0e4d3c2b1a0f98765';
export const ASG_NAME = 'web-asg';
export const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;

interface InstRec {
  id: string;
  az: string;
  type: string;
  imageId: string;
  privateIp: string | undefined;
  publicIp: string | undefined;
  launchMs: number;
  terminatedMs: number | undefined;
  /** static instances never boot in front of us: they are running from the start */
  stateOverride: string | undefined;
  tags: Tags;
}

interface GroupState {
  min: number;
  max: number;
  desired: number;
  override: { desired: number; untilMs: number } | undefined;
  members: string[];
  createdMs: number;
}

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

/** The ASG and its EC2 instances, advanced lazily to the world clock on every read. */
export class SandboxFleet {
  private readonly instances = new Map<string, InstRec>();
  private readonly rand: () => number;
  private readonly group: GroupState;
  private counter = 0;
  private simulatedTo: number;
  /** ids of the instances that are not in the group (lb, db, legacy) */
  readonly staticIds: { lb: string; dbPrimary: string; dbReplica: string; legacy: string; spare: string };

  constructor(
    private readonly seed: number,
    private readonly nowMs: () => number,
  ) {
    this.rand = streamFor(seed, 'fleet');
    const now = nowMs();
    this.simulatedTo = Math.floor(now / TICK) * TICK;
    this.group = { min: 2, max: 12, desired: 0, override: undefined, members: [], createdMs: now - 400 * DAY };
    this.staticIds = this.addStatic(now);
    this.group.desired = this.policyDesired(now);
    // The initial members booted a while ago, staggered, so launch times look real.
    for (let i = 0; i < this.group.desired; i++) this.launch(now - (2 + i * 7) * HOUR - Math.floor(this.rand() * HOUR));
  }

  private addStatic(now: number): SandboxFleet['staticIds'] {
    const mk = (n: number, rec: Omit<InstRec, 'id' | 'launchMs' | 'terminatedMs'>, ageDays: number): string => {
      const id = awsId('i', this.seed, 'static-instance', n);
      this.instances.set(id, { ...rec, id, launchMs: now - ageDays * DAY, terminatedMs: undefined });
      return id;
    };
    const running = 'running';
    return {
      lb: mk(0, { az: 'us-east-1a', type: 'c5.large', imageId: LB_AMI_ID, privateIp: '10.0.0.10', publicIp: '203.0.113.10', stateOverride: running, tags: { Name: 'haproxy-1', Role: 'lb' } }, 210),
      dbPrimary: mk(1, { az: 'us-east-1a', type: 'r5.xlarge', imageId: DB_AMI_ID, privateIp: '10.0.0.20', publicIp: undefined, stateOverride: running, tags: { Name: 'mysql-primary', Role: 'db', MysqlRole: 'primary' } }, 380),
      dbReplica: mk(2, { az: 'us-east-1b', type: 'r5.xlarge', imageId: DB_AMI_ID, privateIp: '10.0.32.21', publicIp: undefined, stateOverride: running, tags: { Name: 'mysql-replica', Role: 'db', MysqlRole: 'replica' } }, 120),
      // IPv6-only subnet: running with the app AMI but no private IPv4 — discovery must skip it, not crash.
      legacy: mk(3, { az: 'us-east-1c', type: 't3.medium', imageId: APP_AMI_ID, privateIp: undefined, publicIp: undefined, stateOverride: running, tags: { Name: 'web-legacy', Role: 'web' } }, 30),
      // Stopped app server: must not be discovered (discovery asks for running only).
      spare: mk(4, { az: 'us-east-1b', type: 't3.medium', imageId: APP_AMI_ID, privateIp: '10.0.32.99', publicIp: undefined, stateOverride: 'stopped', tags: { Name: 'web-spare', Role: 'web' } }, 60),
    };
  }

  private policyDesired(ms: number): number {
    const g = this.group;
    if (g.override && ms < g.override.untilMs) return clamp(g.override.desired, g.min, g.max);
    g.override = undefined;
    return clamp(Math.round(2 + loadAt(ms, this.seed) * 10), g.min, g.max);
  }

  private launch(atMs: number): void {
    const n = this.counter++;
    const id = awsId('i', this.seed, 'asg-instance', n);
    // Balance zones as EC2 Auto Scaling does: launch into the zone with the fewest members.
    const counts = ZONES.map((z) => this.group.members.filter((m) => this.instances.get(m)?.az === z).length);
    const zi = counts.indexOf(Math.min(...counts));
    const az = ZONES[zi] ?? 'us-east-1a';
    const privateIp = `10.0.${zi * 32 + 1 + (Math.floor(n / 240) % 30)}.${10 + (n % 240)}`;
    const publicIp = n % 3 === 0 ? `198.51.100.${10 + (n % 240)}` : undefined;
    const name = `web-${String(n + 1).padStart(3, '0')}`;
    this.instances.set(id, {
      id,
      az,
      type: pick(this.rand, ['m5.large', 'm5.large', 'c5.large', 'm6i.large']),
      imageId: APP_AMI_ID,
      privateIp,
      publicIp,
      launchMs: atMs,
      terminatedMs: undefined,
      stateOverride: undefined,
      tags: { Name: name, Role: 'web', 'aws:autoscaling:groupName': ASG_NAME },
    });
    this.group.members.push(id);
  }

  /** Default termination policy, simplified: the most crowded zone, then the oldest instance there. */
  private terminateOne(atMs: number): void {
    const byZone = ZONES.map((z) => this.group.members.filter((m) => this.instances.get(m)?.az === z));
    const crowded = byZone.reduce((a, b) => (b.length > a.length ? b : a));
    const victim = crowded
      .map((id) => this.instances.get(id))
      .filter((r): r is InstRec => r !== undefined)
      .sort((a, b) => a.launchMs - b.launchMs)[0];
    if (!victim) return;
    victim.terminatedMs = atMs;
    this.group.members = this.group.members.filter((m) => m !== victim.id);
  }

  private converge(atMs: number): void {
    const g = this.group;
    g.desired = this.policyDesired(atMs);
    while (g.members.length < g.desired) this.launch(atMs);
    while (g.members.length > g.desired) this.terminateOne(atMs);
  }

  private advance(): void {
    const now = this.nowMs();
    // After a long jump nobody can see the intermediate days: simulate only the last two.
    if (now - this.simulatedTo > 2 * DAY) this.simulatedTo = Math.floor((now - 2 * DAY) / TICK) * TICK;
    while (this.simulatedTo + TICK <= now) {
      this.simulatedTo += TICK;
      this.converge(this.simulatedTo);
    }
    // EC2 keeps terminated instances visible for about an hour.
    for (const [id, r] of this.instances) {
      if (r.terminatedMs !== undefined && now - r.terminatedMs > HOUR) this.instances.delete(id);
    }
  }

  private stateOf(r: InstRec, now: number): string {
    if (r.terminatedMs !== undefined) return now - r.terminatedMs < MINUTE ? 'shutting-down' : 'terminated';
    if (r.stateOverride !== undefined) return r.stateOverride;
    return now - r.launchMs < BOOT ? 'pending' : 'running';
  }

  describeInstances(filter: InstanceFilter): Instance[] {
    this.advance();
    const now = this.nowMs();
    const ids = filter.instanceIds ? new Set(filter.instanceIds) : undefined;
    const amis = filter.imageIds ? new Set(filter.imageIds) : undefined;
    const states = filter.states ? new Set(filter.states) : undefined;
    const tagRules = Object.entries(filter.tags ?? {});
    const out: Instance[] = [];
    for (const r of this.instances.values()) {
      const state = this.stateOf(r, now);
      if (ids && !ids.has(r.id)) continue;
      if (amis && !amis.has(r.imageId)) continue;
      if (states && !states.has(state)) continue;
      if (!tagRules.every(([k, vals]) => r.tags[k] !== undefined && vals.includes(r.tags[k]))) continue;
      const gone = state === 'terminated';
      out.push({
        id: r.id,
        name: r.tags['Name'],
        state,
        availabilityZone: r.az,
        instanceType: r.type,
        imageId: r.imageId,
        // EC2 drops addresses from terminated and stopped instances' public side.
        privateIp: gone ? undefined : r.privateIp,
        publicIp: gone || state === 'stopped' ? undefined : r.publicIp,
        launchTime: new Date(r.launchMs),
        tags: { ...r.tags },
      });
    }
    return out;
  }

  describeGroups(names?: readonly string[]): AutoScalingGroup[] {
    this.advance();
    if (names && !names.includes(ASG_NAME)) return [];
    const now = this.nowMs();
    const g = this.group;
    const instances: AsgInstance[] = g.members.map((id) => {
      const r = this.instances.get(id);
      const booting = r !== undefined && now - r.launchMs < BOOT;
      return { id, lifecycleState: booting ? 'Pending' : 'InService', healthStatus: 'Healthy', availabilityZone: r?.az };
    });
    return [
      {
        name: ASG_NAME,
        minSize: g.min,
        maxSize: g.max,
        desiredCapacity: g.desired,
        instances,
        availabilityZones: [...ZONES],
        launchTemplate: 'web-lt',
        tags: { Name: 'web', Role: 'web' },
        createdTime: new Date(g.createdMs),
      },
    ];
  }

  private requireGroup(name: string): GroupState {
    if (name !== ASG_NAME) throw new CloudError('ValidationError', `AutoScalingGroup name not found - ${name}`, { status: 400 });
    return this.group;
  }

  setDesiredCapacity(name: string, desired: number): void {
    this.advance();
    const g = this.requireGroup(name);
    if (desired > g.max) throw validation(`New SetDesiredCapacity value ${desired} is above max value ${g.max} for the AutoScalingGroup.`);
    if (desired < g.min) throw validation(`New SetDesiredCapacity value ${desired} is below min value ${g.min} for the AutoScalingGroup.`);
    const now = this.nowMs();
    g.override = { desired, untilMs: now + OVERRIDE_HOLD };
    this.converge(now);
  }

  updateGroupSize(name: string, size: { min?: number; max?: number; desired?: number }): void {
    this.advance();
    const g = this.requireGroup(name);
    const min = size.min ?? g.min;
    const max = size.max ?? g.max;
    if (min > max) throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
    if (size.desired !== undefined && (size.desired < min || size.desired > max)) {
      throw validation(`Desired capacity:${size.desired} must be between the specified min size:${min} and max size:${max}`);
    }
    g.min = min;
    g.max = max;
    const now = this.nowMs();
    if (size.desired !== undefined) g.override = { desired: size.desired, untilMs: now + OVERRIDE_HOLD };
    this.converge(now);
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function validation(message: string): CloudError {
  return new CloudError('ValidationError', message, { status: 400 });
}
