/**
 * Reading Auto Scaling: a summary row per group (what the pane's table and
 * `scaling status` show) and a group's detail (instances, activities,
 * policies, scheduled actions, hooks, warm pool). Every listing reads all
 * its pages; the summary costs three listings whatever the number of groups.
 */
import type {
  AlarmState,
  AlarmsPort,
  AsgInstance,
  BalancingPort,
  ClassicElbPort,
  ClassicLoadBalancer,
  TargetGroup,
  AutoScalingGroup,
  LifecycleHook,
  ListOptions,
  ScalingActivity,
  ScalingPolicy,
  ScalingPort,
  ScheduledAction,
  WarmPool,
} from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';

export interface GroupCounts {
  inService: number;
  pending: number;
  terminating: number;
  /** Standby, Detached, warmed, ... */
  other: number;
  unhealthy: number;
  protected: number;
  /** members launched from another template version than the group's (when the version is known) */
  outdated: number;
}

export interface GroupSummary {
  name: string;
  min: number;
  max: number;
  desired: number;
  counts: GroupCounts;
  policies: number;
  /** the next one-time or recurring action, soonest first */
  nextScheduled: { name: string; at: string | undefined; recurrence: string | undefined; change: string } | undefined;
  suspended: string[];
  launchTemplate: string | undefined;
  launchTemplateVersion: string | undefined;
  zones: string[];
  status: string | undefined;
}

export interface ScalingStatus {
  source: string;
  at: string;
  groups: GroupSummary[];
}

const TERMINATING = /^Terminat/;

/** Whether an instance runs the group's current launch template or configuration; undefined when that cannot be known. */
export function runsCurrent(group: AutoScalingGroup, inst: AsgInstance): boolean | undefined {
  if (inst.launchTemplate === undefined) return undefined;
  if (group.launchTemplate !== undefined && inst.launchTemplate !== group.launchTemplate) return false;
  if (group.launchConfigurationName !== undefined) return inst.launchTemplate === group.launchConfigurationName;
  // $Latest / $Default name a version only EC2 can resolve: not guessed here
  const v = group.launchTemplateVersion;
  if (v === undefined || !/^\d+$/.test(v) || inst.launchTemplateVersion === undefined) return undefined;
  return inst.launchTemplateVersion === v;
}

export function countInstances(group: AutoScalingGroup): GroupCounts {
  const c: GroupCounts = { inService: 0, pending: 0, terminating: 0, other: 0, unhealthy: 0, protected: 0, outdated: 0 };
  for (const i of group.instances) {
    if (i.lifecycleState === 'InService') c.inService++;
    else if (i.lifecycleState.startsWith('Pending')) c.pending++;
    else if (TERMINATING.test(i.lifecycleState)) c.terminating++;
    else c.other++;
    if (i.healthStatus !== 'Healthy') c.unhealthy++;
    if (i.protectedFromScaleIn) c.protected++;
    if (!TERMINATING.test(i.lifecycleState) && runsCurrent(group, i) === false) c.outdated++;
  }
  return c;
}

/** "min 8", "min 2, max 12", "desired 4" */
export function changeText(a: { minSize?: number | undefined; maxSize?: number | undefined; desiredCapacity?: number | undefined }): string {
  const parts = [a.minSize !== undefined ? `min ${a.minSize}` : '', a.maxSize !== undefined ? `max ${a.maxSize}` : '', a.desiredCapacity !== undefined ? `desired ${a.desiredCapacity}` : ''];
  return parts.filter(Boolean).join(', ') || 'no change';
}

/** The soonest action from now: one-time ones by their start; a recurrence counts as "next" only when nothing one-time is due. */
export function nextScheduled(actions: readonly ScheduledAction[], nowMs: number): GroupSummary['nextScheduled'] {
  const upcoming = actions.filter((a) => a.recurrence === undefined && a.startTime !== undefined && a.startTime.getTime() >= nowMs).sort((a, b) => (a.startTime?.getTime() ?? 0) - (b.startTime?.getTime() ?? 0));
  const next = upcoming[0] ?? actions.find((a) => a.recurrence !== undefined);
  if (!next) return undefined;
  return { name: next.name, at: next.recurrence === undefined ? next.startTime?.toISOString() : undefined, recurrence: next.recurrence, change: changeText(next) };
}

export function summarize(group: AutoScalingGroup, policies: readonly ScalingPolicy[], actions: readonly ScheduledAction[], nowMs: number): GroupSummary {
  return {
    name: group.name,
    min: group.minSize,
    max: group.maxSize,
    desired: group.desiredCapacity,
    counts: countInstances(group),
    policies: policies.length,
    nextScheduled: nextScheduled(actions, nowMs),
    suspended: group.suspendedProcesses ?? [],
    launchTemplate: group.launchTemplate,
    launchTemplateVersion: group.launchTemplateVersion,
    zones: group.availabilityZones,
    status: group.status,
  };
}

function byGroup<T extends { groupName: string }>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const list = m.get(x.groupName);
    if (list) list.push(x);
    else m.set(x.groupName, [x]);
  }
  return m;
}

export interface ReadOptions extends ListOptions {
  now: Date;
  source: string;
  /** only these groups (the config's scaling.groups, or names on the command line) */
  groups?: readonly string[];
}

/** One summary per group, sorted by name; named groups that do not exist are an error, not an empty table. */
export async function readStatus(scaling: ScalingPort, o: ReadOptions): Promise<ScalingStatus> {
  const names = o.groups?.length ? [...o.groups] : undefined;
  const list: ListOptions = { ...(o.signal ? { signal: o.signal } : {}), ...(o.onPage ? { onPage: o.onPage } : {}) };
  // A few named groups: their own listings; otherwise the account's, which is three calls whatever the count.
  const few = names !== undefined && names.length <= 3;
  const [groups, policies, actions] = await Promise.all([
    scaling.describeGroups(names, list),
    few ? Promise.all(names.map((n) => scaling.describePolicies(n, list))).then((x) => x.flat()) : scaling.describePolicies(undefined, list),
    few ? Promise.all(names.map((n) => scaling.describeScheduledActions(n, list))).then((x) => x.flat()) : scaling.describeScheduledActions(undefined, list),
  ]);
  const missing = (names ?? []).filter((n) => !groups.some((g) => g.name === n));
  if (missing.length) {
    throw new OpsError('USAGE', `no Auto Scaling group ${missing.join(', ')}`, { hint: 'opsdeck scaling status --batch lists the groups (check --region and the scaling.groups setting)' });
  }
  const pol = byGroup(policies);
  const act = byGroup(actions);
  const now = o.now.getTime();
  return {
    source: o.source,
    at: o.now.toISOString(),
    groups: groups.map((g) => summarize(g, pol.get(g.name) ?? [], act.get(g.name) ?? [], now)).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export interface GroupDetail {
  group: AutoScalingGroup;
  summary: GroupSummary;
  activities: ScalingActivity[];
  policies: ScalingPolicy[];
  scheduled: ScheduledAction[];
  hooks: LifecycleHook[];
  warmPool: WarmPool | undefined;
  /** why the warm pool could not be read (warmPool is then undefined though the group may have one) */
  warmPoolError?: string | undefined;
  /** the attached target groups with their targets' health; undefined when not read (no port, or the read failed: see extrasErrors) */
  targetGroups?: TargetGroup[] | undefined;
  /** the classic ELBs the group names, with their instances' health; undefined when not read (no port, or the read failed) */
  classicElbs?: ClassicLoadBalancer[] | undefined;
  /** alarm name -> its CloudWatch state, for the policies' alarms */
  alarms?: Record<string, AlarmState> | undefined;
  /** why targets or alarm states are missing (a role without elasticloadbalancing:Describe* or cloudwatch:DescribeAlarms) */
  extrasErrors?: string[] | undefined;
}

export interface DetailPorts {
  balancing?: BalancingPort | undefined;
  classicElb?: ClassicElbPort | undefined;
  alarms?: AlarmsPort | undefined;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Alarm states for every policy's alarms: one DescribeAlarms for them all (per hundred names). */
export async function readAlarmStates(alarms: AlarmsPort, policies: readonly ScalingPolicy[], o: { signal?: AbortSignal } = {}): Promise<Record<string, AlarmState>> {
  const names = [...new Set(policies.flatMap((p) => p.alarms))];
  if (names.length === 0) return {};
  const list = await alarms.describeAlarms(names, o.signal ? { signal: o.signal } : {});
  return Object.fromEntries(list.map((a) => [a.name, a]));
}

/** "web-cpu-above-60 ALARM, ..." for a policy: what its alarms say now. */
export function policyAlarmText(p: ScalingPolicy, states: Record<string, AlarmState> | undefined): string {
  if (p.alarms.length === 0) return '-';
  return p.alarms.map((a) => `${a.replace(/^TargetTracking-.*-(Alarm(High|Low)).*$/, '$1')} ${states ? (states[a]?.state ?? 'missing') : '?'}`).join(', ');
}

/** Everything about one group, read in parallel. */
export async function readGroupDetail(scaling: ScalingPort, name: string, o: { now: Date; activities?: number; signal?: AbortSignal } & DetailPorts): Promise<GroupDetail> {
  const sig = o.signal ? { signal: o.signal } : {};
  let warmPoolError: string | undefined;
  const [groups, activities, policies, scheduled, hooks, warmPool] = await Promise.all([
    scaling.describeGroups([name], sig),
    scaling.describeActivities(name, { ...sig, maxItems: o.activities ?? 20 }),
    scaling.describePolicies(name, sig),
    scaling.describeScheduledActions(name, sig),
    // extras: a role allowed to read groups but not hooks or warm pools still sees its group
    scaling.describeLifecycleHooks(name, sig).catch(() => [] as LifecycleHook[]),
    scaling.describeWarmPool(name, sig).catch((e: unknown) => {
      warmPoolError = message(e);
      return undefined;
    }),
  ]);
  const group = groups[0];
  if (!group) throw new OpsError('USAGE', `no Auto Scaling group ${name}`, { hint: 'opsdeck scaling status --batch lists the groups' });
  scheduled.sort((a, b) => (a.startTime?.getTime() ?? Infinity) - (b.startTime?.getTime() ?? Infinity));
  // the second round needs the first's answers: the group's target groups, the policies' alarm names
  const errors: string[] = [];
  const arns = group.targetGroupArns ?? [];
  const elbs = group.loadBalancerNames ?? [];
  const [targetGroups, classicElbs, alarms] = await Promise.all([
    o.balancing && arns.length ? o.balancing.describeTargetGroups(arns, sig).catch((e: unknown) => void errors.push(`targets: ${message(e)}`)) : Promise.resolve(o.balancing ? [] : undefined),
    o.classicElb && elbs.length ? o.classicElb.describeLoadBalancers(elbs, sig).catch((e: unknown) => void errors.push(`classic ELBs: ${message(e)}`)) : Promise.resolve(o.classicElb ? [] : undefined),
    o.alarms ? readAlarmStates(o.alarms, policies, sig).catch((e: unknown) => void errors.push(`alarms: ${message(e)}`)) : Promise.resolve(undefined),
  ]);
  return {
    group,
    summary: summarize(group, policies, scheduled, o.now.getTime()),
    activities,
    policies,
    scheduled,
    hooks,
    warmPool,
    ...(warmPoolError !== undefined ? { warmPoolError } : {}),
    targetGroups: targetGroups ?? undefined,
    classicElbs: classicElbs ?? undefined,
    alarms: alarms ?? undefined,
    ...(errors.length ? { extrasErrors: errors } : {}),
  };
}

/** The seed's trigger beside its modern form, for help texts. */
export const SEED_TRIGGER = [
  'seed (2009): CPU > 60% for 2 min: +2 instances; CPU < 30%: -1 (two alarms, two simple policies, cooldowns)',
  'today: one target tracking policy, ASGAverageCPUUtilization at 50: AWS makes and tunes both alarms',
];

/** The same, in one line for a key's help entry. */
export const SEED_TRIGGER_SHORT = "Target tracking CPU policy. The seed's trigger: CPU > 60% for 2 min: +2, CPU < 30%: -1 (two alarms, two simple policies). Its target tracking equivalent: ASGAverageCPUUtilization at 50 (AWS makes and tunes both alarms)";
