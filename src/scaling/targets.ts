/**
 * Load balancer targets of an Auto Scaling group: the target groups it is
 * attached to, each target's health, and registering or deregistering one
 * instance by hand (the seed's `elb-register-instances-with-lb`, for an ALB).
 * Guard: deregistering the last healthy target of a group is refused
 * without force, since the load balancer would then have nobody to send to.
 */
import type { AutoScalingGroup, BalancingPort, ListOptions, ScalingPort, TargetGroup, TargetHealth } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import { planBase, type ScalingPlan } from './calls.js';

export interface GroupTargets {
  group: AutoScalingGroup;
  targetGroups: TargetGroup[];
  /** classic ELBs the group names; their instance health needs the classic ELB API, which opsdeck does not load */
  classicElbs: string[];
}

export interface TargetCounts {
  healthy: number;
  initial: number;
  unhealthy: number;
  draining: number;
  other: number;
}

export function countTargets(targets: readonly TargetHealth[]): TargetCounts {
  const c: TargetCounts = { healthy: 0, initial: 0, unhealthy: 0, draining: 0, other: 0 };
  for (const t of targets) {
    if (t.state === 'healthy') c.healthy++;
    else if (t.state === 'initial') c.initial++;
    else if (t.state.startsWith('unhealthy')) c.unhealthy++;
    else if (t.state === 'draining') c.draining++;
    else c.other++;
  }
  return c;
}

/** What a person reads for a draining target: it still takes its open connections for up to the delay. */
export function targetStateText(t: TargetHealth, tg: TargetGroup): string {
  if (t.state === 'draining') return `draining (delay ${tg.deregistrationDelaySeconds ?? '?'} s)`;
  return t.reason && t.state !== 'healthy' ? `${t.state} (${t.reason})` : t.state;
}

export function requireBalancing(balancing: BalancingPort | undefined): BalancingPort {
  if (!balancing) throw new OpsError('CLOUD', 'load balancer targets are not available with this cloud connection');
  return balancing;
}

export async function readTargets(ports: { scaling: ScalingPort; balancing?: BalancingPort | undefined }, name: string, o: ListOptions = {}): Promise<GroupTargets> {
  const sig = o.signal ? { signal: o.signal } : {};
  const [group] = await ports.scaling.describeGroups([name], sig);
  if (!group) throw new OpsError('USAGE', `no Auto Scaling group ${name}`, { hint: 'opsdeck scaling status --batch lists the groups' });
  const arns = group.targetGroupArns ?? [];
  const targetGroups = arns.length ? await requireBalancing(ports.balancing).describeTargetGroups(arns, o) : [];
  return { group, targetGroups, classicElbs: group.loadBalancerNames ?? [] };
}

/** By name or ARN; the group's only one when not named. */
export function pickTargetGroup(t: GroupTargets, wanted: string | undefined): TargetGroup {
  const list = t.targetGroups;
  if (list.length === 0) {
    throw new OpsError('USAGE', `${t.group.name} is attached to no target group${t.classicElbs.length ? ` (only classic ELBs: ${t.classicElbs.join(', ')}, not supported here)` : ''}`);
  }
  if (wanted === undefined) {
    if (list.length === 1 && list[0]) return list[0];
    throw new OpsError('USAGE', `${t.group.name} is attached to ${list.length} target groups: name one with --target-group`, { hint: list.map((g) => g.name).join(', ') });
  }
  const hit = list.find((g) => g.name === wanted || g.arn === wanted);
  if (!hit) throw new OpsError('USAGE', `${t.group.name} is not attached to target group ${wanted}`, { hint: `attached: ${list.map((g) => g.name).join(', ')}` });
  return hit;
}

export function planTargets(t: GroupTargets, req: { instanceId: string; register: boolean; targetGroup?: string | undefined; force?: boolean | undefined }, o: { now: Date; source: string }): ScalingPlan {
  if (!/^i-[0-9a-f]{8,17}$/.test(req.instanceId)) throw new OpsError('USAGE', `not an instance id: ${JSON.stringify(req.instanceId)}`);
  const tg = pickTargetGroup(t, req.targetGroup);
  const g = t.group;
  const current = tg.targets.find((x) => x.id === req.instanceId);
  const member = g.instances.some((i) => i.id === req.instanceId);
  const base = planBase(g, 'targets', o);
  const notes: string[] = [];
  if (req.register) {
    if (current && current.state !== 'draining') return { ...base, calls: [], notes: [`${req.instanceId} is already a target of ${tg.name} (${current.state})`] };
    if (!member) notes.push(`${req.instanceId} is not a member of ${g.name}: the group will not deregister it when it scales in`);
    notes.push(`it takes traffic once its health checks pass (${tg.protocol ?? ''} ${tg.port ?? ''} ${tg.healthCheckPath ?? ''})`.replace(/\s+\)/, ')'));
  } else {
    if (!current || current.state === 'draining') return { ...base, calls: [], notes: [`${req.instanceId} is not a registered target of ${tg.name}${current ? ' (already draining)' : ''}`] };
    const healthyLeft = tg.targets.filter((x) => x.state === 'healthy' && x.id !== req.instanceId).length;
    if (healthyLeft === 0 && !req.force) {
      throw new OpsError('REFUSED', `${req.instanceId} is the last healthy target of ${tg.name}: the load balancer would have nobody to send to`, { hint: 'register another instance first, or add --force' });
    }
    notes.push(`it drains for up to ${tg.deregistrationDelaySeconds ?? '?'} s (the deregistration delay): open connections finish, new ones go elsewhere`);
    notes.push(`${healthyLeft} healthy target(s) remain; the instance keeps running${member ? ` and stays in ${g.name} (the group does not register it again)` : ''}`);
  }
  return {
    ...base,
    calls: [{ op: req.register ? 'registerTargets' : 'deregisterTargets', group: g.name, targetGroupArn: tg.arn, targetGroup: tg.name, instanceIds: [req.instanceId] }],
    notes,
  };
}
