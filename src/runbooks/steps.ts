import { HOUR, MINUTE, parseDuration, SECOND } from '../core/deadline.js';
import { OpsError } from '../core/errors.js';
import { evalExpr, parseExpr } from './expr.js';
import { capture, emptyResult, type Executors, type StepIO, type StepResult } from './executors.js';
import { conditionResolver, type Action, type RenderedCheck, type RenderedProbe, type RunValues } from './render.js';
import type { Inventory } from './inputs.js';
import type { Runbook, StepSpec } from './schema.js';
import { readProgress } from './ssh-progress.js';

/** How long a step may run when the runbook says nothing: long for work, short for switches. */
const DEFAULT_TIMEOUT: Record<StepSpec['kind'], number> = {
  ssh: HOUR,
  sql: HOUR,
  mysql: 10 * MINUTE,
  stream: 6 * HOUR,
  aws: 30 * MINUTE,
  haproxy: MINUTE,
  wait: 10 * MINUTE,
  check: 5 * MINUTE,
  manual: 0,
};

export function stepTimeoutMs(step: StepSpec): number {
  return step.timeout ? parseDuration(step.timeout, `${step.id}.timeout`) : DEFAULT_TIMEOUT[step.kind];
}

export class StepFailed extends Error {
  constructor(
    message: string,
    readonly result: StepResult,
    /** a failed `check`: the run is refused (exit 3), not broken */
    readonly refused = false,
  ) {
    super(message);
  }
}

export async function runProbe(ex: Executors, p: RenderedProbe, io: StepIO): Promise<StepResult> {
  switch (p.kind) {
    case 'ssh':
      return ex.ssh(p.host, p.command, io);
    case 'sql':
      return ex.sql(p.target, p.session, [{ sql: p.sql, values: p.values }], io);
    case 'aws':
      return ex.aws(p.operation, p.args, io);
    case 'haproxy':
      return ex.haproxy('show', p.server, io);
    case 'mysql':
      return ex.mysql(p.target, p.operation, {}, io);
  }
}

/** Run a probe and judge it: `expect`, or exit 0 when none is given. */
export async function judge(
  ex: Executors,
  c: RenderedCheck,
  io: StepIO,
  ctx: { rb: Runbook; inv: Inventory; values: RunValues },
): Promise<{ ok: boolean; result: StepResult; outputs: Record<string, string>; why: string }> {
  let result: StepResult;
  try {
    result = await runProbe(ex, c.probe, io);
  } catch (e) {
    if (io.signal.aborted) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, result: emptyResult({ exit: 1, stderr: msg }), outputs: {}, why: msg };
  }
  const { outputs } = capture(c.captures, result, ex.rehearsal);
  if (c.expect === undefined) return { ok: result.exit === 0, result, outputs, why: `exit ${result.exit ?? 'none'}` };
  const view = { exit: result.exit, stdout: result.stdout.trim(), stderr: result.stderr.trim(), rows: result.rows.length, outputs };
  // A rehearsal's ssh and sql answers are made up, so their conditions only report; aws and
  // haproxy probes read the simulated world, whose answers are real enough to judge.
  const madeUp = ex.rehearsal && (c.probe.kind === 'ssh' || c.probe.kind === 'sql');
  const ok = madeUp || evalExpr(parseExpr(c.expect), conditionResolver(ctx.rb, ctx.inv, ctx.values, view));
  const seen = Object.entries(outputs).map(([k, v]) => `${k}=${v}`).join(' ');
  if (madeUp) return { ok, result, outputs, why: `${c.expect}: not judged on a rehearsal (its ${c.probe.kind} answers are made up)` };
  return { ok, result, outputs, why: `${c.expect} is ${ok ? 'true' : 'false'}${seen ? ` (${seen})` : ''}` };
}

/** Execute one rendered action; throws StepFailed when it ran and did not succeed. */
export async function execute(
  ex: Executors,
  action: Action,
  io: StepIO,
  ctx: { rb: Runbook; inv: Inventory; values: RunValues; timeoutMs: number },
): Promise<StepResult> {
  switch (action.kind) {
    case 'ssh': {
      const reader = action.progress ? readProgress(action.progress, io) : undefined;
      const ran = await ex.ssh(action.host, action.command, reader?.io ?? io).finally(() => reader?.stop());
      const r = reader ? reader.finish(ran) : ran;
      if (r.exit !== 0) throw new StepFailed(`${action.host}: the command exited ${r.exit ?? `on signal`}${r.stderr.trim() ? `: ${lastLine(r.stderr)}` : ''}`, r);
      return r;
    }
    case 'sql': {
      if (action.statements.length === 0) {
        // only closes the session: its server may be gone (stopped with the lock held), so nothing is sent
        if (action.session) await ex.closeSession(action.session);
        io.output('stdout', `session ${action.session ?? ''} closed\n`);
        return emptyResult({ stdout: `session ${action.session ?? ''} closed\n` });
      }
      const r = await ex.sql(action.target, action.session, action.statements, io);
      if (action.session && action.closeSession) await ex.closeSession(action.session);
      return r;
    }
    case 'stream': {
      const r = await ex.stream(action.from, action.to, action.sizeBytes, io);
      if (r.exit !== 0) throw new StepFailed(`stream ${action.from.host} → ${action.to.host} failed: ${lastLine(r.stderr) || `exit ${r.exit}`}`, r);
      return r;
    }
    case 'aws':
      return ex.aws(action.operation, action.args, io);
    case 'mysql': {
      const r = await ex.mysql(action.target, action.operation, action.args, io);
      io.output('stdout', r.stdout);
      return r;
    }
    case 'haproxy':
      return ex.haproxy(action.action, action.server, io);
    case 'manual':
      return emptyResult();
    case 'check': {
      const j = await judge(ex, action.assert, io, ctx);
      if (!j.ok) throw new StepFailed(action.message ?? `check failed: ${j.why}`, j.result, true);
      // what the probe saw, and for a condition whether it held
      io.output('stdout', action.assert.expect === undefined ? j.result.stdout || `${j.why}\n` : `${j.result.stdout}${j.why}\n`);
      return { ...j.result, fields: { ...j.result.fields, ...j.outputs } };
    }
    case 'wait': {
      // Counted in intervals, not wall time: a rehearsal's waits pass on the simulated clock.
      let waited = 0;
      for (let attempt = 1; ; attempt++) {
        const j = await judge(ex, action.until, io, ctx);
        io.progress({ phase: 'waiting', done: attempt, total: undefined, detail: j.why });
        if (j.ok) {
          io.output('stdout', `${j.why} after ${attempt} check${attempt === 1 ? '' : 's'}\n`);
          return { ...j.result, fields: { ...j.result.fields, ...j.outputs } };
        }
        waited += action.intervalMs;
        if (ctx.timeoutMs > 0 && waited + action.intervalMs > ctx.timeoutMs) {
          throw new StepFailed(`still not true after ${attempt} checks: ${j.why}`, j.result);
        }
        await ex.sleep(Math.max(SECOND / 10, action.intervalMs), io.signal);
      }
    }
  }
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}

/** A step's own failure (not a cancel) as text for the journal and the screen. */
export function failureText(e: unknown): string {
  if (e instanceof OpsError) return e.hint ? `${e.message} (${e.hint})` : e.message;
  return e instanceof Error ? e.message : String(e);
}
