/**
 * Load balancer targets of an Auto Scaling group: the target groups it is
 * attached to and the classic ELBs it names, each target's (instance's)
 * health, and registering or deregistering one instance by hand (the seed's
 * `elb-register-instances-with-lb`, for an ALB target group or a classic
 * ELB). Guard: deregistering the last healthy target of a load balancer is
 * refused without force, since it would then have nobody to send to.
 */
import type { AutoScalingGroup, BalancingPort, ClassicElbPort, ClassicLoadBalancer, ListOptions, ScalingPort, TargetGroup, TargetHealth } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import { planBase, type ScalingPlan } from './calls.js';
import { isClassicDraining, planClassic } from './classic-elb.js';

export interface GroupTargets {
  group: AutoScalingGroup;
  targetGroups: TargetGroup[];
  /** the classic ELBs the group names, with their instances' health and connection draining */
  classicElbs: ClassicLoadBalancer[];
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

export function requireClassicElb(classicElb: ClassicElbPort | undefined): ClassicElbPort {
  if (!classicElb) throw new OpsError('CLOUD', 'classic ELBs are not available with this cloud connection');
  return classicElb;
}

export interface TargetPorts {
  scaling: ScalingPort;
  balancing?: BalancingPort | undefined;
  classicElb?: ClassicElbPort | undefined;
}

export async function readTargets(ports: TargetPorts, name: string, o: ListOptions = {}): Promise<GroupTargets> {
  const sig = o.signal ? { signal: o.signal } : {};
  const [group] = await ports.scaling.describeGroups([name], sig);
  if (!group) throw new OpsError('USAGE', `no Auto Scaling group ${name}`, { hint: 'opsdeck scaling status --batch lists the groups' });
  const arns = group.targetGroupArns ?? [];
  const names = group.loadBalancerNames ?? [];
  const [targetGroups, classicElbs] = await Promise.all([
    arns.length ? requireBalancing(ports.balancing).describeTargetGroups(arns, o) : Promise.resolve([]),
    names.length ? requireClassicElb(ports.classicElb).describeLoadBalancers(names, o) : Promise.resolve([]),
  ]);
  return { group, targetGroups, classicElbs };
}

/** Which load balancer a registration is for: a target group (name or ARN) or a classic ELB (name). */
export type LoadBalancerChoice = { kind: 'targetGroup'; tg: TargetGroup } | { kind: 'classicElb'; lb: ClassicLoadBalancer };

const lbNames = (t: GroupTargets): string =>
  [...t.targetGroups.map((g) => `target group ${g.name}`), ...t.classicElbs.map((l) => `classic ELB ${l.name}`)].join(', ');

/** By --target-group or --elb; the group's only load balancer when neither is given. */
export function pickLoadBalancer(t: GroupTargets, wanted: { targetGroup?: string | undefined; elb?: string | undefined }): LoadBalancerChoice {
  const g = t.group.name;
  if (wanted.targetGroup !== undefined && wanted.elb !== undefined) throw new OpsError('USAGE', 'name one load balancer: --target-group or --elb, not both');
  if (wanted.elb !== undefined) {
    const lb = t.classicElbs.find((l) => l.name === wanted.elb);
    if (!lb) throw new OpsError('USAGE', `${g} names no classic ELB ${wanted.elb}`, { hint: t.classicElbs.length ? `its classic ELBs: ${t.classicElbs.map((l) => l.name).join(', ')}` : `its load balancers: ${lbNames(t) || 'none'}` });
    return { kind: 'classicElb', lb };
  }
  if (wanted.targetGroup !== undefined) {
    const tg = t.targetGroups.find((x) => x.name === wanted.targetGroup || x.arn === wanted.targetGroup);
    if (!tg) throw new OpsError('USAGE', `${g} is not attached to target group ${wanted.targetGroup}`, { hint: `attached: ${lbNames(t) || 'none'}` });
    return { kind: 'targetGroup', tg };
  }
  const total = t.targetGroups.length + t.classicElbs.length;
  if (total === 0) throw new OpsError('USAGE', `${g} is attached to no load balancer (no target group, no classic ELB)`);
  if (total === 1) return t.targetGroups[0] ? { kind: 'targetGroup', tg: t.targetGroups[0] } : { kind: 'classicElb', lb: t.classicElbs[0] as ClassicLoadBalancer };
  // several: registering with one leaves the others as they were, so a person names which
  const what = t.classicElbs.length === 0 ? `${total} target groups: name one with --target-group` : `${total} load balancers: name one with --target-group NAME or --elb NAME`;
  throw new OpsError('USAGE', `${g} is attached to ${what}`, { hint: lbNames(t) });
}

/** By name or ARN; the group's only one when not named. */
export function pickTargetGroup(t: GroupTargets, wanted: string | undefined): TargetGroup {
  const c = pickLoadBalancer({ ...t, classicElbs: [] }, { targetGroup: wanted });
  if (c.kind !== 'targetGroup') throw new OpsError('USAGE', `${t.group.name} is attached to no target group`);
  return c.tg;
}

/** "it stays registered with classic ELB web-elb" notes: the other load balancers keep sending to it. */
export function otherLoadBalancerNotes(t: GroupTargets, instanceId: string, chosen: string, register: boolean): string[] {
  if (register) return [];
  const others = [
    ...t.targetGroups.filter((g) => g.name !== chosen && g.targets.some((x) => x.id === instanceId && x.state !== 'draining')).map((g) => `target group ${g.name} (--target-group ${g.name})`),
    ...t.classicElbs.filter((l) => l.name !== chosen && l.instances.some((h) => h.instanceId === instanceId && !isClassicDraining(h))).map((l) => `classic ELB ${l.name} (--elb ${l.name})`),
  ];
  return others.length ? [`${instanceId} stays registered with ${others.join(', ')} and keeps taking traffic there`] : [];
}

export interface TargetRequest {
  instanceId: string;
  register: boolean;
  targetGroup?: string | undefined;
  /** a classic ELB's name */
  elb?: string | undefined;
  force?: boolean | undefined;
}

export function planTargets(t: GroupTargets, req: TargetRequest, o: { now: Date; source: string }): ScalingPlan {
  if (!/^i-[0-9a-f]{8,17}$/.test(req.instanceId)) throw new OpsError('USAGE', `not an instance id: ${JSON.stringify(req.instanceId)}`);
  const choice = pickLoadBalancer(t, req);
  if (choice.kind === 'classicElb') return planClassic(t.group, choice.lb, req, otherLoadBalancerNotes(t, req.instanceId, choice.lb.name, req.register), o);
  const tg = choice.tg;
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
    notes.push(...otherLoadBalancerNotes(t, req.instanceId, tg.name, false));
  }
  return {
    ...base,
    calls: [{ op: req.register ? 'registerTargets' : 'deregisterTargets', group: g.name, targetGroupArn: tg.arn, targetGroup: tg.name, instanceIds: [req.instanceId] }],
    notes,
  };
}
