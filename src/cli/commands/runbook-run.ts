/**
 * The bodies of `opsdeck runbook ...` (registered in runbook.ts, loaded only
 * when a runbook command runs: the loader brings yaml and zod, which
 * `opsdeck --help` must not pay for).
 */
import { ExitCode, OpsError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { runRunbook, type Approval, type RunEvent } from '../../runbooks/engine.js';
import { parseInputArgs, resolveInputs, type InputValues } from '../../runbooks/inputs.js';
import { findRun, listRuns } from '../../runbooks/journal.js';
import { findRunbook, loadCatalog, type LoadedRunbook } from '../../runbooks/load.js';
import { planSteps } from '../../runbooks/render.js';
import { planLines, resumable, runRow } from '../../runbooks/report.js';
import type { StepSpec } from '../../runbooks/schema.js';
import { runbookWorld, type RunbookWorld } from '../../runbooks/world.js';
import { renderTable, stdoutPainter, toJson } from '../output.js';

export interface RunOpts {
  input?: string[];
  confirm?: string[];
  retryUnknown?: boolean;
  skipUnknown?: boolean;
}

async function catalogFor(ctx: CommandContext): Promise<Awaited<ReturnType<typeof loadCatalog>>> {
  const cat = await loadCatalog();
  for (const b of cat.broken) ctx.stderr(`warning: ${b.file} did not load: ${b.error.message}${b.error.details?.[0] ? `\n  ${b.error.details.join('\n  ')}` : ''}`);
  return cat;
}

export async function list(ctx: CommandContext): Promise<ExitCode> {
  const cat = await catalogFor(ctx);
  const world = await runbookWorld(ctx);
  const { runs } = await listRuns(world.runsDir);
  const last = (name: string): string => {
    const r = runs.find((x) => x.head.runbook === name);
    return r ? `${r.status} ${r.startedAt.slice(0, 16).replace('T', ' ')}` : 'never';
  };
  if (ctx.options.json) {
    ctx.stdout(toJson(cat.runbooks.map((r) => ({ name: r.runbook.name, title: r.runbook.title, origin: r.origin, file: r.file, steps: r.runbook.steps.length, lastRun: last(r.runbook.name) }))));
  } else {
    ctx.stdout(
      renderTable(cat.runbooks, [
        { header: 'NAME', get: (r) => r.runbook.name },
        { header: 'TITLE', get: (r) => r.runbook.title },
        { header: 'STEPS', get: (r) => String(r.runbook.steps.length), align: 'right' },
        { header: 'FROM', get: (r) => (r.overrides ? 'user (replaces shipped)' : r.origin) },
        { header: 'LAST RUN', get: (r) => last(r.runbook.name) },
      ], stdoutPainter(false)),
    );
  }
  return cat.broken.length > 0 ? ExitCode.Usage : ExitCode.Ok;
}

function secretsOf(loaded: LoadedRunbook): Set<string> {
  return new Set(Object.entries(loaded.runbook.inputs).filter(([, s]) => s.secret).map(([k]) => k));
}

export async function prepare(ctx: CommandContext, name: string, opts: RunOpts): Promise<{ loaded: LoadedRunbook; world: RunbookWorld; inputs: InputValues }> {
  const loaded = findRunbook(await catalogFor(ctx), name);
  const world = await runbookWorld(ctx);
  const inputs = resolveInputs(loaded.runbook, parseInputArgs(opts.input ?? []), world.inventory);
  return { loaded, world, inputs };
}

export function showPlan(ctx: CommandContext, loaded: LoadedRunbook, world: RunbookWorld, inputs: InputValues): void {
  const steps = planSteps(loaded.runbook, world.inventory, { inputs, secretInputs: secretsOf(loaded), outputs: new Map(), statuses: new Map(), runId: '<run id>', rehearsal: world.rehearsal });
  if (ctx.options.json) ctx.stdout(toJson({ runbook: loaded.runbook.name, file: loaded.file, inputs, steps: steps.map(({ step, rendered }) => ({ id: step.id, title: step.title, kind: step.kind, confirm: step.confirm, ...rendered })) }));
  else ctx.stdout(planLines(loaded, inputs, secretsOf(loaded), steps, world.rehearsal).join('\n'));
}

/** `--confirm STEP=WORD`, checked against every gated step before anything runs. */
function batchApprovals(loaded: LoadedRunbook, opts: RunOpts, rehearsal: boolean): Map<string, Approval> {
  const given = new Map<string, string>();
  for (const c of opts.confirm ?? []) {
    const eq = c.indexOf('=');
    if (eq <= 0) throw new OpsError('USAGE', `--confirm ${c}: expected STEP=WORD`);
    given.set(c.slice(0, eq), c.slice(eq + 1));
  }
  const out = new Map<string, Approval>();
  const missing: string[] = [];
  const user = process.env.USER || 'batch';
  for (const s of loaded.runbook.steps) {
    if (!given.has(s.id) && rehearsal) {
      out.set(s.id, { by: user, via: 'rehearsal' });
      continue;
    }
    if (typeof s.confirm === 'object') {
      if (given.get(s.id) === s.confirm.typed) out.set(s.id, { by: user, via: 'confirm-flag', typed: s.confirm.typed });
      else missing.push(`${s.id}: type --confirm ${s.id}=${s.confirm.typed}${given.has(s.id) ? ` (got "${given.get(s.id)}")` : ''}`);
    } else if (s.kind === 'manual') {
      if (given.get(s.id) === 'done') out.set(s.id, { by: user, via: 'confirm-flag', typed: 'done' });
      else missing.push(`${s.id}: a manual step ("${s.title}"): do it, then pass --confirm ${s.id}=done`);
    } else if (s.confirm === 'yes') out.set(s.id, { by: user, via: 'yes' });
  }
  for (const id of given.keys()) if (!loaded.runbook.steps.some((s) => s.id === id)) missing.push(`--confirm ${id}: no such step`);
  if (missing.length > 0) {
    throw new OpsError('REFUSED', `${loaded.runbook.name}: --yes does not pass typed confirmations or manual steps`, { details: missing, hint: 'nothing was run' });
  }
  return out;
}

function progressPrinter(ctx: CommandContext, loaded: LoadedRunbook): (e: RunEvent) => void {
  const steps = loaded.runbook.steps;
  const num = (id: string): string => `[${steps.findIndex((s) => s.id === id) + 1}/${steps.length}]`;
  let lastPct = -1;
  return (e) => {
    if (e.t === 'start') ctx.stderr(`${e.resumed ? 'resuming' : 'run'} ${e.runId}: journal ${e.journal}`);
    else if (e.t === 'step') {
      const s = steps.find((x) => x.id === e.id);
      if (e.status === 'running') {
        lastPct = -1;
        ctx.stderr(`${num(e.id)} ${s?.title ?? e.id}`);
        for (const l of e.shown ?? []) ctx.stderr(`      ${l}`);
      } else if (e.status !== 'pending') ctx.stderr(`${num(e.id)} ${e.status}${e.durationMs !== undefined ? ` in ${(e.durationMs / 1000).toFixed(1)}s` : ''}${e.error ? `: ${e.error}` : ''}`);
    } else if (e.t === 'output') {
      for (const l of e.text.replace(/\n$/, '').split('\n')) ctx.stderr(`    | ${l}`);
    } else if (e.t === 'progress') {
      const { done, total, detail } = e.event;
      const pct = total ? Math.floor((done / total) * 10) * 10 : -1;
      if (total && pct !== lastPct) {
        lastPct = pct;
        ctx.stderr(`    ${pct}% ${done}/${total}`);
      } else if (!total && detail) ctx.stderr(`    check ${done}: ${detail}`);
    } else if (e.t === 'notice') ctx.stderr(`note: ${e.text}`);
  };
}

async function execute(ctx: CommandContext, loaded: LoadedRunbook, world: RunbookWorld, inputs: InputValues, opts: RunOpts, resume?: Awaited<ReturnType<typeof findRun>>): Promise<ExitCode> {
  if (ctx.options.readOnly) throw new OpsError('READ_ONLY', 'a runbook run changes things: refused with --read-only', { hint: 'use `opsdeck runbook show` to read the plan' });
  const approvals = batchApprovals(loaded, opts, world.rehearsal);
  const outcome = await runRunbook(
    { loaded, inputs, secretInputs: secretsOf(loaded), ...(resume ? { resume } : {}) },
    {
      executors: world.executors(),
      inventory: world.inventory,
      audit: ctx.audit,
      clock: ctx.clock,
      signal: ctx.signal,
      lockDir: world.lockDir,
      runsDir: world.runsDir,
      approve: async (step: StepSpec) => approvals.get(step.id),
      settleUnknown: async (step, verified) => {
        const what = verified ? `its verify probe says not done (${verified.detail})` : 'it has no verify probe';
        if (opts.retryUnknown) return 'retry';
        if (opts.skipUnknown) return 'skip';
        ctx.stderr(`step ${step.id} was running when the run stopped and ${what}: pass --retry-unknown or --skip-unknown to decide`);
        return 'abort';
      },
      onEvent: progressPrinter(ctx, loaded),
    },
  );
  const summary = { runId: outcome.runId, journal: outcome.journal, status: outcome.status, message: outcome.message, rehearsal: world.rehearsal, steps: Object.fromEntries(outcome.steps) };
  if (ctx.options.json) ctx.stdout(toJson(summary));
  else ctx.stdout(`${world.rehearsal ? 'rehearsal ' : ''}${outcome.status}: ${loaded.runbook.name} (run ${outcome.runId})${outcome.message ? `\n${outcome.message}` : ''}${outcome.status !== 'done' ? `\nresume with: opsdeck runbook resume ${outcome.runId}${world.rehearsal ? ' --sandbox' : ''} --yes` : ''}`);
  return outcome.status === 'done' ? ExitCode.Ok : outcome.status === 'refused' || outcome.status === 'stopped' ? ExitCode.Refused : ExitCode.Failed;
}

export async function run(ctx: CommandContext, name: string, opts: RunOpts): Promise<ExitCode> {
  const { loaded, world, inputs } = await prepare(ctx, name, opts);
  if (!ctx.options.yes) {
    showPlan(ctx, loaded, world, inputs);
    ctx.stderr(ctx.options.readOnly ? 'plan only: this is a --read-only run' : `plan only: run again with --yes to run it${world.rehearsal ? ' (a rehearsal: nothing real is touched)' : ''}`);
    return ExitCode.Ok;
  }
  return execute(ctx, loaded, world, inputs, opts);
}

export async function resumeRun(ctx: CommandContext, ref: string, opts: RunOpts): Promise<ExitCode> {
  const world = await runbookWorld(ctx);
  const rec = await findRun(world.runsDir, ref);
  if (!resumable(rec)) throw new OpsError('REFUSED', `run ${rec.head.runId} is ${rec.status}: nothing to resume`);
  const loaded = findRunbook(await catalogFor(ctx), rec.head.runbook);
  const given = parseInputArgs(opts.input ?? []);
  // The journal holds every input but the secret ones, which must be given again.
  const raw = Object.fromEntries(Object.entries(rec.head.inputs).map(([k, v]) => [k, String(v)]));
  const inputs = resolveInputs(loaded.runbook, { ...raw, ...given }, world.inventory);
  if (!ctx.options.yes) {
    ctx.stdout(`run ${rec.head.runId} (${rec.status}): ${[...rec.finished.values()].filter((f) => f.status === 'done').length} of ${loaded.runbook.steps.length} steps done${rec.unknown.length ? `; ${rec.unknown.join(', ')} was running when it stopped` : ''}`);
    ctx.stderr('plan only: run again with --yes to resume');
    return ExitCode.Ok;
  }
  return execute(ctx, loaded, world, inputs, opts, rec);
}

export async function runs(ctx: CommandContext): Promise<ExitCode> {
  const world = await runbookWorld(ctx);
  const { runs: all, damaged } = await listRuns(world.runsDir);
  const rows = all.map(runRow);
  if (ctx.options.json) ctx.stdout(toJson({ runs: rows.map((r, i) => ({ ...r, journal: all[i]?.file, resumable: all[i] ? resumable(all[i]) : false })), damaged }));
  else {
    if (rows.length === 0) ctx.stderr(`no runs yet in ${world.runsDir}`);
    else {
      ctx.stdout(
        renderTable(rows, [
          { header: 'RUN', get: (r) => r.id },
          { header: 'RUNBOOK', get: (r) => r.runbook },
          { header: 'STATUS', get: (r) => `${r.status}${r.rehearsal ? ' (rehearsal)' : ''}` },
          { header: 'STEPS', get: (r) => r.steps, align: 'right' },
          { header: 'STARTED', get: (r) => r.started.slice(0, 19).replace('T', ' ') },
          { header: 'TOOK', get: (r) => r.duration, align: 'right' },
        ], stdoutPainter(false)),
      );
    }
    for (const d of damaged) ctx.stderr(`warning: ${d} is not a readable run journal`);
  }
  return ExitCode.Ok;
}

/** `runbook show NAME`: the plan only. */
export async function show(ctx: CommandContext, name: string, opts: RunOpts): Promise<ExitCode> {
  const { loaded, world, inputs } = await prepare(ctx, name, opts);
  showPlan(ctx, loaded, world, inputs);
  return ExitCode.Ok;
}
