/**
 * `opsdeck scaling status|show|set-capacity|prescale|shutdown`: Auto Scaling
 * groups from cron or a shell. Every change prints its plan (the exact API
 * calls) and makes them only with --yes, under a per-group lock, audited.
 */
import type { Command } from 'commander';
import type { CloudPorts } from '../../cloud/ports.js';
import { lockDirOf, type CommandContext } from '../../core/context.js';
import { HOUR, MINUTE } from '../../core/deadline.js';
import { ExitCode, OpsError } from '../../core/errors.js';
import { withLock } from '../../core/lock.js';
import { applyScalingPlan, describeCall, scalingLock, type ScalingPlan } from '../../scaling/calls.js';
import { planSetCapacity } from '../../scaling/capacity.js';
import { planDeletePolicy, planProcesses, planProtection, planTargetTracking } from '../../scaling/changes.js';
import { parseWhen, planPrescale } from '../../scaling/prescale.js';
import { planShutdown } from '../../scaling/shutdown.js';
import type { PoolDrain } from '../../scaling/drain.js';
import { planTerminate } from '../../scaling/terminate.js';
import { poolDrain } from '../../haproxy/drain.js';
import { readGroupDetail, readStatus, SEED_TRIGGER } from '../../scaling/status.js';
import { readTargets, planTargets } from '../../scaling/targets.js';
import { renderDetailText, renderStatusText, renderTargetsText } from './scaling-text.js';
import { stdoutPainter, toJson } from '../output.js';
import type { RegisterArea } from '../types.js';

async function groupOf(cloud: CloudPorts, name: string, ctx: CommandContext) {
  const [g] = await cloud.scaling.describeGroups([name], { signal: ctx.signal });
  if (!g) throw new OpsError('USAGE', `no Auto Scaling group ${name}`, { hint: 'opsdeck scaling status --batch lists the groups' });
  return g;
}

function int(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) throw new OpsError('USAGE', `${what} must be a whole number of instances, not ${JSON.stringify(text)}`);
  return Number(text);
}

function planText(plan: ScalingPlan): string {
  const p = stdoutPainter(false);
  const b = plan.before;
  const lines = [p.paint('bold', `Plan (${plan.kind}) for ${plan.group} (${plan.source}), now min ${b.min} / desired ${b.desired} / max ${b.max}:`)];
  plan.calls.forEach((c, i) => lines.push(`  ${i + 1}. ${describeCall(c)}`));
  for (const n of plan.notes) lines.push(p.paint('dim', `  note: ${n}`));
  return lines.join('\n');
}

/**
 * The shared tail of every change: lock, plan, print, and only with --yes
 * apply exactly that plan. The plan is made under the lock, so what is
 * printed is what a concurrent run cannot change under it.
 */
async function change(ctx: CommandContext, group: string, make: (cloud: CloudPorts) => Promise<ScalingPlan>, o: { confirmedForce?: string; pool?: PoolDrain } = {}): Promise<ExitCode> {
  if (ctx.options.readOnly && ctx.options.yes) {
    throw new OpsError('READ_ONLY', `this changes ${group}, and --read-only is set`, { hint: 'drop --yes to print the plan' });
  }
  const cloud = await ctx.cloud();
  return withLock(
    scalingLock(group),
    async () => {
      const plan = await make(cloud);
      const json = ctx.options.json;
      if (plan.calls.length === 0 || !ctx.options.yes) {
        ctx.stdout(json ? toJson({ plan, applied: false }) : planText(plan));
        if (plan.calls.length === 0) ctx.stderr('nothing to do');
        else ctx.stderr(ctx.options.readOnly ? 'plan only: this is a --read-only run' : 'plan only: run again with --yes to apply');
        return ExitCode.Ok;
      }
      if (!json) ctx.stdout(planText(plan));
      const result = await applyScalingPlan(plan, {
        scaling: cloud.scaling,
        balancing: cloud.balancing,
        classicElb: cloud.classicElb,
        audit: ctx.audit,
        clock: ctx.clock,
        signal: ctx.signal,
        onStep: (l) => ctx.stderr(l),
        pool: o.pool,
        ...(o.confirmedForce !== undefined ? { confirmedForce: o.confirmedForce } : {}),
      });
      if (json) ctx.stdout(toJson({ plan, applied: true, result: { done: result.done.length, alreadyGone: result.alreadyGone.map(describeCall) } }));
      else {
        ctx.stdout(`applied: ${result.done.length} call(s)${result.alreadyGone.length ? `; already gone: ${result.alreadyGone.map(describeCall).join('; ')}` : ''}`);
      }
      return ExitCode.Ok;
    },
    { onWarning: ctx.stderr, signal: ctx.signal, dir: lockDirOf(ctx) },
  );
}

async function status(ctx: CommandContext, args: string[]): Promise<ExitCode> {
  const cloud = await ctx.cloud();
  const groups = args.length ? args : ctx.config.scaling.groups;
  const s = await readStatus(cloud.scaling, {
    now: ctx.clock.now(),
    source: cloud.kind,
    groups,
    signal: ctx.signal,
    onPage: (p) => ctx.progress({ phase: 'listing Auto Scaling', done: p.items, total: undefined }),
  });
  ctx.stdout(ctx.options.json ? toJson(s) : renderStatusText(s, stdoutPainter(false)));
  if (s.groups.length === 0) ctx.stderr(`no Auto Scaling groups in this account and region (${cloud.kind})`);
  return ExitCode.Ok;
}

async function show(ctx: CommandContext, args: string[]): Promise<ExitCode> {
  const cloud = await ctx.cloud();
  const d = await readGroupDetail(cloud.scaling, args[0] ?? '', { now: ctx.clock.now(), activities: ctx.config.scaling.activities, signal: ctx.signal, balancing: cloud.balancing, classicElb: cloud.classicElb, alarms: cloud.alarms });
  ctx.stdout(ctx.options.json ? toJson(d) : renderDetailText(d, ctx.clock.now(), stdoutPainter(false)));
  return ExitCode.Ok;
}

async function targets(ctx: CommandContext, args: string[]): Promise<ExitCode> {
  const cloud = await ctx.cloud();
  const t = await readTargets(cloud, args[0] ?? '', { signal: ctx.signal, onPage: (p) => ctx.progress({ phase: 'listing load balancers', done: p.items, total: undefined }) });
  ctx.stdout(ctx.options.json ? toJson({ group: t.group.name, targetGroups: t.targetGroups, classicElbs: t.classicElbs }) : renderTargetsText(t, stdoutPainter(false)));
  if (t.targetGroups.length === 0 && t.classicElbs.length === 0) ctx.stderr(`${t.group.name} is attached to no load balancer`);
  return ExitCode.Ok;
}

interface TargetOpts {
  targetGroup?: string;
  elb?: string;
  force?: boolean;
}

function registration(ctx: CommandContext, opts: TargetOpts, args: string[], register: boolean): Promise<ExitCode> {
  const [group = '', instanceId = ''] = args;
  return change(ctx, group, async (cloud) =>
    planTargets(await readTargets(cloud, group, { signal: ctx.signal }), { instanceId, register, targetGroup: opts.targetGroup, elb: opts.elb, force: opts.force }, { now: ctx.clock.now(), source: cloud.kind }),
  );
}

interface CapacityOpts {
  min?: string;
  max?: string;
  honorCooldown?: boolean;
  force?: boolean;
}

function setCapacity(ctx: CommandContext, opts: CapacityOpts, args: string[]): Promise<ExitCode> {
  const [group = '', n = ''] = args;
  const desired = int(n, 'the desired capacity') ?? 0;
  return change(ctx, group, async (cloud) =>
    planSetCapacity(await groupOf(cloud, group, ctx), { desired, min: int(opts.min, '--min'), max: int(opts.max, '--max'), honorCooldown: opts.honorCooldown, force: opts.force }, { now: ctx.clock.now(), source: cloud.kind }),
  );
}

interface PrescaleOpts {
  min: string;
  max?: string;
  desired?: string;
  at: string;
  until: string;
  timeZone?: string;
}

function prescale(ctx: CommandContext, opts: PrescaleOpts, args: string[]): Promise<ExitCode> {
  const group = args[0] ?? '';
  const now = ctx.clock.now();
  const timeZone = opts.timeZone ?? ctx.config.scaling.timeZone;
  // parsed (an unknown zone and a time in the past refused) before any call
  const zoneFlag = opts.timeZone !== undefined ? '--time-zone' : 'scaling.timeZone';
  const at = parseWhen(opts.at, { now, timeZone, flag: '--at', zoneFlag });
  const until = parseWhen(opts.until, { now, timeZone, flag: '--until', zoneFlag });
  if (until === 'now') throw new OpsError('USAGE', '--until now: the restore must come later');
  const req = { min: int(opts.min, '--min') ?? 0, desired: int(opts.desired, '--desired'), max: int(opts.max, '--max'), at, until };
  return change(ctx, group, async (cloud) => {
    const [g, policies] = await Promise.all([groupOf(cloud, group, ctx), cloud.scaling.describePolicies(group, { signal: ctx.signal })]);
    return planPrescale(g, policies, req, { now: ctx.clock.now(), source: cloud.kind });
  });
}

interface ShutdownOpts {
  keepTemplate?: boolean;
  forceDelete?: boolean;
  confirm?: string;
}

async function shutdown(ctx: CommandContext, opts: ShutdownOpts, args: string[]): Promise<ExitCode> {
  const group = args[0] ?? '';
  if (opts.forceDelete && ctx.options.yes && opts.confirm !== group) {
    throw new OpsError('REFUSED', `--force-delete terminates ${group}'s instances without draining: confirm with --confirm ${group}`, { hint: 'or drop --force-delete for the safe shutdown' });
  }
  const pool = opts.forceDelete ? undefined : await poolDrain(ctx);
  return change(
    ctx,
    group,
    (cloud) =>
      planShutdown(cloud.scaling, group, {
        pool,
        drainTimeoutSeconds: ctx.config.scaling.drainTimeoutSeconds,
        now: ctx.clock.now(),
        source: cloud.kind,
        force: opts.forceDelete === true,
        keepTemplate: opts.keepTemplate === true,
        waitMinutes: ctx.config.scaling.shutdownWaitMinutes,
        signal: ctx.signal,
      }),
    { ...(opts.confirm !== undefined ? { confirmedForce: opts.confirm } : {}), ...(pool ? { pool } : {}) },
  );
}

async function terminate(ctx: CommandContext, opts: { decrement?: boolean }, args: string[]): Promise<ExitCode> {
  const [group = '', instanceId = ''] = args;
  const pool = await poolDrain(ctx);
  return change(
    ctx,
    group,
    async (cloud) =>
      planTerminate(await groupOf(cloud, group, ctx), { instanceId, decrement: opts.decrement === true }, pool, {
        now: ctx.clock.now(),
        source: cloud.kind,
        drainTimeoutSeconds: ctx.config.scaling.drainTimeoutSeconds,
      }),
    { pool },
  );
}

interface PolicyOpts {
  name?: string;
  targetCpu?: string;
  disableScaleIn?: boolean;
  delete?: string;
}

function policy(ctx: CommandContext, opts: PolicyOpts, args: string[]): Promise<ExitCode> {
  const group = args[0] ?? '';
  if ((opts.delete === undefined) === (opts.targetCpu === undefined)) throw new OpsError('USAGE', 'give --target-cpu PERCENT (create or update) or --delete NAME');
  const target = opts.targetCpu === undefined ? undefined : Number(opts.targetCpu);
  if (target !== undefined && !Number.isFinite(target)) throw new OpsError('USAGE', `--target-cpu ${opts.targetCpu}: a percentage such as 50`);
  return change(ctx, group, async (cloud) => {
    const [g, policies] = await Promise.all([groupOf(cloud, group, ctx), cloud.scaling.describePolicies(group, { signal: ctx.signal })]);
    const o = { now: ctx.clock.now(), source: cloud.kind };
    if (opts.delete !== undefined) return planDeletePolicy(g, policies, opts.delete, o);
    return planTargetTracking(g, policies, { name: opts.name ?? 'cpu-target', metric: 'ASGAverageCPUUtilization', target: target ?? 50, disableScaleIn: opts.disableScaleIn === true }, o);
  });
}

function processes(ctx: CommandContext, args: string[], suspend: boolean): Promise<ExitCode> {
  const [group = '', ...names] = args;
  return change(ctx, group, async (cloud) => planProcesses(await groupOf(cloud, group, ctx), names, suspend, { now: ctx.clock.now(), source: cloud.kind }));
}

function protection(ctx: CommandContext, args: string[], on: boolean): Promise<ExitCode> {
  const [group = '', ...ids] = args;
  return change(ctx, group, async (cloud) => planProtection(await groupOf(cloud, group, ctx), ids, on, { now: ctx.clock.now(), source: cloud.kind }));
}

export const register: RegisterArea = (program: Command, action) => {
  const cmd = program
    .command('scaling')
    .description('Auto Scaling groups: status, capacity, pre-scaling for a spike, safe shutdown')
    .addHelpText(
      'after',
      `
Examples:
  opsdeck scaling status --batch                       every group: min/desired/max, instances, policies, next action
  opsdeck scaling show web-asg --batch                 instances, activities, policies, scheduled actions, hooks
  opsdeck scaling set-capacity web-asg 6 --batch       the plan; add --yes to apply
  opsdeck scaling prescale web-asg --min 8 --at "2026-06-20 07:30" --until "2026-06-20 11:00" --batch --yes
  opsdeck scaling shutdown web-asg --batch             the safe order, printed; --yes runs it
  opsdeck scaling targets web-asg --batch              target groups and classic ELBs with each instance's health
  opsdeck scaling deregister web-asg i-0123456789abcdef0 --target-group web-tg --batch --yes   drain one instance from a target group
  opsdeck scaling register web-asg i-0123456789abcdef0 --elb web-elb --batch   the seed's elb-register-instances-with-lb, planned
  opsdeck scaling terminate web-asg i-0123456789abcdef0 --decrement --batch   DRAIN in HAProxy, wait, terminate

The seed's trigger and its modern form:
  ${SEED_TRIGGER.join('\n  ')}

Exit codes: 0 done or nothing to do, 1 a call failed (nothing after it was made),
2 usage (no such group, a bad number or time), 3 refused (a time in the past,
desired outside the bounds, shrinking by more than half without --force,
deregistering the last healthy target or InService instance without --force,
terminating an instance not in the group or going below min with --decrement,
--read-only, a force delete without --confirm), 4 another change to the group holds the lock.`,
    );
  cmd
    .command('status [groups...]')
    .description('one line per group (all, or scaling.groups, or those named)')
    .action(action<Record<string, never>>((ctx, _o, args) => status(ctx, args), { timeoutMs: 2 * MINUTE }));
  cmd
    .command('show <group>')
    .description("a group's instances, recent activities, policies, scheduled actions and hooks")
    .action(action<Record<string, never>>((ctx, _o, args) => show(ctx, args), { timeoutMs: 2 * MINUTE }));
  cmd
    .command('targets <group>')
    .description("the group's target groups and classic ELBs, each instance's health, the deregistration delay / connection draining")
    .action(action<Record<string, never>>((ctx, _o, args) => targets(ctx, args), { timeoutMs: 2 * MINUTE }));
  for (const [verb, on] of [['register', true], ['deregister', false]] as const) {
    const sub = cmd
      .command(`${verb} <group> <instance>`)
      .description(`${on ? 'register an instance with' : 'deregister (drain) an instance from'} the group's target group or classic ELB (plan only unless --yes)`)
      .option('--target-group <name>', 'a target group, by name or ARN (needed when the group has several load balancers)')
      .option('--elb <name>', 'a classic ELB, by name');
    if (!on) sub.option('--force', 'allow deregistering the last healthy target / InService instance');
    sub.action(action<TargetOpts>((ctx, o, args) => registration(ctx, o, args, on), { timeoutMs: 5 * MINUTE }));
  }
  cmd
    .command('set-capacity <group> <desired>')
    .description('set the desired capacity (plan only unless --yes)')
    .option('--min <n>', 'also set the minimum')
    .option('--max <n>', 'also set the maximum')
    .option('--honor-cooldown', 'refused by AWS while the group is in its cooldown')
    .option('--force', 'allow removing more than half of the in-service instances')
    .action(action<CapacityOpts>((ctx, o, args) => setCapacity(ctx, o, args), { timeoutMs: 5 * MINUTE }));
  cmd
    .command('prescale <group>')
    .description('raise the minimum for a known spike and restore it after: two scheduled actions')
    .requiredOption('--min <n>', 'the minimum during the spike')
    .option('--desired <n>', 'also set desired at the start')
    .option('--max <n>', 'raise the maximum (default: only as far as --min needs)')
    .requiredOption('--at <time>', 'now, +2h, 2026-06-20T07:30Z, or "2026-06-20 07:30" in --time-zone')
    .requiredOption('--until <time>', 'when the minimum goes back')
    .option('--time-zone <zone>', 'IANA zone for times without an offset (default scaling.timeZone)')
    .action(action<PrescaleOpts>((ctx, o, args) => prescale(ctx, o, args), { timeoutMs: 5 * MINUTE }));
  cmd
    .command('policy <group>')
    .description('create/update a target tracking CPU policy, or delete a policy (plan only unless --yes)')
    .option('--target-cpu <percent>', 'keep average CPU near this (the seed: > 60% +2, < 30% -1)')
    .option('--name <name>', 'policy name (default cpu-target)')
    .option('--disable-scale-in', 'only ever add instances')
    .option('--delete <name>', 'delete this policy')
    .action(action<PolicyOpts>((ctx, o, args) => policy(ctx, o, args), { timeoutMs: 5 * MINUTE }));
  for (const [verb, on] of [['suspend', true], ['resume', false]] as const) {
    cmd
      .command(`${verb} <group> [processes...]`)
      .description(`${verb} scaling processes (all when none named: Launch, Terminate, AlarmNotification, ScheduledActions, ...)`)
      .action(action<Record<string, never>>((ctx, _o, args) => processes(ctx, args, on), { timeoutMs: 5 * MINUTE }));
  }
  for (const [verb, on] of [['protect', true], ['unprotect', false]] as const) {
    cmd
      .command(`${verb} <group> <instances...>`)
      .description(`${on ? 'set' : 'clear'} scale-in protection on instances of the group`)
      .action(action<Record<string, never>>((ctx, _o, args) => protection(ctx, args, on), { timeoutMs: 5 * MINUTE }));
  }
  cmd
    .command('terminate <group> <instance>')
    .description('terminate one instance of the group, drained in HAProxy first when the pool holds it (plan only unless --yes)')
    .option('--decrement', 'lower the desired capacity by one: no replacement (refused below min)')
    .action(action<{ decrement?: boolean }>((ctx, o, args) => terminate(ctx, o, args), { timeoutMs: HOUR }));
  cmd
    .command('shutdown <group>')
    .description('the safe shutdown: actions, policies, protection, size 0, wait, delete (plan only unless --yes)')
    .option('--keep-template', 'leave the launch template or configuration')
    .option('--force-delete', 'ForceDelete at once, without draining (needs --confirm GROUP)')
    .option('--confirm <group>', "the group's name, typed, for --force-delete")
    .action(action<ShutdownOpts>((ctx, o, args) => shutdown(ctx, o, args), { timeoutMs: 2 * HOUR }));
};
