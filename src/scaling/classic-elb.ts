/**
 * Classic ELB registrations (the seed's `elb-register-instances-with-lb`):
 * an instance's health as the classic API reports it (InService /
 * OutOfService / Unknown with a reason code), connection draining while it
 * deregisters, and the plan for registering or deregistering one instance.
 * The classic API has no "draining" state: a deregistering instance stays
 * InService with "Instance deregistration currently in progress." until its
 * requests finish or the draining timeout ends.
 */
import type { AutoScalingGroup, ClassicInstanceHealth, ClassicLoadBalancer } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import { planBase, type ScalingPlan } from './calls.js';

export function isClassicDraining(h: ClassicInstanceHealth): boolean {
  return /deregistration currently in progress/i.test(h.description ?? '');
}

/** Takes new requests: InService and not on its way out. */
export function isClassicServing(h: ClassicInstanceHealth): boolean {
  return h.state === 'InService' && !isClassicDraining(h);
}

export interface ClassicCounts {
  inService: number;
  outOfService: number;
  unknown: number;
  draining: number;
}

export function countClassic(instances: readonly ClassicInstanceHealth[]): ClassicCounts {
  const c: ClassicCounts = { inService: 0, outOfService: 0, unknown: 0, draining: 0 };
  for (const h of instances) {
    if (isClassicDraining(h)) c.draining++;
    else if (h.state === 'InService') c.inService++;
    else if (h.state === 'OutOfService') c.outOfService++;
    else c.unknown++;
  }
  return c;
}

export function drainingText(lb: ClassicLoadBalancer): string {
  const cd = lb.connectionDraining;
  if (!cd) return 'connection draining ?';
  return cd.enabled ? `connection draining ${cd.timeoutSeconds ?? '?'} s` : 'connection draining off';
}

/** What a person reads: "draining (up to 300 s)", "OutOfService (Instance: Instance has failed ...)", "InService". */
export function classicStateText(h: ClassicInstanceHealth, lb: ClassicLoadBalancer): string {
  if (isClassicDraining(h)) return lb.connectionDraining?.enabled === false ? 'deregistering' : `draining (up to ${lb.connectionDraining?.timeoutSeconds ?? '?'} s)`;
  if (h.state === 'InService') return 'InService';
  const why = [h.reasonCode && h.reasonCode !== 'N/A' ? h.reasonCode : '', h.description ?? ''].filter(Boolean).join(': ');
  return why ? `${h.state} (${why})` : h.state;
}

/** Colour of an instance's classic health: green serving, yellow draining or unknown, red out of service. */
export function classicColour(h: ClassicInstanceHealth): 'green' | 'yellow' | 'red' {
  return isClassicServing(h) ? 'green' : h.state === 'OutOfService' ? 'red' : 'yellow';
}

export function planClassic(
  g: AutoScalingGroup,
  lb: ClassicLoadBalancer,
  req: { instanceId: string; register: boolean; force?: boolean | undefined },
  others: readonly string[],
  o: { now: Date; source: string },
): ScalingPlan {
  const current = lb.instances.find((h) => h.instanceId === req.instanceId);
  const member = g.instances.find((i) => i.id === req.instanceId);
  const base = planBase(g, 'targets', o);
  const notes: string[] = [];
  if (req.register) {
    if (current && !isClassicDraining(current)) return { ...base, calls: [], notes: [`${req.instanceId} is already registered with ${lb.name} (${classicStateText(current, lb)})`] };
    if (!member) notes.push(`${req.instanceId} is not a member of ${g.name}: the group will not deregister it when it scales in`);
    if (member?.availabilityZone && lb.availabilityZones.length && !lb.availabilityZones.includes(member.availabilityZone)) {
      notes.push(`${member.availabilityZone} is not one of ${lb.name}'s zones (${lb.availabilityZones.join(', ')}): it stays OutOfService there`);
    }
    notes.push(`it takes traffic once it passes ${lb.name}'s health check${lb.healthCheckTarget ? ` (${lb.healthCheckTarget})` : ''}; OutOfService until then`);
  } else {
    if (!current || isClassicDraining(current)) return { ...base, calls: [], notes: [`${req.instanceId} is not registered with ${lb.name}${current ? ' (already deregistering)' : ''}`] };
    const left = lb.instances.filter((h) => isClassicServing(h) && h.instanceId !== req.instanceId).length;
    if (left === 0 && !req.force) {
      throw new OpsError('REFUSED', `${req.instanceId} is the last InService instance of ${lb.name}: the load balancer would have nobody to send to`, { hint: 'register another instance first, or add --force' });
    }
    const cd = lb.connectionDraining;
    notes.push(
      cd?.enabled
        ? `connection draining is on: it finishes its open requests for up to ${cd.timeoutSeconds ?? '?'} s, new ones go elsewhere`
        : cd
          ? 'connection draining is OFF: open requests to it are cut at once'
          : 'connection draining: not known (the attributes were not read)',
    );
    notes.push(`${left} InService instance(s) remain; the instance keeps running${member ? ` and stays in ${g.name} (the group does not register it again)` : ''}`);
    notes.push(...others);
  }
  return { ...base, calls: [{ op: req.register ? 'registerInstances' : 'deregisterInstances', group: g.name, loadBalancer: lb.name, instanceIds: [req.instanceId] }], notes };
}
