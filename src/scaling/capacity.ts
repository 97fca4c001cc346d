/**
 * Set capacity: desired within the group's bounds (SetDesiredCapacity), or
 * new bounds with it (UpdateAutoScalingGroup). Guard: shrinking by more than
 * half of what is in service needs --force, as a pool change does.
 */
import type { AutoScalingGroup } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import { planBase, type ScalingCall, type ScalingPlan } from './calls.js';

export interface CapacityRequest {
  desired: number;
  min?: number | undefined;
  max?: number | undefined;
  honorCooldown?: boolean | undefined;
  force?: boolean | undefined;
}

function count(n: number | undefined, what: string): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new OpsError('USAGE', `${what} must be a whole number of instances, 0 or more, not ${n}`);
}

export function planSetCapacity(group: AutoScalingGroup, req: CapacityRequest, o: { now: Date; source: string }): ScalingPlan {
  count(req.desired, 'the desired capacity');
  count(req.min, '--min');
  count(req.max, '--max');
  const min = req.min ?? group.minSize;
  const max = req.max ?? group.maxSize;
  if (min > max) throw new OpsError('USAGE', `min ${min} is above max ${max}`);
  if (req.desired < min || req.desired > max) {
    throw new OpsError('REFUSED', `desired ${req.desired} is outside ${group.name}'s bounds (min ${min}, max ${max})`, {
      hint: req.desired > max ? `add --max ${req.desired} to raise the bound with it` : `add --min ${req.desired} to lower the bound with it`,
    });
  }
  const serving = group.instances.filter((i) => i.lifecycleState === 'InService').length;
  const removing = Math.max(0, group.desiredCapacity - req.desired);
  const notes: string[] = [];
  if (removing > 0 && serving > 0 && removing > serving / 2 && !req.force) {
    throw new OpsError('REFUSED', `desired ${req.desired} removes ${removing} of ${serving} in-service instances of ${group.name}: more than half`, {
      hint: `add --force after checking the load can take it: the instances AWS picks are not drained in HAProxy first (opsdeck scaling terminate ${group.name} ID --decrement drains one first)`,
    });
  }
  if (removing > 0) {
    // SetDesiredCapacity has no hook into the pool: the drain exists only on the terminate path
    notes.push(
      `${removing} instance(s) will terminate, picked by AWS's termination policy (protected ones are skipped); they are NOT drained in HAProxy first: their open sessions are cut, and they stay in the pool until the next sync`,
      `for a drained scale-in, terminate instances one at a time instead: opsdeck scaling terminate ${group.name} ID --decrement (drains each in HAProxy first; T in the Scaling pane)`,
    );
  }
  if (req.desired > group.desiredCapacity) notes.push(`${req.desired - group.desiredCapacity} instance(s) will launch, pending until their warm-up ends`);
  const boundsChange = min !== group.minSize || max !== group.maxSize;
  const calls: ScalingCall[] = [];
  if (boundsChange) {
    const c: ScalingCall = { op: 'updateGroupSize', group: group.name, desired: req.desired };
    if (min !== group.minSize) c.min = min;
    if (max !== group.maxSize) c.max = max;
    calls.push(c);
    if (req.honorCooldown) notes.push('--honor-cooldown does not apply when the bounds change (UpdateAutoScalingGroup has no cooldown)');
  } else if (req.desired !== group.desiredCapacity) {
    calls.push({ op: 'setDesiredCapacity', group: group.name, desired: req.desired, honorCooldown: req.honorCooldown ?? false });
  }
  if (calls.length && group.suspendedProcesses?.some((p) => p === 'Launch' || p === 'Terminate')) {
    notes.push(`suspended on ${group.name}: ${group.suspendedProcesses.join(', ')}: the group will not reach the new capacity until they are resumed`);
  }
  return { ...planBase(group, 'set-capacity', o), calls, notes };
}
