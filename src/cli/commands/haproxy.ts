/**
 * `opsdeck haproxy sync|status|server`: keep HAProxy's pool equal to the
 * discovered fleet (the recipe's cron script, with guards). sync prints the
 * plan and changes nothing unless --yes; silent when there is nothing to do.
 */
import { ExitCode, OpsError } from '../../core/errors.js';
import { MINUTE } from '../../core/deadline.js';
import { withLock } from '../../core/lock.js';
import { applySync, SYNC_LOCK } from '../../haproxy/apply.js';
import { planSync } from '../../haproxy/plan.js';
import { planHeader, planJson } from '../../haproxy/report.js';
import { liveServers, setServerState, type LiveServer, type ServerAdminState } from '../../haproxy/runtime.js';
import { resolveServer, serverInstanceNames } from '../../haproxy/names.js';
import { syncSettings, type SyncSettings } from '../../haproxy/sandbox.js';
import { sandboxLiveServers, setSandboxServerState } from '../../haproxy/sandbox-state.js';
import { renderTable, stdoutPainter, toJson, type Painter } from '../output.js';
import { lockDirOf, type CommandContext } from '../../core/context.js';
import type { RegisterArea } from '../types.js';

interface SyncOpts {
  allowEmpty?: boolean;
  force?: boolean;
}

function colourDiff(diff: string, p: Painter): string {
  return diff
    .split('\n')
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? p.paint('green', l) : l.startsWith('-') && !l.startsWith('---') ? p.paint('red', l) : l.startsWith('@@') ? p.paint('cyan', l) : l))
    .join('\n');
}

/**
 * The lock comes before discovery: with sync in cron every minute, a run
 * stuck on a hung endpoint must make the next ones exit 4 at once, not pile
 * up behind it each waiting on the same endpoint.
 */
async function sync(ctx: CommandContext, opts: SyncOpts): Promise<ExitCode> {
  const s = await syncSettings(ctx.config, ctx.sandboxDir);
  return withLock(SYNC_LOCK, () => syncLocked(ctx, opts, s), { signal: ctx.signal, onWarning: ctx.stderr, dir: lockDirOf(ctx) });
}

async function syncLocked(ctx: CommandContext, opts: SyncOpts, s: SyncSettings): Promise<ExitCode> {
  const cloud = await ctx.cloud();
  const plan = await planSync({
    cloud,
    fleet: s.fleet,
    haproxy: s.haproxy,
    clock: ctx.clock,
    options: { allowEmpty: opts.allowEmpty === true, force: opts.force === true, sandbox: s.sandbox },
  });
  const json = ctx.options.json;
  const p = stdoutPainter(json);
  for (const prob of plan.problems) ctx.stderr(`warning: ${prob.instanceId} left out of the pool: ${prob.reason}`);
  if (plan.allowed && !plan.changed) {
    // cron (--yes) gets silence when there is nothing to do; a person asking for the plan gets an answer
    if (json) ctx.stdout(toJson(planJson(plan)));
    else if (!ctx.options.yes) ctx.stdout(`in sync (${plan.summary.after} server${plan.summary.after === 1 ? '' : 's'})`);
    return ExitCode.Ok;
  }
  const show = (): void => {
    if (json) return;
    const tones = { ok: 'green', bad: 'red', dim: 'dim' } as const;
    const lines = planHeader(plan).map((l) => (l.tone === 'plain' ? l.text : p.paint(tones[l.tone], l.text)));
    if (plan.diff) lines.push('', colourDiff(plan.diff.trimEnd(), p));
    ctx.stdout(lines.join('\n'));
  };
  if (!plan.allowed) {
    show();
    if (json) ctx.stdout(toJson(planJson(plan)));
    const bad = plan.guards.filter((g) => !g.ok);
    throw new OpsError('REFUSED', bad[0]?.message ?? 'refused', { details: bad.slice(1).map((g) => g.message), hint: 'nothing was written; the live config is unchanged' });
  }
  if (!ctx.options.yes) {
    show();
    if (json) ctx.stdout(toJson(planJson(plan)));
    else ctx.stderr(ctx.options.readOnly ? 'plan only: this is a --read-only run, nothing can be applied' : 'plan only: run again with --yes to apply');
    return ExitCode.Ok;
  }
  show();
  // A plan that took the whole deadline is not applied after it: the run has already reported failure.
  ctx.signal.throwIfAborted();
  const applied = await applySync(plan, {
    lockHeld: true,
    haproxy: s.haproxy,
    audit: ctx.audit,
    clock: ctx.clock,
    sandbox: s.sandbox,
    readOnly: ctx.options.readOnly,
    log: (l) => ctx.stderr(l),
  });
  if (json) ctx.stdout(toJson(planJson(plan, applied)));
  else ctx.stdout(p.paint('green', `applied: ${applied.reload}${applied.verified ? `; ${applied.verified}` : ''}`));
  return ExitCode.Ok;
}

async function status(ctx: CommandContext): Promise<ExitCode> {
  const s = await syncSettings(ctx.config, ctx.sandboxDir);
  let servers: LiveServer[];
  let note: string | undefined;
  if (s.sandbox) {
    servers = await sandboxLiveServers(s);
    note = 'sandbox: servers from the sandbox haproxy.cfg; no haproxy runs there, so states are simulated and nothing is checked';
  } else {
    servers = await liveServers(s.haproxy.runtimeSocket);
  }
  const names = await namesOf(ctx, servers);
  if (ctx.options.json) {
    ctx.stdout(toJson({ socket: s.sandbox ? null : s.haproxy.runtimeSocket, servers: servers.map((sv) => ({ ...sv, instanceName: names.get(sv.name) ?? null })) }));
    return ExitCode.Ok;
  }
  const p = stdoutPainter(false);
  if (note) ctx.stderr(note);
  ctx.stdout(
    renderTable(
      servers,
      [
        { header: 'BACKEND', get: (r) => r.backend },
        { header: 'NAME', get: (r) => names.get(r.name) ?? '-' },
        { header: 'SERVER', get: (r) => r.name },
        { header: 'ADDRESS', get: (r) => `${r.address}${r.port ? `:${r.port}` : ''}` },
        { header: 'ADMIN', get: (r) => r.admin, style: (r) => (r.admin === 'ready' ? undefined : 'yellow') },
        { header: 'STATUS', get: (r) => r.status, style: (r) => (r.status === 'UP' ? 'green' : r.status.startsWith('DOWN') ? 'red' : undefined) },
        { header: 'CHECK', get: (r) => r.check },
      ],
      p,
    ),
  );
  return ExitCode.Ok;
}

/**
 * Name tags for the servers; in an incident the states matter more than the
 * names, so a failed lookup leaves the column at "-" and says why.
 */
async function namesOf(ctx: CommandContext, servers: readonly LiveServer[]): Promise<Map<string, string>> {
  try {
    return await serverInstanceNames((await ctx.cloud()).compute, servers, ctx.signal);
  } catch (e) {
    ctx.stderr(`warning: no instance names: ${e instanceof Error ? e.message : String(e)}`);
    return new Map();
  }
}

async function server(ctx: CommandContext, opts: { backend?: string }, args: string[]): Promise<ExitCode> {
  const [given, state] = args as [string, string];
  if (!['ready', 'drain', 'maint'].includes(state)) throw new OpsError('USAGE', `state must be ready, drain or maint, not ${state}`);
  const s = await syncSettings(ctx.config, ctx.sandboxDir);
  if (ctx.options.readOnly) throw new OpsError('READ_ONLY', `read-only mode: not setting ${given} to ${state}`);
  const backend = opts.backend ?? s.haproxy.backends[0] ?? '';
  // Plan and apply both name a server that exists: "would set" for a typo would be a lie.
  const known = s.sandbox ? await sandboxLiveServers(s) : await liveServers(s.haproxy.runtimeSocket, [backend]);
  // An id needs no lookup; a Name tag is looked up only among the backend's servers.
  const direct = known.some((x) => x.backend === backend && x.name === given);
  const names = direct ? new Map<string, string>() : await serverInstanceNames((await ctx.cloud()).compute, known.filter((x) => x.backend === backend), ctx.signal);
  const name = resolveServer(known, backend, given, names);
  const called = name !== undefined && name !== given ? ` (${given})` : '';
  if (name === undefined) {
    throw new OpsError('USAGE', `no server ${backend}/${given} in ${s.sandbox ? 'the sandbox haproxy.cfg' : `haproxy (${s.haproxy.runtimeSocket})`}`, {
      hint: `opsdeck haproxy status --batch lists the servers${opts.backend ? '' : '; --backend picks another backend'}`,
    });
  }
  if (!ctx.options.yes) {
    if (ctx.options.json) ctx.stdout(toJson({ backend, server: name, state, applied: false, simulated: s.sandbox }));
    else ctx.stdout(`would set ${backend}/${name}${called} to ${state}`);
    ctx.stderr('plan only: run again with --yes to apply');
    return ExitCode.Ok;
  }
  if (s.sandbox) await setSandboxServerState(s, backend, name, state as ServerAdminState);
  else await setServerState(s.haproxy.runtimeSocket, backend, name, state as ServerAdminState);
  await ctx.audit.append({ action: 'haproxy.server-state', target: `${backend}/${name}`, result: 'ok', details: { state, ...(s.sandbox ? { simulated: true } : {}) } });
  if (ctx.options.json) ctx.stdout(toJson({ backend, server: name, state, applied: true, simulated: s.sandbox }));
  else ctx.stdout(`${backend}/${name}${called}: ${state}${s.sandbox ? ' (sandbox: simulated)' : ''}`);
  return ExitCode.Ok;
}

export const register: RegisterArea = (program, action) => {
  const cmd = program.command('haproxy').description('HAProxy pool sync from fleet discovery, and live server states');
  cmd
    .command('sync')
    .description('make the pool backend(s) match the discovered instances (plan only unless --yes)')
    .option('--allow-empty', 'allow emptying the pool when discovery finds no instances')
    .option('--force', 'allow removing more than haproxy.maxRemoveFraction of the servers')
    .addHelpText(
      'after',
      `
Examples:
  opsdeck haproxy sync --batch           the plan: diff, +added/-removed, guard verdicts
  opsdeck haproxy sync --batch --yes     apply it (cron: prints nothing when in sync)
  opsdeck haproxy sync --batch --json    the plan for machines (secrets in the diff redacted)

Apply: haproxy -c on the new file, backup, atomic rename, reload (haproxy.reload),
then the runtime API must list the new servers; a failed reload restores the backup.

Exit codes: 0 applied or nothing to do, 1 failed (reload failed: the previous
config was restored), 2 usage or config error, 3 refused by a guard and nothing
written (discovery failed, no instances without --allow-empty, too many removals
without --force, haproxy -c rejects the config, --read-only, live file changed
since the plan), 4 another sync holds the lock.`,
    )
    .action(action<SyncOpts>((ctx, opts) => sync(ctx, opts), { timeoutMs: 5 * MINUTE }));
  cmd
    .command('status')
    .description('servers of the running haproxy with their admin state and health (runtime API)')
    .action(action<Record<string, never>>((ctx) => status(ctx), { timeoutMs: MINUTE }));
  cmd
    .command('server <server> <state>')
    .description('set a server (instance id or Name tag) to ready, drain or maint (runtime API; needs --yes)')
    .option('--backend <name>', 'backend of the server (default: the first of haproxy.backends)')
    .action(action<{ backend?: string }>((ctx, opts, args) => server(ctx, opts, args), { timeoutMs: MINUTE }));
};
