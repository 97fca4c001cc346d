import type { AsgInstance, AutoScalingGroup, Instance, InstanceFilter, LifecycleHook, ScalingActivity, ScalingPolicy, ScheduledAction, Tags } from '../ports.js';
import { CloudError } from '../ports.js';
import {
  ASG_NAME,
  ActivityLog,
  HOOK_WAIT_MS,
  HOOKS,
  LAUNCH_TEMPLATE,
  LAUNCH_TEMPLATE_VERSION,
  PREVIOUS_TEMPLATE_VERSION,
  CLASSIC_ELB_NAME,
  TARGET_GROUP_ARN,
  TERMINATING_MS,
  capacityCause,
  loadConfig,
  notFound,
  saveConfig,
  scheduledView,
  validation,
  type GroupConfig,
} from './asg.js';
import { loadAt } from './load.js';
import { awsId, pick, streamFor } from './rng.js';
import { addStatic, APP_AMI_ID, type InstRec, type StaticIds } from './static.js';

export { ASG_NAME } from './asg.js';
export { APP_AMI_ID, DB_AMI_ID, LB_AMI_ID } from './static.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The simulated scaling policy evaluates every 5 minutes, like a CloudWatch alarm period. */
const TICK = 5 * MINUTE;
/** A manual capacity change holds this long before the policy takes over again. */
const OVERRIDE_HOLD = HOUR;
const BOOT = 90_000;

export const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;


interface GroupState {
  desired: number;
  members: string[];
  /** left the group's capacity, still listed while their terminating hook and shutdown run */
  terminating: { id: string; atMs: number }[];
  createdMs: number;
}

/**
 * The ASG and its EC2 instances, advanced lazily to the world clock on every
 * read: the load curve (standing for the target tracking policy), scheduled
 * actions at their minute, launches that boot for 90 s, terminations that
 * wait on the drain hook, each recorded as a scaling activity.
 */
export class SandboxFleet {
  private readonly instances = new Map<string, InstRec>();
  private readonly rand: () => number;
  private readonly group: GroupState;
  private readonly cfg: GroupConfig;
  private readonly activities: ActivityLog;
  private counter = 0;
  private simulatedTo: number;
  /** ids of the instances that are not in the group (lb, db, legacy) */
  readonly staticIds: StaticIds;

  constructor(
    private readonly seed: number,
    private readonly nowMs: () => number,
    private readonly dir?: string,
  ) {
    this.rand = streamFor(seed, 'fleet');
    this.cfg = loadConfig(dir);
    this.activities = new ActivityLog(seed);
    const now = nowMs();
    this.simulatedTo = Math.floor(now / TICK) * TICK;
    this.group = { desired: 0, members: [], terminating: [], createdMs: now - 400 * DAY };
    this.staticIds = addStatic(this.instances, this.seed, now);
    if (this.cfg.deleted) return;
    this.group.desired = this.policyDesired(now);
    // The initial members booted a while ago, staggered, so launch times look real; the two oldest predate template v4.
    for (let i = 0; i < this.group.desired; i++) {
      const at = now - (2 + i * 7) * HOUR - Math.floor(this.rand() * HOUR);
      const version = i >= this.group.desired - 2 && this.group.desired > 3 ? PREVIOUS_TEMPLATE_VERSION : LAUNCH_TEMPLATE_VERSION;
      this.launch(at, version, `At ${new Date(at).toISOString()} an instance was started in response to a difference between desired and actual capacity.`);
    }
  }

  /** The load curve drives capacity only while a target tracking policy is there to do it. */
  private policyDriven(): boolean {
    return !this.cfg.suspended.includes('AlarmNotification') && this.cfg.policies.some((p) => p.enabled && p.kind === 'TargetTrackingScaling');
  }

  private policyDesired(ms: number): number {
    const c = this.cfg;
    if (c.override && ms < c.override.untilMs) return clamp(c.override.desired, c.min, c.max);
    if (c.override) {
      // the hold is over: the policy decides again, or the last setting stays without one
      this.group.desired = c.override.desired;
      c.override = undefined;
    }
    if (!this.policyDriven()) return clamp(this.group.desired, c.min, c.max);
    return clamp(Math.round(2 + loadAt(ms, this.seed) * 10), c.min, c.max);
  }

  private launch(atMs: number, version: string, cause: string): void {
    const n = this.counter++;
    const id = awsId('i', this.seed, 'asg-instance', n);
    // Balance zones as EC2 Auto Scaling does: launch into the zone with the fewest members.
    const counts = ZONES.map((z) => this.group.members.filter((m) => this.instances.get(m)?.az === z).length);
    const zi = counts.indexOf(Math.min(...counts));
    const az = ZONES[zi] ?? 'us-east-1a';
    const privateIp = `127.0.${zi * 32 + 1 + (Math.floor(n / 240) % 30)}.${10 + (n % 240)}`;
    const publicIp = n % 3 === 0 ? `127.1.100.${10 + (n % 240)}` : undefined;
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
      templateVersion: version,
      tags: { Name: name, Role: 'web', 'aws:autoscaling:groupName': ASG_NAME },
    });
    this.group.members.push(id);
    this.activities.add(`Launching a new EC2 instance: ${id}`, cause, atMs, BOOT);
  }

  private terminate(r: InstRec, atMs: number, cause: string): void {
    r.terminatedMs = atMs;
    this.group.members = this.group.members.filter((m) => m !== r.id);
    this.group.terminating.push({ id: r.id, atMs });
    this.activities.add(`Terminating EC2 instance: ${r.id}`, cause, atMs, TERMINATING_MS);
  }

  /** Default termination policy, simplified: the most crowded zone, then the oldest instance there; protected ones never. */
  private terminateOne(atMs: number, cause: string): boolean {
    const guarded = new Set(this.cfg.protectedIds);
    const byZone = ZONES.map((z) => this.group.members.filter((m) => !guarded.has(m) && this.instances.get(m)?.az === z));
    const crowded = byZone.reduce((a, b) => (b.length > a.length ? b : a));
    const victim = crowded
      .map((id) => this.instances.get(id))
      .filter((r): r is InstRec => r !== undefined)
      .sort((a, b) => a.launchMs - b.launchMs)[0];
    if (!victim) return false;
    this.terminate(victim, atMs, cause);
    return true;
  }

  /** `who`: the request that changed capacity (a user, a scheduled action); else the policy's alarm. */
  private converge(atMs: number, who?: string): void {
    if (this.cfg.deleted) return;
    const g = this.group;
    const from = g.desired;
    g.desired = this.policyDesired(atMs);
    const to = g.desired;
    const at = new Date(atMs).toISOString().replace('.000Z', 'Z');
    const cause = who
      ? capacityCause(atMs, who, this.cfg.min, this.cfg.max, to, from)
      : from === to
        ? `At ${at} an instance was started in response to a difference between desired and actual capacity.`
        : `At ${at} a monitor alarm TargetTracking-web-asg-Alarm${to > from ? 'High' : 'Low'} in state ALARM triggered policy cpu-target-50 changing the desired capacity from ${from} to ${to}.`;
    const suspended = new Set(this.cfg.suspended);
    if (!suspended.has('Launch')) while (g.members.length < to) this.launch(atMs, LAUNCH_TEMPLATE_VERSION, cause);
    if (!suspended.has('Terminate')) while (g.members.length > to && this.terminateOne(atMs, cause));
  }

  /** The earliest scheduled action due by `horizon`, unless ScheduledActions is suspended. */
  private dueAction(horizon: number): GroupConfig['scheduled'][number] | undefined {
    if (this.cfg.deleted || this.cfg.suspended.includes('ScheduledActions')) return undefined;
    let due: GroupConfig['scheduled'][number] | undefined;
    for (const a of this.cfg.scheduled) if (a.startMs <= horizon && (!due || a.startMs < due.startMs)) due = a;
    return due;
  }

  private fire(a: GroupConfig['scheduled'][number], atMs: number): void {
    const c = this.cfg;
    if (a.minSize !== undefined) c.min = a.minSize;
    if (a.maxSize !== undefined) c.max = a.maxSize;
    if (a.desiredCapacity !== undefined) c.override = { desired: a.desiredCapacity, untilMs: atMs + OVERRIDE_HOLD };
    c.scheduled = c.scheduled.filter((x) => x !== a);
    this.save();
    this.converge(atMs, 'a scheduled action');
  }

  private advance(): void {
    const now = this.nowMs();
    // After a long jump nobody can see the intermediate days: simulate only the last two.
    if (now - this.simulatedTo > 2 * DAY) this.simulatedTo = Math.floor((now - 2 * DAY) / TICK) * TICK;
    for (;;) {
      const nextTick = this.simulatedTo + TICK;
      // scheduled actions run at their own minute, between the policy's ticks
      const due = this.dueAction(Math.min(now, nextTick));
      if (due) {
        this.fire(due, Math.max(due.startMs, this.simulatedTo));
        continue;
      }
      if (nextTick > now) break;
      this.simulatedTo = nextTick;
      this.converge(nextTick);
    }
    this.group.terminating = this.group.terminating.filter((t) => now - t.atMs < TERMINATING_MS);
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
    if ((names && !names.includes(ASG_NAME)) || this.cfg.deleted) return [];
    const now = this.nowMs();
    const g = this.group;
    const guarded = new Set(this.cfg.protectedIds);
    const member = (id: string, lifecycleState: string): AsgInstance => {
      const r = this.instances.get(id);
      return {
        id,
        lifecycleState,
        healthStatus: 'Healthy',
        availabilityZone: r?.az,
        instanceType: r?.type,
        launchTemplate: LAUNCH_TEMPLATE,
        launchTemplateVersion: r?.templateVersion,
        protectedFromScaleIn: guarded.has(id),
      };
    };
    const instances: AsgInstance[] = [
      ...g.members.map((id) => {
        const r = this.instances.get(id);
        return member(id, r !== undefined && now - r.launchMs < BOOT ? 'Pending' : 'InService');
      }),
      // Simplified: EC2 already says shutting-down while the hook holds them (the pool has dropped them: not InService).
      ...g.terminating.map((t) => member(t.id, now - t.atMs < HOOK_WAIT_MS ? 'Terminating:Wait' : 'Terminating:Proceed')),
    ];
    return [
      {
        name: ASG_NAME,
        minSize: this.cfg.min,
        maxSize: this.cfg.max,
        desiredCapacity: g.desired,
        instances,
        availabilityZones: [...ZONES],
        launchTemplate: LAUNCH_TEMPLATE,
        launchTemplateVersion: LAUNCH_TEMPLATE_VERSION,
        tags: { Name: 'web', Role: 'web' },
        createdTime: new Date(g.createdMs),
        suspendedProcesses: [...this.cfg.suspended],
        defaultCooldownSeconds: 300,
        targetGroupArns: [TARGET_GROUP_ARN],
        loadBalancerNames: [CLASSIC_ELB_NAME],
      },
    ];
  }

  /** When each terminating member left the group's capacity: the simulated target group drains it from then. */
  terminatingSince(): ReadonlyMap<string, number> {
    this.advance();
    return new Map(this.group.terminating.map((t) => [t.id, t.atMs]));
  }

  describeActivities(name: string, max: number): ScalingActivity[] {
    this.advance();
    return name === ASG_NAME && !this.cfg.deleted ? this.activities.list(this.nowMs(), max) : [];
  }

  describePolicies(name: string | undefined): ScalingPolicy[] {
    return (name === undefined || name === ASG_NAME) && !this.cfg.deleted ? this.cfg.policies.map((p) => ({ ...p })) : [];
  }

  describeScheduledActions(name: string | undefined): ScheduledAction[] {
    this.advance();
    return (name === undefined || name === ASG_NAME) && !this.cfg.deleted ? scheduledView(this.cfg) : [];
  }

  describeLifecycleHooks(name: string): LifecycleHook[] {
    this.requireGroup(name);
    return HOOKS.map((h) => ({ ...h }));
  }

  private save(): void {
    saveConfig(this.dir, this.cfg);
  }

  private requireGroup(name: string): GroupConfig {
    if (name !== ASG_NAME || this.cfg.deleted) throw notFound(name);
    return this.cfg;
  }

  setDesiredCapacity(name: string, desired: number): void {
    this.advance();
    const c = this.requireGroup(name);
    if (desired > c.max) throw validation(`New SetDesiredCapacity value ${desired} is above max value ${c.max} for the AutoScalingGroup.`);
    if (desired < c.min) throw validation(`New SetDesiredCapacity value ${desired} is below min value ${c.min} for the AutoScalingGroup.`);
    const now = this.nowMs();
    c.override = { desired, untilMs: now + OVERRIDE_HOLD };
    this.save();
    this.converge(now, 'a user request');
  }

  updateGroupSize(name: string, size: { min?: number; max?: number; desired?: number }): void {
    this.advance();
    const c = this.requireGroup(name);
    const min = size.min ?? c.min;
    const max = size.max ?? c.max;
    if (min > max) throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
    if (size.desired !== undefined && (size.desired < min || size.desired > max)) {
      throw validation(`Desired capacity:${size.desired} must be between the specified min size:${min} and max size:${max}`);
    }
    c.min = min;
    c.max = max;
    const now = this.nowMs();
    if (size.desired !== undefined) c.override = { desired: size.desired, untilMs: now + OVERRIDE_HOLD };
    this.save();
    this.converge(now, 'a user request');
  }

  /** A change to the group's configuration alone (scheduled actions, policies, processes): checked, applied, saved. */
  configure(group: string, change: (c: GroupConfig, nowMs: number) => void): void {
    this.advance();
    change(this.requireGroup(group), this.nowMs());
    this.save();
  }

  setInstanceProtection(group: string, ids: readonly string[], on: boolean): void {
    this.advance();
    const c = this.requireGroup(group);
    const stranger = ids.find((id) => !this.group.members.includes(id));
    if (stranger) throw validation(`The instance ${stranger} is not part of Auto Scaling group ${group}.`);
    const set = new Set(c.protectedIds);
    for (const id of ids) if (on) set.add(id); else set.delete(id);
    c.protectedIds = [...set];
    this.save();
  }

  /** TerminateInstanceInAutoScalingGroup: that member goes; without decrement the group launches its replacement. */
  terminateInstance(id: string, decrement: boolean): void {
    this.advance();
    const c = this.requireGroup(ASG_NAME);
    const r = this.group.members.includes(id) ? this.instances.get(id) : undefined;
    if (!r) throw validation(`Instance Id not found - No managed instance found for instance ID: ${id}`);
    const now = this.nowMs();
    if (decrement && this.group.desired - 1 < c.min) {
      throw validation(`Currently, desiredSize equals minSize (${c.min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`);
    }
    if (decrement) c.override = { desired: this.group.desired - 1, untilMs: now + OVERRIDE_HOLD };
    this.save();
    this.terminate(r, now, `At ${new Date(now).toISOString()} instance ${id} was taken out of service in response to a user request${decrement ? ', shrinking the capacity' : ''}.`);
    this.converge(now, 'a user request');
  }

  deleteGroup(name: string, force: boolean): void {
    this.advance();
    const c = this.requireGroup(name);
    const now = this.nowMs();
    if (force) {
      for (const id of [...this.group.members]) {
        const r = this.instances.get(id);
        if (r) this.terminate(r, now, `At ${new Date(now).toISOString()} a user request force deleted the group.`);
      }
    } else if (this.activities.inProgress(now)) {
      throw new CloudError('ScalingActivityInProgress', 'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.', { status: 400 });
    } else if (this.group.members.length > 0 || this.group.terminating.length > 0) {
      throw new CloudError('ResourceInUse', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.', { status: 400 });
    }
    c.deleted = true;
    c.scheduled = [];
    c.policies = [];
    this.group.desired = 0;
    this.save();
  }

  deleteLaunchTemplate(name: string): void {
    if (name !== LAUNCH_TEMPLATE || this.cfg.templateDeleted) {
      throw new CloudError('InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${name}, does not exist.`, { status: 400 });
    }
    this.cfg.templateDeleted = true;
    this.save();
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

