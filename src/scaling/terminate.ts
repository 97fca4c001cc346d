/**
 * `scaling terminate GROUP INSTANCE [--decrement]`: one instance out of its
 * group, drained from the HAProxy pool first when the pool holds it.
 * Guards: the instance must be the group's; --decrement may not go below min.
 */
import type { AutoScalingGroup } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import { planBase, type ScalingPlan } from './calls.js';
import { drainStep, type PoolDrain } from './drain.js';

export interface TerminateRequest {
  instanceId: string;
  /** ShouldDecrementDesiredCapacity: no replacement; refused below the group's min */
  decrement: boolean;
}

export function planTerminate(group: AutoScalingGroup, req: TerminateRequest, pool: PoolDrain | undefined, o: { now: Date; source: string; drainTimeoutSeconds: number }): ScalingPlan {
  if (!/^i-[0-9a-f]{8,17}$/.test(req.instanceId)) throw new OpsError('USAGE', `not an instance id: ${JSON.stringify(req.instanceId)}`);
  const member = group.instances.find((i) => i.id === req.instanceId);
  if (!member) {
    throw new OpsError('REFUSED', `${req.instanceId} is not in ${group.name}: TerminateInstanceInAutoScalingGroup only takes the group's own instances`, {
      hint: `opsdeck scaling show ${group.name} --batch lists its instances`,
    });
  }
  if (/^Terminat/.test(member.lifecycleState)) throw new OpsError('REFUSED', `${req.instanceId} is already ${member.lifecycleState} in ${group.name}`);
  if (req.decrement && group.desiredCapacity - 1 < group.minSize) {
    throw new OpsError('REFUSED', `--decrement would take ${group.name} to desired ${group.desiredCapacity - 1}, below its min ${group.minSize}`, {
      hint: `lower the min first (opsdeck scaling set-capacity ${group.name} ${group.desiredCapacity - 1} --min ${group.desiredCapacity - 1}), or drop --decrement: the group then launches a replacement`,
    });
  }
  const notes: string[] = [];
  const drain = drainStep(group.name, [req.instanceId], pool, o.drainTimeoutSeconds);
  if (drain) notes.push(`${req.instanceId} is a server of the HAProxy pool: it takes no new sessions once in DRAIN; it is terminated when its sessions reach 0, or after ${o.drainTimeoutSeconds} s whatever is left`);
  else if (pool?.unreadable) notes.push(`HAProxy pool not read (${pool.unreadable}): no drain step; a server in it would lose its sessions`);
  else notes.push(`${req.instanceId} is not in the HAProxy pool: nothing to drain there`);
  notes.push(
    req.decrement
      ? `desired ${group.desiredCapacity} -> ${group.desiredCapacity - 1}: no replacement`
      : `desired stays ${group.desiredCapacity}: the group launches a replacement${group.suspendedProcesses?.includes('Launch') ? ' once Launch is resumed (suspended now)' : ''}`,
  );
  if (group.targetGroupArns?.length) notes.push('Auto Scaling deregisters it from its target groups itself (they drain it for their deregistration delay)');
  if (member.protectedFromScaleIn) notes.push('it is protected from scale-in: that protects it from the group shrinking, not from this request');
  return {
    ...planBase(group, 'terminate', o),
    calls: [...(drain ? [drain] : []), { op: 'terminateInstance', group: group.name, instanceId: req.instanceId, decrement: req.decrement }],
    notes,
  };
}

