/**
 * A scaling plan is a list of port calls, written out before any is made:
 * what a person confirms is the list, and apply makes exactly those calls,
 * in that order, each audited. The runbook engine's `aws` steps use the same
 * port methods by the same names.
 */
import type { BalancingPort, ClassicElbPort, ScalingPort } from '../cloud/ports.js';
import { CloudError } from '../cloud/ports.js';
import type { AuditLog } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { OpsError } from '../core/errors.js';
import { retry } from '../core/retry.js';
import { applyDrain, type DrainServer, type PoolDrain } from './drain.js';

export type ScalingCall =
  | { op: 'setDesiredCapacity'; group: string; desired: number; honorCooldown: boolean }
  | { op: 'updateGroupSize'; group: string; min?: number; max?: number; desired?: number }
  | { op: 'putScheduledAction'; group: string; name: string; startTime: string; minSize?: number; maxSize?: number; desiredCapacity?: number }
  | { op: 'deleteScheduledAction'; group: string; name: string }
  | { op: 'putTargetTrackingPolicy'; group: string; name: string; metric: string; targetValue: number; disableScaleIn: boolean }
  | { op: 'deletePolicy'; group: string; name: string }
  | { op: 'suspendProcesses' | 'resumeProcesses'; group: string; processes: string[] }
  | { op: 'setInstanceProtection'; group: string; instanceIds: string[]; protectedFromScaleIn: boolean }
  | { op: 'waitForEmpty'; group: string; timeoutSeconds: number }
  | { op: 'deleteWarmPool'; group: string }
  | { op: 'deleteGroup'; group: string; force: boolean }
  | { op: 'deleteLaunchTemplate'; group: string; name: string }
  | { op: 'deleteLaunchConfiguration'; group: string; name: string }
  | { op: 'registerTargets' | 'deregisterTargets'; group: string; targetGroupArn: string; targetGroup: string; instanceIds: string[] }
  /** HAProxy, not AWS: DRAIN the servers, wait for their sessions (see drain.ts) */
  | { op: 'drainServer'; group: string; servers: DrainServer[]; timeoutSeconds: number }
  | { op: 'terminateInstance'; group: string; instanceId: string; decrement: boolean }
  /** a classic ELB, by name (the seed's elb-register-instances-with-lb) */
  | { op: 'registerInstances' | 'deregisterInstances'; group: string; loadBalancer: string; instanceIds: string[] };

export type PlanKind = 'set-capacity' | 'prescale' | 'shutdown' | 'policy' | 'processes' | 'protection' | 'targets' | 'terminate';

/** Serializable: printed with --json, shown in the pane, applied as is. */
export interface ScalingPlan {
  kind: PlanKind;
  group: string;
  /** 'aws' | 'sandbox' */
  source: string;
  createdAt: string;
  before: { min: number; max: number; desired: number };
  calls: ScalingCall[];
  /** what a person should know: what the plan leaves alone, and why */
  notes: string[];
}

/** The part of a plan that says where and when it was made, and the group's size then. */
export function planBase(group: { name: string; minSize: number; maxSize: number; desiredCapacity: number }, kind: PlanKind, o: { now: Date; source: string }): Omit<ScalingPlan, 'calls' | 'notes'> {
  return { kind, group: group.name, source: o.source, createdAt: o.now.toISOString(), before: { min: group.minSize, max: group.maxSize, desired: group.desiredCapacity } };
}

const sizeText = (c: { min?: number | undefined; max?: number | undefined; desired?: number | undefined }): string =>
  [c.min !== undefined ? `min ${c.min}` : '', c.max !== undefined ? `max ${c.max}` : '', c.desired !== undefined ? `desired ${c.desired}` : ''].filter(Boolean).join(', ');

/** One line a person reads: the API call and what it changes. */
export function describeCall(c: ScalingCall): string {
  switch (c.op) {
    case 'setDesiredCapacity':
      return `SetDesiredCapacity ${c.group}: desired ${c.desired}${c.honorCooldown ? ' (honouring the cooldown)' : ''}`;
    case 'updateGroupSize':
      return `UpdateAutoScalingGroup ${c.group}: ${sizeText(c)}`;
    case 'putScheduledAction':
      return `PutScheduledUpdateGroupAction ${c.group} ${c.name} at ${c.startTime}: ${sizeText({ min: c.minSize, max: c.maxSize, desired: c.desiredCapacity })}`;
    case 'deleteScheduledAction':
      return `DeleteScheduledAction ${c.group} ${c.name}`;
    case 'putTargetTrackingPolicy':
      return `PutScalingPolicy ${c.group} ${c.name}: target tracking ${c.metric} at ${c.targetValue}${c.disableScaleIn ? ', scale-in disabled' : ''}`;
    case 'deletePolicy':
      return `DeletePolicy ${c.group} ${c.name}`;
    case 'suspendProcesses':
    case 'resumeProcesses':
      return `${c.op === 'suspendProcesses' ? 'SuspendProcesses' : 'ResumeProcesses'} ${c.group}: ${c.processes.length ? c.processes.join(', ') : 'all processes'}`;
    case 'setInstanceProtection':
      return `SetInstanceProtection ${c.group}: ${c.protectedFromScaleIn ? 'protect' : 'unprotect'} ${c.instanceIds.join(', ')}`;
    case 'waitForEmpty':
      return `wait until ${c.group} has no instances and no activity in progress (up to ${Math.round(c.timeoutSeconds / 60)} min)`;
    case 'deleteWarmPool':
      return `DeleteWarmPool ${c.group}`;
    case 'deleteGroup':
      return `DeleteAutoScalingGroup ${c.group}${c.force ? ' FORCE (terminates the instances without draining)' : ''}`;
    case 'deleteLaunchTemplate':
      return `DeleteLaunchTemplate ${c.name}`;
    case 'deleteLaunchConfiguration':
      return `DeleteLaunchConfiguration ${c.name}`;
    case 'registerTargets':
    case 'deregisterTargets':
      return `${c.op === 'registerTargets' ? 'RegisterTargets' : 'DeregisterTargets'} ${c.targetGroup}: ${c.instanceIds.join(', ')}`;
    case 'drainServer': {
      const names = c.servers.flatMap((s) => s.backends.map((b) => `${b}/${s.instanceId}`));
      const shown = names.length > 4 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
      return `HAProxy: set ${shown} to DRAIN, wait until ${names.length === 1 ? 'its' : 'their'} sessions reach 0 (up to ${c.timeoutSeconds} s)`;
    }
    case 'terminateInstance':
      return `TerminateInstanceInAutoScalingGroup ${c.instanceId}: ${c.decrement ? 'ShouldDecrementDesiredCapacity (no replacement)' : 'a replacement launches'}`;
    case 'registerInstances':
    case 'deregisterInstances':
      return `${c.op === 'registerInstances' ? 'RegisterInstancesWithLoadBalancer' : 'DeregisterInstancesFromLoadBalancer'} ${c.loadBalancer} (classic ELB): ${c.instanceIds.join(', ')}`;
  }
}

/** Answers that mean "still busy": a delete is waited on and tried again, never forced. */
const BUSY = new Set(['ScalingActivityInProgress', 'ResourceInUse']);
/** Gone already: a re-run after a partial apply must not fail on what the first run did. */
const GONE = /not found|does not exist|NotFound/i;

export interface ApplyOptions {
  scaling: ScalingPort;
  /** needed by target registration plans only */
  balancing?: BalancingPort | undefined;
  /** needed by classic ELB registration plans only */
  classicElb?: ClassicElbPort | undefined;
  audit: AuditLog;
  clock: Clock;
  signal?: AbortSignal;
  /** a line per step, for stderr or the pane's status line */
  onStep?: (line: string) => void;
  /** what a deleteGroup with force needs: the group's name, typed by a person */
  confirmedForce?: string;
  /** waits between polls and retries; default 10 s (tests pass less) */
  pollMs?: number;
  /** the HAProxy pool: needed by plans with a drain step */
  pool?: PoolDrain | undefined;
}

export interface ApplyResult {
  done: ScalingCall[];
  /** calls that found their object already gone */
  alreadyGone: ScalingCall[];
}

function isGone(c: ScalingCall, e: unknown): boolean {
  if (!c.op.startsWith('delete') || !(e instanceof CloudError)) return false;
  return /NotFound/.test(e.code) || (e.code === 'ValidationError' && GONE.test(e.message));
}

async function waitForEmpty(c: Extract<ScalingCall, { op: 'waitForEmpty' }>, o: ApplyOptions): Promise<void> {
  const end = o.clock.now().getTime() + c.timeoutSeconds * 1000;
  for (;;) {
    o.signal?.throwIfAborted();
    const [group] = await o.scaling.describeGroups([c.group], o.signal ? { signal: o.signal } : {});
    if (!group) return;
    const busy = (await o.scaling.describeActivities(c.group, { maxItems: 20, ...(o.signal ? { signal: o.signal } : {}) })).filter((a) => a.status !== 'Successful' && a.status !== 'Failed' && a.status !== 'Cancelled');
    if (group.instances.length === 0 && busy.length === 0) return;
    const states = new Map<string, number>();
    for (const i of group.instances) states.set(i.lifecycleState, (states.get(i.lifecycleState) ?? 0) + 1);
    const text = [...states].map(([s, n]) => `${n} ${s}`).join(', ');
    o.onStep?.(`waiting for ${c.group}: ${text || 'no instances'}; ${busy.length} activit${busy.length === 1 ? 'y' : 'ies'} in progress`);
    if (o.clock.now().getTime() >= end) {
      throw new OpsError('TIMEOUT', `${c.group} still has ${text || 'activities in progress'} after ${Math.round(c.timeoutSeconds / 60)} min`, {
        hint: 'a terminating lifecycle hook may be waiting for its heartbeat; check the activities, then run the shutdown again (it resumes from what is left)',
        retryable: true,
      });
    }
    await o.clock.sleep(o.pollMs ?? 10_000, o.signal);
  }
}

async function send(c: ScalingCall, o: ApplyOptions): Promise<void> {
  const s = o.scaling;
  switch (c.op) {
    case 'setDesiredCapacity':
      return s.setDesiredCapacity(c.group, c.desired, { honorCooldown: c.honorCooldown });
    case 'updateGroupSize': {
      const size: { min?: number; max?: number; desired?: number } = {};
      if (c.min !== undefined) size.min = c.min;
      if (c.max !== undefined) size.max = c.max;
      if (c.desired !== undefined) size.desired = c.desired;
      return s.updateGroupSize(c.group, size);
    }
    case 'putScheduledAction': {
      const a: Parameters<ScalingPort['putScheduledAction']>[0] = { groupName: c.group, name: c.name, startTime: new Date(c.startTime) };
      if (c.minSize !== undefined) a.minSize = c.minSize;
      if (c.maxSize !== undefined) a.maxSize = c.maxSize;
      if (c.desiredCapacity !== undefined) a.desiredCapacity = c.desiredCapacity;
      return s.putScheduledAction(a);
    }
    case 'deleteScheduledAction':
      return s.deleteScheduledAction(c.group, c.name);
    case 'putTargetTrackingPolicy':
      return s.putTargetTrackingPolicy({ groupName: c.group, name: c.name, metric: c.metric, targetValue: c.targetValue, disableScaleIn: c.disableScaleIn });
    case 'deletePolicy':
      return s.deletePolicy(c.group, c.name);
    case 'suspendProcesses':
      return s.suspendProcesses(c.group, c.processes.length ? c.processes : undefined);
    case 'resumeProcesses':
      return s.resumeProcesses(c.group, c.processes.length ? c.processes : undefined);
    case 'setInstanceProtection':
      return s.setInstanceProtection(c.group, c.instanceIds, c.protectedFromScaleIn);
    case 'terminateInstance':
      return s.terminateInstance(c.instanceId, c.decrement);
    case 'deleteWarmPool':
      return s.deleteWarmPool(c.group);
    case 'deleteGroup':
      return s.deleteGroup(c.group, { force: c.force });
    case 'deleteLaunchTemplate':
      return s.deleteLaunchTemplate(c.name);
    case 'deleteLaunchConfiguration':
      return s.deleteLaunchConfiguration(c.name);
    case 'registerTargets':
    case 'deregisterTargets': {
      if (!o.balancing) throw new OpsError('CLOUD', 'no load balancing port in this cloud: target registration is not available');
      const sig = o.signal ? { signal: o.signal } : {};
      return c.op === 'registerTargets' ? o.balancing.registerTargets(c.targetGroupArn, c.instanceIds, sig) : o.balancing.deregisterTargets(c.targetGroupArn, c.instanceIds, sig);
    }
    case 'registerInstances':
    case 'deregisterInstances': {
      if (!o.classicElb) throw new OpsError('CLOUD', 'no classic ELB port in this cloud: classic ELB registration is not available');
      const sig = o.signal ? { signal: o.signal } : {};
      return c.op === 'registerInstances' ? o.classicElb.registerInstances(c.loadBalancer, c.instanceIds, sig) : o.classicElb.deregisterInstances(c.loadBalancer, c.instanceIds, sig);
    }
    case 'waitForEmpty':
    case 'drainServer':
      return;
  }
}

/**
 * Makes the plan's calls in order and audits each. Throttling is retried
 * with backoff; a delete answered "activity in progress" or "in use" is
 * waited on and retried; a delete of something already gone counts as done.
 * The first other failure stops the run: what follows in a safe order must
 * not run after a step that did not happen.
 */
export async function applyScalingPlan(plan: ScalingPlan, o: ApplyOptions): Promise<ApplyResult> {
  const forced = plan.calls.find((c) => c.op === 'deleteGroup' && c.force);
  if (forced && o.confirmedForce !== plan.group) {
    throw new OpsError('REFUSED', `a force delete of ${plan.group} terminates its instances without draining, and it was not confirmed by typing the group's name`, {
      hint: `batch: --force-delete --confirm ${plan.group}; the pane asks for the name`,
    });
  }
  // A plan confirmed minutes ago may now schedule into the past: refused before any call, not half made.
  const now = o.clock.now().getTime();
  const late = plan.calls.find((c) => c.op === 'putScheduledAction' && Date.parse(c.startTime) <= now);
  if (late && late.op === 'putScheduledAction') {
    throw new OpsError('REFUSED', `${late.name} would start at ${late.startTime}, which is now in the past`, { hint: 'plan again with a later time; nothing was changed' });
  }
  const pool = o.pool;
  if (!pool && plan.calls.some((c) => c.op === 'drainServer')) {
    throw new OpsError('REFUSED', `the plan drains servers in HAProxy first, and this run has no access to the pool`, { hint: 'nothing was changed; plan again where haproxy.runtimeSocket is reachable' });
  }
  const result: ApplyResult = { done: [], alreadyGone: [] };
  for (const c of plan.calls) {
    o.signal?.throwIfAborted();
    o.onStep?.(describeCall(c));
    if (c.op === 'waitForEmpty') {
      await waitForEmpty(c, o);
      result.done.push(c);
      continue;
    }
    if (c.op === 'drainServer' && pool) {
      // a drain that fails (server gone from the worker, socket down) stops the plan: nothing is terminated undrained
      const { left } = await applyDrain(c, { pool, clock: o.clock, signal: o.signal, onStep: o.onStep, pollMs: o.pollMs }).catch(async (e: unknown) => {
        await o.audit.append({ action: 'scaling.drainServer', target: c.group, result: 'failed', details: { plan: plan.kind, call: c, error: e instanceof Error ? e.message : String(e) } });
        throw e;
      });
      result.done.push(c);
      await o.audit.append({ action: 'scaling.drainServer', target: c.group, result: 'ok', details: { plan: plan.kind, call: c, sessionsLeft: left } });
      continue;
    }
    const busyRetries = c.op.startsWith('delete') ? 60 : 0;
    try {
      await retry(() => send(c, o), {
        retries: 5 + busyRetries,
        baseMs: 500,
        maxMs: o.pollMs ?? 10_000,
        clock: o.clock,
        ...(o.signal ? { signal: o.signal } : {}),
        isRetryable: (e, attempt) => (e instanceof CloudError && BUSY.has(e.code) ? busyRetries > 0 : e instanceof CloudError && e.retryable && attempt < 5),
        onRetry: ({ error, delayMs }) => o.onStep?.(`  ${error instanceof CloudError ? error.code : 'error'}: trying again in ${(delayMs / 1000).toFixed(1)} s`),
      });
      result.done.push(c);
      await o.audit.append({ action: `scaling.${c.op}`, target: c.group, result: 'ok', details: { plan: plan.kind, call: c } });
    } catch (e) {
      if (isGone(c, e)) {
        result.alreadyGone.push(c);
        await o.audit.append({ action: `scaling.${c.op}`, target: c.group, result: 'skipped', details: { plan: plan.kind, call: c, why: 'already gone' } });
        continue;
      }
      await o.audit.append({ action: `scaling.${c.op}`, target: c.group, result: 'failed', details: { plan: plan.kind, call: c, error: e instanceof Error ? e.message : String(e) } });
      if (e instanceof OpsError) throw e;
      const code = e instanceof CloudError ? e.code : undefined;
      throw new OpsError('CLOUD', `${describeCall(c)} failed: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
        retryable: e instanceof CloudError && e.retryable,
        details: result.done.length ? [`done before it: ${result.done.map((d) => describeCall(d)).join('; ')}`] : [],
        hint: code === 'ValidationError' ? 'the group changed since the plan was made: plan again' : 'nothing after this call was made; plan again to continue from where it stopped',
      });
    }
  }
  return result;
}

/** A lock name for one group's mutations: group names may hold characters lock names may not. */
export function scalingLock(group: string): string {
  return `scaling-${group.replace(/[^A-Za-z0-9._-]/g, '_')}`.slice(0, 100);
}
