/**
 * The Scaling pane's mutations: set capacity, pre-scale, safe shutdown,
 * target tracking policy, processes, scale-in protection, target draining.
 * Each re-reads the group and plans against it as it is now (the screen may
 * be minutes old), puts the exact calls in a confirmation, and applies that
 * plan, under the group's lock, audited.
 */
import type { CommandContext } from '../../src/core/context.js';
import { lockDirOf } from '../../src/core/context.js';
import { withLock } from '../../src/core/lock.js';
import { applyScalingPlan, describeCall, scalingLock, type ScalingPlan } from '../../src/scaling/calls.js';
import { planSetCapacity, type CapacityRequest } from '../../src/scaling/capacity.js';
import { planDeletePolicy, planProcessChanges, planProtection, planTargetTracking } from '../../src/scaling/changes.js';
import { poolDrain } from '../../src/haproxy/drain.js';
import type { PoolDrain } from '../../src/scaling/drain.js';
import { planTerminate } from '../../src/scaling/terminate.js';
import { planTargets, readTargets } from '../../src/scaling/targets.js';
import type { CloudPorts, AutoScalingGroup } from '../../src/cloud/ports.js';
import { planPrescale } from '../../src/scaling/prescale.js';
import { planShutdown } from '../../src/scaling/shutdown.js';
import type { GroupDetail } from '../../src/scaling/status.js';
import { refuseIfReadOnly, type SessionStore } from '../../src/store/session.js';
import { describeError } from '../components/ErrorPanel.js';

/** The busy label of a change being applied: the pane binds c to cancel while it runs. */
export const changeLabel = (group: string): string => `a change to ${group}`;

function failed(store: SessionStore, e: unknown): void {
  const d = describeError(e);
  store.getState().setFlash(`not applied: ${d.message}${d.hint ? ` (${d.hint})` : ''}`, 'error');
}

function planBody(plan: ScalingPlan): string[] {
  const b = plan.before;
  return [
    `now: min ${b.min} / desired ${b.desired} / max ${b.max} (${plan.source})`,
    ...plan.calls.map((c, i) => `${i + 1}. ${describeCall(c)}`),
    ...plan.notes.map((n) => `note: ${n}`),
  ];
}

/** Confirm, then apply exactly `plan`; `typed`: a destructive change asks for the group's name. */
/** what each plan does, in the words of the read-only refusal ("changing capacity") */
const purpose = new WeakMap<ScalingPlan, string>();

async function confirmAndApply(ctx: CommandContext, store: SessionStore, plan: ScalingPlan, o: { title: string; label: string; typed?: string; destructive?: boolean; pool?: PoolDrain }): Promise<boolean> {
  if (plan.calls.length === 0) {
    store.getState().setFlash(`${plan.group}: nothing to change`);
    return false;
  }
  if (ctx.options.readOnly) {
    // read-only reads every plan; only the change is refused
    await store.getState().confirm({ title: `${o.title} (read-only session: shown, not applied)`, body: planBody(plan), confirmLabel: `${o.label} (off)` });
    refuseIfReadOnly(store, purpose.get(plan) ?? `${plan.kind} ${plan.group}`);
    return false;
  }
  const ok = await store.getState().confirm({
    title: o.title,
    body: planBody(plan),
    confirmLabel: o.label,
    destructive: o.destructive ?? false,
    ...(o.typed !== undefined ? { typed: o.typed } : {}),
  });
  if (!ok) return false;
  // a shutdown waits minutes for instances, a terminate for HAProxy sessions: quitting must not cut
  // either off unseen, and c twice (the pane) or Ctrl-C stops it between calls
  const ac = new AbortController();
  store.getState().setBusy({ label: changeLabel(plan.group), cancel: () => ac.abort() });
  try {
    const cloud = await ctx.cloud();
    const result = await withLock(
      scalingLock(plan.group),
      () => applyScalingPlan(plan, { scaling: cloud.scaling, balancing: cloud.balancing, classicElb: cloud.classicElb, pool: o.pool, audit: ctx.audit, clock: ctx.clock, signal: ac.signal, onStep: (l) => store.getState().setFlash(`${plan.group}: ${l}`) }),
      { dir: lockDirOf(ctx) },
    );
    const note = `scaling: ${plan.kind} ${plan.group}: ${result.done.length} call(s) made`;
    store.getState().setFlash(note);
    store.getState().setExitNote(note);
    return true;
  } catch (e) {
    if (ac.signal.aborted) store.getState().setFlash(`cancelled: ${plan.kind} ${plan.group} stopped; the calls already made stand (the audit log lists them)`, 'warn');
    else failed(store, e);
    return false;
  } finally {
    store.getState().setBusy(undefined);
  }
}

export async function setCapacity(ctx: CommandContext, store: SessionStore, d: GroupDetail, req: CapacityRequest): Promise<boolean> {
  const plan = await planned(ctx, store, 'changing capacity', d, (cloud, g) => planSetCapacity(g, req, at(ctx, cloud)));
  if (!plan) return false;
  const bounds = req.min !== undefined || req.max !== undefined;
  const what = bounds ? `min ${req.min ?? plan.before.min} / desired ${req.desired} / max ${req.max ?? plan.before.max}` : `${req.desired} instances`;
  return confirmAndApply(ctx, store, plan, { title: `Set ${d.group.name} to ${what}?`, label: `Set desired ${req.desired}`, destructive: req.desired < plan.before.desired });
}

export async function prescale(ctx: CommandContext, store: SessionStore, d: GroupDetail, req: { min: number; startHours: number; hours: number }): Promise<boolean> {
  // the restore puts back the bounds read now: the screen's may be minutes old
  const plan = await planned(ctx, store, 'pre-scaling', d, async (cloud, g) => {
    const now = ctx.clock.now();
    const when = req.startHours === 0 ? ('now' as const) : new Date(now.getTime() + req.startHours * 3_600_000);
    const start = when === 'now' ? now : when;
    return planPrescale(g, await cloud.scaling.describePolicies(g.name), { min: req.min, at: when, until: new Date(start.getTime() + req.hours * 3_600_000) }, { now, source: cloud.kind });
  });
  return plan ? confirmAndApply(ctx, store, plan, { title: `Pre-scale ${d.group.name} to min ${req.min}?`, label: 'Schedule' }) : false;
}

/** The safe order only; the pane never force deletes. Typed: the group's name. */
export async function shutdown(ctx: CommandContext, store: SessionStore, d: GroupDetail): Promise<boolean> {
  let plan: ScalingPlan;
  let pool: PoolDrain;
  try {
    const cloud = await ctx.cloud();
    pool = await poolDrain(ctx);
    plan = await planShutdown(cloud.scaling, d.group.name, { now: ctx.clock.now(), source: cloud.kind, waitMinutes: ctx.config.scaling.shutdownWaitMinutes, pool, drainTimeoutSeconds: ctx.config.scaling.drainTimeoutSeconds });
  } catch (e) {
    failed(store, e);
    return false;
  }
  purpose.set(plan, 'shutting a group down');
  return confirmAndApply(ctx, store, plan, { title: `Shut down ${d.group.name}? Type its name`, label: 'Shut down', typed: d.group.name, destructive: true, pool });
}

/** Plans against the group as it is now (not as the screen last showed it); a failure to plan is a flash, not a throw. */
async function planned(ctx: CommandContext, store: SessionStore, what: string, d: GroupDetail, make: (cloud: CloudPorts, g: AutoScalingGroup) => ScalingPlan | Promise<ScalingPlan>): Promise<ScalingPlan | undefined> {
  try {
    const cloud = await ctx.cloud();
    const [g] = await cloud.scaling.describeGroups([d.group.name]);
    const plan = await make(cloud, g ?? d.group);
    purpose.set(plan, what);
    return plan;
  } catch (e) {
    failed(store, e);
    return undefined;
  }
}

const at = (ctx: CommandContext, cloud: CloudPorts) => ({ now: ctx.clock.now(), source: cloud.kind });

export async function targetTracking(ctx: CommandContext, store: SessionStore, d: GroupDetail, req: { name: string; target: number; disableScaleIn: boolean }): Promise<boolean> {
  const plan = await planned(ctx, store, 'changing a scaling policy', d, async (cloud, g) =>
    planTargetTracking(g, await cloud.scaling.describePolicies(g.name), { name: req.name, metric: 'ASGAverageCPUUtilization', target: req.target, disableScaleIn: req.disableScaleIn }, at(ctx, cloud)),
  );
  return plan ? confirmAndApply(ctx, store, plan, { title: `Keep ${d.group.name}'s average CPU near ${req.target}%?`, label: 'Put policy' }) : false;
}

export async function deletePolicy(ctx: CommandContext, store: SessionStore, d: GroupDetail, name: string): Promise<boolean> {
  const plan = await planned(ctx, store, 'deleting a scaling policy', d, async (cloud, g) => planDeletePolicy(g, await cloud.scaling.describePolicies(g.name), name, at(ctx, cloud)));
  return plan ? confirmAndApply(ctx, store, plan, { title: `Delete policy ${name} of ${d.group.name}?`, label: 'Delete policy', destructive: true }) : false;
}

/** The checklist's changes: exactly the processes toggled, each its way. */
export async function changeProcesses(ctx: CommandContext, store: SessionStore, d: GroupDetail, req: { suspend: string[]; resume: string[] }): Promise<boolean> {
  const plan = await planned(ctx, store, 'suspending or resuming processes', d, (cloud, g) => planProcessChanges(g, req, at(ctx, cloud)));
  if (!plan) return false;
  const what = [req.suspend.length ? `suspend ${req.suspend.join(', ')}` : '', req.resume.length ? `resume ${req.resume.join(', ')}` : ''].filter(Boolean).join('; ');
  return confirmAndApply(ctx, store, plan, { title: `${d.group.name}: ${what}?`, label: 'Apply', destructive: req.suspend.length > 0 });
}

/** One instance out of the group, drained in HAProxy first when the pool holds it. */
export async function terminateInstance(ctx: CommandContext, store: SessionStore, d: GroupDetail, instanceId: string, decrement: boolean): Promise<boolean> {
  let pool: PoolDrain | undefined;
  const plan = await planned(ctx, store, 'terminating an instance', d, async (cloud, g) => {
    pool = await poolDrain(ctx);
    return planTerminate(g, { instanceId, decrement }, pool, { ...at(ctx, cloud), drainTimeoutSeconds: ctx.config.scaling.drainTimeoutSeconds });
  });
  if (!plan) return false;
  return confirmAndApply(ctx, store, plan, { title: `Terminate ${instanceId}${decrement ? ' without a replacement' : ''}?`, label: 'Terminate', destructive: true, ...(pool ? { pool } : {}) });
}

export async function toggleProtection(ctx: CommandContext, store: SessionStore, d: GroupDetail, instanceId: string): Promise<boolean> {
  let on = true;
  const plan = await planned(ctx, store, 'changing scale-in protection', d, (cloud, g) => {
    on = !(g.instances.find((i) => i.id === instanceId)?.protectedFromScaleIn ?? false);
    return planProtection(g, [instanceId], on, at(ctx, cloud));
  });
  return plan ? confirmAndApply(ctx, store, plan, { title: `${on ? 'Protect' : 'Unprotect'} ${instanceId} ${on ? 'from' : 'for'} scale-in?`, label: on ? 'Protect' : 'Unprotect' }) : false;
}

/** Drains (deregisters) a target, or registers it again when it is draining; `lb` is a target group, or a classic ELB with kind 'classicElb'. */
export async function toggleTarget(ctx: CommandContext, store: SessionStore, d: GroupDetail, instanceId: string, lb: string, draining: boolean, kind: 'targetGroup' | 'classicElb' = 'targetGroup'): Promise<boolean> {
  const which = kind === 'classicElb' ? { elb: lb } : { targetGroup: lb };
  const plan = await planned(ctx, store, 'changing load balancer targets', d, async (cloud) =>
    planTargets(await readTargets(cloud, d.group.name), { instanceId, register: draining, ...which }, at(ctx, cloud)),
  );
  if (!plan) return false;
  return confirmAndApply(ctx, store, plan, draining ? { title: `Register ${instanceId} with ${lb} again?`, label: 'Register' } : { title: `Drain ${instanceId} from ${lb}?`, label: 'Deregister', destructive: true });
}
