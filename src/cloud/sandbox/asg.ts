/**
 * The sandbox group's configuration around its instances: policies,
 * scheduled actions, lifecycle hooks, suspended processes, scale-in
 * protection, the launch template, and the activity history. With a world
 * dir the configuration is kept in `scaling-state.json`, so what a batch run
 * changed (a capacity, a scheduled raise, a deleted group) is there for the
 * next run, as deleted snapshots are.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirSync } from '../../core/dirs.js';
import type { LifecycleHook, ScalingActivity, ScalingPolicy, ScheduledAction, ScheduledActionInput, TargetTrackingInput } from '../ports.js';
import { CloudError } from '../ports.js';
import { mix32 } from './rng.js';

export const ASG_NAME = 'web-asg';
export const LAUNCH_TEMPLATE = 'web-lt';
/** The group launches this version; some of the oldest members still run the one before. */
export const LAUNCH_TEMPLATE_VERSION = '4';
export const PREVIOUS_TEMPLATE_VERSION = '3';
/** A terminating hook holds instances in Terminating:Wait this long (HAProxy drains them meanwhile). */
export const HOOK_WAIT_MS = 30_000;
/** How long a terminating instance stays listed in the group (EC2 shows it shutting-down meanwhile). */
export const TERMINATING_MS = 60_000;
/** The simulated ALB target group the group is attached to (documentation account id). */
export const TARGET_GROUP_NAME = 'web-tg';
export const TARGET_GROUP_ARN = `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${TARGET_GROUP_NAME}/6d0ecf831eec9f09`;
/** The simulated classic ELB the group names (LoadBalancerNames), the seed's kind. */
export const CLASSIC_ELB_NAME = 'web-elb';
const STATE_FILE = 'scaling-state.json';
const MAX_ACTIVITIES = 500;

export const ALL_PROCESSES = ['Launch', 'Terminate', 'AddToLoadBalancer', 'AlarmNotification', 'AZRebalance', 'HealthCheck', 'InstanceRefresh', 'ReplaceUnhealthy', 'ScheduledActions'];

/** What persists: everything a person can change through the port. */
export interface GroupConfig {
  min: number;
  max: number;
  override: { desired: number; untilMs: number } | undefined;
  policies: ScalingPolicy[];
  scheduled: { name: string; startMs: number; minSize?: number | undefined; maxSize?: number | undefined; desiredCapacity?: number | undefined }[];
  suspended: string[];
  protectedIds: string[];
  deleted: boolean;
  templateDeleted: boolean;
}

export function initialConfig(): GroupConfig {
  return {
    min: 2,
    max: 12,
    override: undefined,
    policies: [
      // the modern form: target tracking keeps average CPU near 50%; the load curve stands for it
      { name: 'cpu-target-50', groupName: ASG_NAME, kind: 'TargetTrackingScaling', enabled: true, targetTracking: { metric: 'ASGAverageCPUUtilization', targetValue: 50, disableScaleIn: false }, estimatedInstanceWarmupSeconds: 90, alarms: ['TargetTracking-web-asg-AlarmHigh', 'TargetTracking-web-asg-AlarmLow'] },
      // the seed's trigger, as it was: +2 above 60% for 2 minutes, -1 below 30%
      { name: 'seed-scale-out', groupName: ASG_NAME, kind: 'SimpleScaling', enabled: true, adjustmentType: 'ChangeInCapacity', scalingAdjustment: 2, cooldownSeconds: 120, alarms: ['web-cpu-above-60'] },
      { name: 'seed-scale-in', groupName: ASG_NAME, kind: 'SimpleScaling', enabled: true, adjustmentType: 'ChangeInCapacity', scalingAdjustment: -1, cooldownSeconds: 120, alarms: ['web-cpu-below-30'] },
    ],
    scheduled: [],
    suspended: [],
    protectedIds: [],
    deleted: false,
    templateDeleted: false,
  };
}

export const HOOKS: readonly LifecycleHook[] = [
  { name: 'drain-from-haproxy', groupName: ASG_NAME, transition: 'autoscaling:EC2_INSTANCE_TERMINATING', heartbeatTimeoutSeconds: HOOK_WAIT_MS / 1000, defaultResult: 'CONTINUE' },
];

export function loadConfig(dir: string | undefined): GroupConfig {
  const base = initialConfig();
  if (dir === undefined) return base;
  try {
    const saved = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as Partial<GroupConfig>;
    return { ...base, ...saved };
  } catch {
    // no file yet, or a damaged one: the world starts as shipped
    return base;
  }
}

export function saveConfig(dir: string | undefined, config: GroupConfig): void {
  if (dir === undefined) return;
  ensureDirSync(dir, { what: 'the sandbox directory' });
  const file = join(dir, STATE_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(config));
  renameSync(`${file}.tmp`, file);
}

export function scheduledView(config: GroupConfig): ScheduledAction[] {
  return config.scheduled.map((s) => ({
    name: s.name,
    groupName: ASG_NAME,
    startTime: new Date(s.startMs),
    minSize: s.minSize,
    maxSize: s.maxSize,
    desiredCapacity: s.desiredCapacity,
  }));
}

/** A scaling activity as recorded: its status is worked out when it is read. */
export interface ActivityRec {
  id: string;
  description: string;
  cause: string;
  startMs: number;
  /** when it finishes (launch: boot done; terminate: the instance gone) */
  endMs: number;
}

export class ActivityLog {
  private readonly items: ActivityRec[] = [];
  private n = 0;
  constructor(private readonly seed: number) {}

  add(description: string, cause: string, startMs: number, durationMs: number): void {
    const a = mix32(this.seed ^ mix32(++this.n));
    const b = mix32(a ^ this.n);
    const hex = (x: number, len: number): string => x.toString(16).padStart(8, '0').slice(0, len);
    const id = `${hex(a, 8)}-${hex(b, 4)}-4${hex(b >>> 4, 3)}-a${hex(a >>> 8, 3)}-${hex(mix32(b), 8)}${hex(a, 4)}`;
    // kept in start order (the initial members are recorded newest first)
    let i = this.items.length;
    while (i > 0 && (this.items[i - 1]?.startMs ?? 0) > startMs) i--;
    this.items.splice(i, 0, { id, description, cause, startMs, endMs: startMs + durationMs });
    if (this.items.length > MAX_ACTIVITIES) this.items.splice(0, this.items.length - MAX_ACTIVITIES);
  }

  inProgress(now: number): boolean {
    return this.items.some((a) => a.startMs <= now && now < a.endMs);
  }

  /** Newest first, like the API. */
  list(now: number, max: number): ScalingActivity[] {
    const out: ScalingActivity[] = [];
    for (let i = this.items.length - 1; i >= 0 && out.length < max; i--) {
      const a = this.items[i];
      if (!a || a.startMs > now) continue;
      const done = now >= a.endMs;
      out.push({
        id: a.id,
        groupName: ASG_NAME,
        description: a.description,
        cause: a.cause,
        status: done ? 'Successful' : 'InProgress',
        progress: done ? 100 : Math.floor(((now - a.startMs) / Math.max(1, a.endMs - a.startMs)) * 100),
        startTime: new Date(a.startMs),
        endTime: done ? new Date(a.endMs) : undefined,
      });
    }
    return out;
  }
}

export function validation(message: string): CloudError {
  return new CloudError('ValidationError', message, { status: 400 });
}

export function notFound(name: string): CloudError {
  return validation(`AutoScalingGroup name not found - ${name}`);
}

/** The API's own wording, so the sandbox teaches what AWS will say. */
export function capacityCause(atMs: number, who: string, min: number, max: number, desired: number, from: number): string {
  const at = new Date(atMs).toISOString().replace('.000Z', 'Z');
  return `At ${at} ${who} update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${from} to ${desired}.`;
}

/** The configuration-only writes, as the API checks them; SandboxFleet.configure applies and saves. */
export const configure = {
  putScheduledAction: (a: ScheduledActionInput) => (c: GroupConfig, nowMs: number): void => {
    if (a.startTime.getTime() <= nowMs) throw validation('Given start time is in the past');
    if (a.minSize !== undefined && a.maxSize !== undefined && a.minSize > a.maxSize) throw validation(`Max bound, ${a.maxSize}, must be greater than or equal to min bound, ${a.minSize}`);
    const entry = { name: a.name, startMs: a.startTime.getTime(), minSize: a.minSize, maxSize: a.maxSize, desiredCapacity: a.desiredCapacity };
    c.scheduled = [...c.scheduled.filter((x) => x.name !== a.name), entry];
  },
  deleteScheduledAction: (name: string) => (c: GroupConfig): void => {
    if (!c.scheduled.some((x) => x.name === name)) throw validation(`Scheduled Update Group Action name not found - ${name}`);
    c.scheduled = c.scheduled.filter((x) => x.name !== name);
  },
  putTargetTrackingPolicy: (p: TargetTrackingInput) => (c: GroupConfig): void => {
    const policy: ScalingPolicy = {
      name: p.name,
      groupName: ASG_NAME,
      kind: 'TargetTrackingScaling',
      enabled: true,
      targetTracking: { metric: p.metric, targetValue: p.targetValue, disableScaleIn: p.disableScaleIn ?? false },
      estimatedInstanceWarmupSeconds: p.estimatedInstanceWarmupSeconds,
      alarms: [`TargetTracking-${ASG_NAME}-AlarmHigh`, `TargetTracking-${ASG_NAME}-AlarmLow`],
    };
    c.policies = [...c.policies.filter((x) => x.name !== p.name), policy];
  },
  // the capacity a deleted policy left stays: nothing drives it any more
  deletePolicy: (name: string) => (c: GroupConfig): void => {
    if (!c.policies.some((x) => x.name === name)) throw validation(`Policy name not found - ${name}`);
    c.policies = c.policies.filter((x) => x.name !== name);
  },
  processes: (processes: readonly string[] | undefined, suspend: boolean) => (c: GroupConfig): void => {
    const names = processes ?? ALL_PROCESSES;
    const unknown = names.filter((n) => !ALL_PROCESSES.includes(n));
    if (unknown.length) throw validation(`Invalid processes: ${unknown.join(', ')}`);
    const set = new Set(c.suspended);
    for (const n of names) {
      if (suspend) set.add(n);
      else set.delete(n);
    }
    c.suspended = ALL_PROCESSES.filter((n) => set.has(n));
  },
};
