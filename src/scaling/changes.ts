/**
 * The smaller changes: a target tracking policy (the seed's CPU trigger in
 * its modern form), suspend/resume processes, scale-in protection. Each is
 * a plan of port calls like the others, checked against the group first.
 */
import type { AutoScalingGroup, ScalingPolicy } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import { planBase, type ScalingCall, type ScalingPlan } from './calls.js';

type Base = { now: Date; source: string };

export const PROCESSES = ['Launch', 'Terminate', 'AddToLoadBalancer', 'AlarmNotification', 'AZRebalance', 'HealthCheck', 'InstanceRefresh', 'ReplaceUnhealthy', 'ScheduledActions'] as const;

export function planTargetTracking(group: AutoScalingGroup, policies: readonly ScalingPolicy[], req: { name: string; metric: string; target: number; disableScaleIn: boolean }, o: Base): ScalingPlan {
  if (!(req.target > 0 && req.target <= 100) && req.metric === 'ASGAverageCPUUtilization') throw new OpsError('USAGE', `a CPU target is a percentage above 0 and up to 100, not ${req.target}`);
  const existing = policies.find((p) => p.name === req.name);
  const notes = [
    existing ? `replaces ${req.name} (${existing.kind}${existing.targetTracking ? ` ${existing.targetTracking.metric} at ${existing.targetTracking.targetValue}` : ''})` : `a new policy; AWS creates and manages its two alarms`,
    'the seed form was two alarms and two simple policies (> 60% for 2 min: +2; < 30%: -1); target tracking keeps the average near the target both ways',
  ];
  const others = policies.filter((p) => p.name !== req.name && p.enabled);
  if (others.length) notes.push(`other policies stay: ${others.map((p) => p.name).join(', ')} (several policies: the one asking for the most capacity wins)`);
  const call: ScalingCall = { op: 'putTargetTrackingPolicy', group: group.name, name: req.name, metric: req.metric, targetValue: req.target, disableScaleIn: req.disableScaleIn };
  return { ...planBase(group, 'policy', o), calls: [call], notes };
}

export function planDeletePolicy(group: AutoScalingGroup, policies: readonly ScalingPolicy[], name: string, o: Base): ScalingPlan {
  if (!policies.some((p) => p.name === name)) {
    throw new OpsError('USAGE', `${group.name} has no policy ${name}`, { hint: `its policies: ${policies.map((p) => p.name).join(', ') || 'none'}` });
  }
  const left = policies.filter((p) => p.name !== name).length;
  return { ...planBase(group, 'policy', o), calls: [{ op: 'deletePolicy', group: group.name, name }], notes: left ? [] : [`no policy left: ${group.name} keeps its current capacity until someone changes it`] };
}

export function planProcesses(group: AutoScalingGroup, processes: readonly string[], suspend: boolean, o: Base): ScalingPlan {
  const unknown = processes.filter((p) => !(PROCESSES as readonly string[]).includes(p));
  if (unknown.length) throw new OpsError('USAGE', `unknown process ${unknown.join(', ')}`, { hint: `processes: ${PROCESSES.join(', ')}` });
  const now = new Set(group.suspendedProcesses ?? []);
  const wanted = processes.length ? processes : PROCESSES;
  const todo = wanted.filter((p) => now.has(p) !== suspend);
  const calls: ScalingCall[] = todo.length ? [{ op: suspend ? 'suspendProcesses' : 'resumeProcesses', group: group.name, processes: processes.length ? [...todo] : [] }] : [];
  const notes = suspend && todo.includes('Terminate') ? ['with Terminate suspended the group cannot shrink, and a shutdown resumes it first'] : [];
  return { ...planBase(group, 'processes', o), calls, notes };
}

/**
 * The pane's checklist: suspend some processes and resume others in one
 * plan, each only if it is not in that state already (someone else may have
 * changed the group since the list was drawn).
 */
export function planProcessChanges(group: AutoScalingGroup, req: { suspend: readonly string[]; resume: readonly string[] }, o: Base): ScalingPlan {
  const unknown = [...req.suspend, ...req.resume].filter((p) => !(PROCESSES as readonly string[]).includes(p));
  if (unknown.length) throw new OpsError('USAGE', `unknown process ${unknown.join(', ')}`, { hint: `processes: ${PROCESSES.join(', ')}` });
  const now = new Set(group.suspendedProcesses ?? []);
  const suspend: string[] = PROCESSES.filter((p) => req.suspend.includes(p) && !now.has(p));
  const resume: string[] = PROCESSES.filter((p) => req.resume.includes(p) && now.has(p));
  const calls: ScalingCall[] = [];
  if (suspend.length) calls.push({ op: 'suspendProcesses', group: group.name, processes: suspend });
  if (resume.length) calls.push({ op: 'resumeProcesses', group: group.name, processes: resume });
  const notes: string[] = [];
  if (suspend.includes('Terminate')) notes.push('with Terminate suspended the group cannot shrink, and a shutdown resumes it first');
  if (suspend.includes('Launch')) notes.push('with Launch suspended the group launches nothing: no scale-out, no replacement of unhealthy instances');
  const left = [...now].filter((p) => !resume.includes(p)).concat(suspend);
  notes.push(left.length ? `suspended afterwards: ${PROCESSES.filter((p) => left.includes(p)).join(', ')}` : 'nothing suspended afterwards');
  return { ...planBase(group, 'processes', o), calls, notes };
}

export function planProtection(group: AutoScalingGroup, instanceIds: readonly string[], on: boolean, o: Base): ScalingPlan {
  const members = new Map(group.instances.map((i) => [i.id, i]));
  const strangers = instanceIds.filter((id) => !members.has(id));
  if (strangers.length) throw new OpsError('USAGE', `not in ${group.name}: ${strangers.join(', ')}`, { hint: `opsdeck scaling show ${group.name} --batch lists its instances` });
  const todo = instanceIds.filter((id) => (members.get(id)?.protectedFromScaleIn ?? false) !== on);
  const calls: ScalingCall[] = [];
  for (let i = 0; i < todo.length; i += 50) calls.push({ op: 'setInstanceProtection', group: group.name, instanceIds: todo.slice(i, i + 50), protectedFromScaleIn: on });
  return { ...planBase(group, 'protection', o), calls, notes: on ? ['protected instances are skipped by scale-in; a shutdown clears the protection first'] : [] };
}
