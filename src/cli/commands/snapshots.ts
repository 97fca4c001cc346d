/**
 * `opsdeck snapshots plan|rotate`: EBS snapshot retention from cron or a shell.
 * plan prints what the policy would delete; rotate applies exactly that plan
 * (or a reviewed `--plan FILE`) only with --yes.
 */
import type { Command } from 'commander';
import type { CloudPorts } from '../../cloud/ports.js';
import { HOUR, MINUTE } from '../../core/deadline.js';
import { ExitCode, OpsError } from '../../core/errors.js';
import { withLock } from '../../core/lock.js';
import { applyPlan, type ApplySummary } from '../../snapshots/execute.js';
import { configScope, recheckPlan, type NowKept, planRotation, ROTATION_LOCK, type PlanScope, type SnapshotPlan } from '../../snapshots/plan.js';
import { assertPlanFresh, readPlanFile, writePlanFile } from '../../snapshots/planfile.js';
import { describeDeleteSize, describePolicy, describeResult, describeScope, groupDeletions } from '../../snapshots/summary.js';
import { renderTable, stdoutPainter, toJson, type Column } from '../output.js';
import { lockDirOf, type CommandContext } from '../../core/context.js';
import type { RegisterArea } from '../types.js';

interface ScopeOpts {
  volume?: string[];
  tag?: string[];
  planOut?: string;
  decisions?: boolean;
}
interface RotateOpts extends ScopeOpts {
  plan?: string;
}

const n = (x: number): string => x.toLocaleString('en-US');
const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** Flags win over the config's `snapshots.volumes` / `snapshots.tags`. */
export function scopeFrom(ctx: CommandContext, opts: ScopeOpts): PlanScope {
  const scope = configScope(ctx.config.snapshots);
  if (opts.volume?.length) scope.volumeIds = [...opts.volume].sort();
  if (opts.tag?.length) {
    const tags: Record<string, string[]> = {};
    for (const t of opts.tag) {
      const i = t.indexOf('=');
      if (i <= 0) throw new OpsError('USAGE', `--tag ${t}: expected KEY=VALUE`, { hint: 'e.g. --tag backup=hourly' });
      (tags[t.slice(0, i)] ??= []).push(t.slice(i + 1));
    }
    scope.tags = tags;
  }
  return scope;
}

async function makePlan(ctx: CommandContext, cloud: CloudPorts, scope: PlanScope, decisions: boolean): Promise<SnapshotPlan> {
  const plan = await planRotation(cloud.compute, {
    scope,
    config: ctx.config.snapshots,
    now: () => ctx.clock.now(),
    source: cloud.kind,
    includeDecisions: decisions,
    list: { signal: ctx.signal, onPage: (p) => ctx.progress({ phase: 'listing snapshots', done: p.items, total: undefined }) },
  });
  // A volume named on purpose (--volume, snapshots.volumes) with no snapshot at all is a typo
  // or a retired volume: either way the cron job is wrong, and "nothing to delete" would hide it.
  const found = new Set(plan.volumes.filter((v) => v.total > 0).map((v) => v.volumeId));
  const missing = (scope.volumeIds ?? []).filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new OpsError('USAGE', `no snapshots found for volume ${missing.join(', ')}`, {
      hint: 'check the id (aws ec2 describe-volumes); a retired volume should leave --volume / snapshots.volumes',
    });
  }
  return plan;
}

export function renderPlanText(plan: SnapshotPlan, json = false): string {
  const p = stdoutPainter(json);
  type Row = Omit<SnapshotPlan['volumes'][number], 'volumeSizeGiB'> & { volumeSizeGiB?: number | undefined };
  const totalRow: Row = {
    volumeId: 'TOTAL',
    total: plan.totals.snapshots,
    keep: plan.totals.keep,
    delete: plan.totals.delete,
    deleteFullBytes: plan.totals.deleteFullBytes,
    fullSizeUnknown: plan.totals.fullSizeUnknown,
    usedByImage: plan.volumes.reduce((a, v) => a + v.usedByImage, 0),
    notCompleted: plan.volumes.reduce((a, v) => a + v.notCompleted, 0),
  };
  const columns: Column<Row>[] = [
    { header: 'VOLUME', get: (v) => v.volumeId },
    { header: 'TOTAL', get: (v) => n(v.total), align: 'right' },
    { header: 'KEEP', get: (v) => n(v.keep), align: 'right', style: () => 'green' },
    { header: 'DELETE', get: (v) => n(v.delete), align: 'right', style: (v) => (v.delete ? 'red' : undefined) },
    { header: 'VOL GiB', get: (v) => (v.volumeSizeGiB === undefined ? '-' : n(v.volumeSizeGiB)), align: 'right' },
    { header: 'AMI', get: (v) => n(v.usedByImage), align: 'right' },
    { header: 'UNFINISHED', get: (v) => n(v.notCompleted), align: 'right' },
  ];
  const lines = [
    p.paint('bold', `Snapshot plan for ${describeScope(plan)} (${plan.source}) at ${plan.now}`),
    p.paint('dim', `policy: ${describePolicy(plan)}`),
    '',
    renderTable([...plan.volumes, totalRow], columns, p),
    // Honest about the numbers: a volume's size is known; what a deletion frees is not (snapshots are incremental).
    p.paint('dim', `VOL GiB: the volume's size. ${describeDeleteSize(plan.totals)}.`),
  ];
  if (plan.deletions.length) {
    lines.push('', p.paint('bold', 'To delete, by reason:'));
    const groups = groupDeletions(plan.deletions);
    lines.push(
      renderTable(
        groups,
        [
          { header: 'VOLUME', get: (g) => g.volumeId },
          { header: 'REASON', get: (g) => g.kind },
          { header: 'COUNT', get: (g) => n(g.count), align: 'right' },
          { header: 'FROM', get: (g) => g.oldest.slice(0, 16).replace('T', ' ') },
          { header: 'TO', get: (g) => g.newest.slice(0, 16).replace('T', ' ') },
        ],
        p,
      ),
    );
  }
  return lines.join('\n');
}

function resultJson(s: ApplySummary): Record<string, unknown> {
  // Ids, like their siblings: a cron log of --json output is the record of what went.
  return {
    deleted: s.deleted,
    counts: { deleted: s.deleted.length, skippedInUse: s.skippedInUse.length, alreadyGone: s.alreadyGone.length, failed: s.failed.length, notAttempted: s.notAttempted },
    skippedInUse: s.skippedInUse,
    alreadyGone: s.alreadyGone,
    failed: s.failed,
    cancelled: s.cancelled,
    notAttempted: s.notAttempted,
    throttled: s.throttled,
  };
}

async function planCommand(ctx: CommandContext, opts: ScopeOpts): Promise<ExitCode> {
  const cloud = await ctx.cloud();
  const plan = await makePlan(ctx, cloud, scopeFrom(ctx, opts), opts.decisions === true);
  if (opts.planOut) {
    await writePlanFile(opts.planOut, plan);
    ctx.stderr(`plan written to ${opts.planOut}: apply it with \`opsdeck snapshots rotate --batch --plan ${opts.planOut} --yes\``);
  }
  ctx.stdout(ctx.options.json ? toJson(plan) : renderPlanText(plan));
  if (plan.totals.snapshots === 0) ctx.stderr(`warning: no snapshots found for ${describeScope(plan)}: check the volume ids and tags`);
  return ExitCode.Ok;
}

/** Ctrl-C during a rotation: stop starting deletions, let the in-flight ones finish, then report. */
/** What to run to delete, after a plan-only rotate: applying the reviewed file, not re-planning, when there is one. */
function nextStep(opts: RotateOpts, count: number): string {
  const file = opts.plan ?? opts.planOut;
  if (file) return `plan in ${file}; apply exactly it with \`opsdeck snapshots rotate --batch --plan ${file} --yes\` (${n(count)} snapshots)`;
  return `rerun with --yes to delete these ${n(count)} snapshots`;
}

async function rotateCommand(ctx: CommandContext, opts: RotateOpts): Promise<ExitCode> {
  // Without --yes rotate only prints its plan, which a read-only run may do.
  if (ctx.options.readOnly && ctx.options.yes) {
    throw new OpsError('READ_ONLY', 'snapshots rotate deletes snapshots, and --read-only is set', {
      hint: 'drop --yes to print the plan, or use `opsdeck snapshots plan --batch`',
    });
  }
  const cloud = await ctx.cloud();
  const saved = opts.plan ? await readPlanFile(opts.plan) : undefined;
  if (saved && opts.plan) {
    assertPlanFresh(saved, ctx.clock.now(), ctx.config.snapshots.planMaxAgeMinutes, opts.plan);
    if (saved.source !== cloud.kind) {
      throw new OpsError('REFUSED', `${opts.plan} was made against ${saved.source}, but this run is on ${cloud.kind}`, {
        hint:
          cloud.kind !== 'sandbox'
            ? 'add --sandbox to apply a sandbox plan'
            : ctx.configPath === undefined && !ctx.options.profile && !ctx.options.region
              ? 'no config file was found, so this run is on the sandbox: pass --config FILE (or --profile/--region) to apply it to AWS'
              : 'drop --sandbox to apply it to AWS',
      });
    }
  }
  if (saved && (opts.volume?.length || opts.tag?.length)) {
    ctx.stderr(`note: --volume/--tag are ignored with --plan: ${opts.plan} is applied as written (${describeScope(saved)})`);
  }
  const scope = saved ? saved.scope : scopeFrom(ctx, opts);

  return withLock(
    ROTATION_LOCK,
    async () => {
      // A saved plan is applied exactly as reviewed; otherwise this is the plan shown and applied.
      let plan = saved ?? (await makePlan(ctx, cloud, scope, false));
      if (opts.planOut) await writePlanFile(opts.planOut, plan);
      // A reviewed file is re-read against the account just before deleting: tags, state and AMI use may have moved.
      let nowKept: NowKept[] = [];
      if (saved && opts.plan && ctx.options.yes) ({ plan, nowKept } = await recheckPlan(cloud.compute, plan, ctx.config.snapshots.keep.tag, opts.plan));
      for (const k of nowKept) ctx.stderr(`now kept: ${k.snapshotId} (${k.why}, since the plan was made): not deleted`);
      if (!ctx.options.yes || plan.deletions.length === 0) {
        if (ctx.options.json) ctx.stdout(toJson({ plan, applied: false }));
        else ctx.stdout(renderPlanText(plan));
        if (plan.deletions.length === 0) ctx.stderr('nothing to delete');
        else if (ctx.options.readOnly) ctx.stderr('nothing deleted: this is a --read-only run');
        else ctx.stderr(`nothing deleted: ${nextStep(opts, plan.deletions.length)}`);
        return ExitCode.Ok;
      }
      if (!ctx.options.json) ctx.stdout(renderPlanText(plan));
      // Ctrl-C, SIGTERM or the deadline: stop sending, let the deletions in flight finish, report.
      const onAbort = (): void => ctx.stderr('cancelling: waiting for the deletions in flight…');
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      let result: ApplySummary;
      try {
        result = await applyPlan(plan, cloud, {
          concurrency: ctx.config.snapshots.concurrency,
          signal: ctx.signal,
          onProgress: ctx.progress,
          audit: ctx.audit,
          clock: ctx.clock,
        });
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }
      if (ctx.options.json) {
        ctx.stdout(toJson({ plan: { ...plan, deletions: undefined, deletionCount: plan.deletions.length }, applied: true, nowKept, result: resultJson(result) }));
      } else {
        ctx.stdout(`\n${describeResult(result)}`);
        for (const id of result.skippedInUse) ctx.stdout(`  skipped ${id}: in use (an AMI registered after planning?)`);
        for (const f of result.failed) ctx.stdout(`  failed ${f.id}: ${f.code} ${f.message}`);
      }
      return result.failed.length > 0 || result.cancelled ? ExitCode.Failed : ExitCode.Ok;
    },
    { onWarning: ctx.stderr, signal: ctx.signal, dir: lockDirOf(ctx) },
  );
}

export const register: RegisterArea = (program: Command, action) => {
  const snapshots = program
    .command('snapshots')
    .description('EBS snapshot retention: plan and rotate')
    .addHelpText(
      'after',
      `
Examples:
  opsdeck snapshots plan --batch                      what would be kept and deleted, and why
  opsdeck snapshots plan --batch --plan-out plan.json review it, then later:
  opsdeck snapshots rotate --batch --plan plan.json --yes
  opsdeck snapshots rotate --batch --yes              plan and apply in one go (cron)

Exit codes: 0 done or nothing to delete, 1 a deletion failed (in-use and
already-gone snapshots are not failures), 2 usage, 3 refused (--read-only,
a plan file older than snapshots.planMaxAgeMinutes), 4 another rotation
(of any scope) holds the lock.`,
    );
  const scoped = (cmd: Command): Command =>
    cmd
      .option('--volume <id>', 'only this volume (repeatable)', collect)
      .option('--tag <key=value>', 'only snapshots with this tag (repeatable)', collect)
      .option('--plan-out <file>', 'also write the plan as JSON, to review and apply later with --plan')
      .option('--decisions', 'include every keep/delete decision and its reason in the JSON plan');

  scoped(snapshots.command('plan'))
    .description('print what the retention policy would keep and delete (changes nothing)')
    .action(action<ScopeOpts>((ctx, opts) => planCommand(ctx, opts), { timeoutMs: 15 * MINUTE }));

  scoped(snapshots.command('rotate'))
    .description('delete what the plan says; without --yes only prints the plan')
    .option('--plan <file>', 'apply exactly this reviewed plan (refused when older than snapshots.planMaxAgeMinutes)')
    .action(action<RotateOpts>((ctx, opts) => rotateCommand(ctx, opts), { timeoutMs: 6 * HOUR }));
};
