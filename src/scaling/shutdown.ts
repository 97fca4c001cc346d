/**
 * The safe shutdown of a group (the seed's four commands, in an order that
 * cannot strand or resurrect instances):
 *   1. delete scheduled actions (none may raise the group mid-way)
 *   2. delete scaling policies (no alarm may launch again)
 *   3. resume Terminate if suspended (else nothing can go)
 *   4. clear scale-in protection (protected instances survive desired 0)
 *   5. the instances the HAProxy pool holds: DRAIN, wait for their sessions
 *   6. min = max = desired = 0
 *   7. wait for the instances and activities to finish (terminating hooks drain)
 *   8. delete the warm pool, if any
 *   9. delete the group, without force
 *  10. delete its launch template or configuration, unless another group uses it
 * A force delete skips all that and terminates without draining: it is its
 * own plan, and applying it needs the group's name typed.
 */
import type { ScalingPort } from '../cloud/ports.js';
import { applyScalingPlan, planBase, type ApplyOptions, type ApplyResult, type ScalingCall, type ScalingPlan } from './calls.js';
import { drainStep, type PoolDrain } from './drain.js';
import { readGroupDetail } from './status.js';

export interface ShutdownOptions {
  now: Date;
  source: string;
  /** delete with ForceDelete: no draining; apply needs the typed name */
  force?: boolean;
  /** leave the launch template or configuration in place */
  keepTemplate?: boolean;
  waitMinutes?: number;
  signal?: AbortSignal;
  /** the HAProxy pool: its servers among the group's instances are drained before the size goes to 0 */
  pool?: PoolDrain | undefined;
  drainTimeoutSeconds?: number;
}

/** SetInstanceProtection takes at most 50 instances per call. */
const PROTECTION_BATCH = 50;

export async function planShutdown(scaling: ScalingPort, groupName: string, o: ShutdownOptions): Promise<ScalingPlan> {
  const d = await readGroupDetail(scaling, groupName, { now: o.now, activities: 20, ...(o.signal ? { signal: o.signal } : {}) });
  const g = d.group;
  const base = planBase(g, 'shutdown', o);
  if (o.force) {
    return {
      ...base,
      calls: [{ op: 'deleteGroup', group: g.name, force: true }],
      notes: [
        `FORCE: terminates ${g.instances.length} instance(s) at once, without draining them from HAProxy or running the terminating hooks' waits to the end`,
        'scheduled actions, policies and the launch template are not touched by a force delete (the group takes its actions and policies with it)',
      ],
    };
  }
  const calls: ScalingCall[] = [];
  const notes: string[] = [];
  for (const a of d.scheduled) calls.push({ op: 'deleteScheduledAction', group: g.name, name: a.name });
  for (const p of d.policies) calls.push({ op: 'deletePolicy', group: g.name, name: p.name });
  if (g.suspendedProcesses?.includes('Terminate')) calls.push({ op: 'resumeProcesses', group: g.name, processes: ['Terminate'] });
  const guarded = g.instances.filter((i) => i.protectedFromScaleIn).map((i) => i.id);
  for (let i = 0; i < guarded.length; i += PROTECTION_BATCH) {
    calls.push({ op: 'setInstanceProtection', group: g.name, instanceIds: guarded.slice(i, i + PROTECTION_BATCH), protectedFromScaleIn: false });
  }
  const drain = drainStep(g.name, g.instances.filter((i) => !/^Terminat/.test(i.lifecycleState)).map((i) => i.id), o.pool, o.drainTimeoutSeconds ?? 120);
  if (drain) calls.push(drain);
  else if (o.pool?.unreadable && g.instances.length) notes.push(`HAProxy pool not read (${o.pool.unreadable}): no drain step`);
  calls.push({ op: 'updateGroupSize', group: g.name, min: 0, max: 0, desired: 0 });
  calls.push({ op: 'waitForEmpty', group: g.name, timeoutSeconds: (o.waitMinutes ?? 30) * 60 });
  if (d.warmPool) calls.push({ op: 'deleteWarmPool', group: g.name });
  // not knowing is not the same as none: a warm pool left in place makes the group's delete fail
  else if (d.warmPoolError !== undefined) notes.push(`warm pool not read: ${d.warmPoolError}; if the group has one, its delete will fail (DeleteWarmPool it first, then run the shutdown again)`);
  calls.push({ op: 'deleteGroup', group: g.name, force: false });

  const terminatingHooks = d.hooks.filter((h) => h.transition.endsWith('TERMINATING'));
  if (terminatingHooks.length) {
    notes.push(`terminating hooks hold each instance while it drains: ${terminatingHooks.map((h) => `${h.name} (${h.heartbeatTimeoutSeconds ?? '?'} s, then ${h.defaultResult ?? 'ABANDON'})`).join(', ')}`);
  }
  if (g.instances.length) {
    notes.push(`${g.instances.length} instance(s) terminate once the size is 0${drain ? `, the ${drain.servers.length} in the HAProxy pool drained first` : ''}; they leave the pool at the next sync (discovery takes InService only)`);
  }
  if (o.keepTemplate) {
    notes.push(`kept: ${g.launchTemplate ?? 'no launch template'} (--keep-template)`);
  } else if (g.launchTemplate !== undefined) {
    const others = (await scaling.describeGroups(undefined, o.signal ? { signal: o.signal } : {})).filter((x) => x.name !== g.name && x.launchTemplate === g.launchTemplate);
    if (others.length) {
      notes.push(`kept: ${g.launchTemplate}, still used by ${others.map((x) => x.name).join(', ')}`);
    } else if (g.launchConfigurationName !== undefined) {
      calls.push({ op: 'deleteLaunchConfiguration', group: g.name, name: g.launchConfigurationName });
    } else {
      calls.push({ op: 'deleteLaunchTemplate', group: g.name, name: g.launchTemplate });
    }
  }
  return { ...base, calls, notes };
}

/** Applies a shutdown plan exactly; a force delete in it needs `confirmedForce` = the group's name. */
export function applyShutdown(plan: ScalingPlan, o: ApplyOptions): Promise<ApplyResult> {
  return applyScalingPlan(plan, o);
}
