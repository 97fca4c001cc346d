import { createHash } from 'node:crypto';
import os from 'node:os';
import type { AuditLog } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { OpsError } from '../core/errors.js';
import { withLock } from '../core/lock.js';
import type { ProgressEvent } from '../core/progress.js';
import { bootId } from '../core/lock.js';
import { evalExpr, parseExpr } from './expr.js';
import { capture, Tail, type Executors, type StepIO, type StepResult } from './executors.js';
import type { InputValues, Inventory } from './inputs.js';
import { Journal, newRunId, type JournalLine, type RunRecord, type RunStatus, type StepStatus } from './journal.js';
import type { LoadedRunbook } from './load.js';
import { conditionResolver, makeResolver, renderCheck, renderStep, type Rendered, type RunValues } from './render.js';
import type { StepSpec } from './schema.js';
import { execute, failureText, judge, StepFailed, stepTimeoutMs } from './steps.js';

/**
 * The runbook engine: one step at a time, every step journaled (fsynced)
 * before and after, confirmations asked where the runbook says, a run that
 * stops for any reason left resumable. Faces (batch, the pane) supply the
 * questions and watch the events; the engine decides nothing about screens.
 */
export type LiveStatus = 'pending' | 'running' | 'unknown' | StepStatus;

export type RunEvent =
  | { t: 'start'; runId: string; journal: string; resumed: boolean }
  | { t: 'step'; id: string; status: LiveStatus; durationMs?: number; error?: string; shown?: string[] }
  | { t: 'output'; id: string; stream: 'stdout' | 'stderr'; text: string }
  | { t: 'progress'; id: string; event: ProgressEvent }
  | { t: 'notice'; text: string }
  | { t: 'end'; status: RunStatus; message?: string };

export interface Approval {
  by: string;
  via: Extract<JournalLine, { t: 'approval' }>['via'];
  typed?: string;
}

export interface RunDeps {
  executors: Executors;
  inventory: Inventory;
  audit: AuditLog;
  clock: Clock;
  /** aborting it cancels the running step and leaves the run resumable */
  signal: AbortSignal;
  lockDir: string;
  runsDir: string;
  user?: string;
  /** asked before a step with `confirm` (and every `manual` step); undefined: declined, the run stops resumable */
  approve(step: StepSpec, rendered: Rendered): Promise<Approval | undefined>;
  /** a step that was in flight when the run stopped: what its `verify` found, and what to do */
  settleUnknown(step: StepSpec, verified: { done: boolean; detail: string } | undefined): Promise<'retry' | 'skip' | 'abort'>;
  onEvent(e: RunEvent): void;
}

export interface RunRequest {
  loaded: LoadedRunbook;
  inputs: InputValues;
  /** names of inputs whose values must never be journaled */
  secretInputs?: ReadonlySet<string>;
  resume?: RunRecord;
}

export interface RunOutcome {
  runId: string;
  journal: string;
  status: RunStatus;
  message: string | undefined;
  /** the status of every step at the end */
  steps: Map<string, LiveStatus>;
}

/** Runs that touch the same hosts, databases, group or volumes exclude each other. */
export function runLockName(req: Pick<RunRequest, 'loaded' | 'inputs'>): string {
  const rb = req.loaded.runbook;
  const targets = Object.entries(rb.inputs)
    .filter(([, s]) => ['host', 'mysql', 'group', 'volume', 'instance'].includes(s.type))
    .map(([k, s]) => `${s.type}:${String(req.inputs[k])}`)
    .sort();
  const key = targets.length > 0 ? targets.join(',') : `runbook:${rb.name}`;
  return `runbook-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** Where a resumed run continues: replay the journal through the same control flow. */
function replay(rec: RunRecord, steps: readonly StepSpec[], values: RunValues): { index: number; unknown: boolean } {
  let i = 0;
  while (i < steps.length) {
    const s = steps[i];
    if (!s) break;
    const fin = rec.finished.get(s.id);
    const startedAgain = rec.unknown.includes(s.id);
    if (!fin || startedAgain) return { index: i, unknown: startedAgain };
    values.statuses.set(s.id, fin.status);
    if (fin.status === 'done' || fin.status === 'skipped') {
      values.outputs.set(s.id, fin.outputs);
      i++;
      continue;
    }
    if (fin.status === 'failed' && s.onFailure === 'continue') {
      i++;
      continue;
    }
    if (fin.status === 'failed' && typeof s.onFailure === 'object') {
      const target = s.onFailure.goto;
      i = steps.findIndex((x) => x.id === target);
      continue;
    }
    return { index: i, unknown: false };
  }
  return { index: steps.length, unknown: false };
}

function checkResumable(req: RunRequest, rec: RunRecord, index: number): void {
  const { loaded } = req;
  if (rec.head.runbook !== loaded.runbook.name) throw new OpsError('USAGE', `run ${rec.head.runId} is of runbook ${rec.head.runbook}, not ${loaded.runbook.name}`);
  if (rec.status === 'running') {
    throw new OpsError('LOCK_HELD', `run ${rec.head.runId} is still running (pid ${rec.head.pid})`, { hint: 'wait for it, or stop that process first' });
  }
  if (rec.status === 'done') throw new OpsError('REFUSED', `run ${rec.head.runId} already finished: nothing to resume`);
  const was = rec.head.stepHashes.slice(index);
  const now = loaded.stepHashes.slice(index);
  const same = was.length === now.length && was.every((h, k) => h === now[k]);
  const doneSame = rec.head.stepHashes.slice(0, index).length === loaded.stepHashes.slice(0, index).length;
  if (!same || !doneSame) {
    throw new OpsError('REFUSED', `${loaded.file} changed since run ${rec.head.runId} began: the steps still to run are not the ones it was started with`, {
      hint: 'resume refuses edited remaining steps (edits to finished steps are fine); start a new run, or put the file back as it was',
    });
  }
}

/**
 * The run's signal plus the step's deadline. Built by hand, not with
 * AbortSignal.any: a signal that only the source holds (weakly) can be
 * collected mid-step, and then a cancel never reaches the running command.
 */
function stepSignal(run: AbortSignal, timeoutMs: number): { signal: AbortSignal; dispose(): void } {
  if (timeoutMs <= 0) return { signal: run, dispose: () => undefined };
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(run.reason);
  run.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ac.abort(new Error('step deadline')), timeoutMs);
  if (run.aborted) ac.abort(run.reason);
  return {
    signal: ac.signal,
    dispose: () => {
      clearTimeout(timer);
      run.removeEventListener('abort', onAbort);
    },
  };
}

export async function runRunbook(req: RunRequest, deps: RunDeps): Promise<RunOutcome> {
  // No signal for the lock: a cancel unwinds the run itself (journaled, sessions released), then the lock goes.
  return withLock(runLockName(req), () => runLocked(req, deps), { dir: deps.lockDir });
}

async function runLocked(req: RunRequest, deps: RunDeps): Promise<RunOutcome> {
  const { loaded } = req;
  const rb = loaded.runbook;
  const ex = deps.executors;
  const now = (): string => deps.clock.now().toISOString();
  const user = deps.user ?? (process.env.USER || os.userInfo().username);
  const statuses = new Map<string, LiveStatus>(rb.steps.map((s) => [s.id, 'pending']));
  const secretInputs = new Set([...(req.secretInputs ?? []), ...Object.entries(rb.inputs).filter(([, s]) => s.secret).map(([k]) => k)]);
  const values: RunValues = { inputs: req.inputs, secretInputs, outputs: new Map(), statuses: new Map(), runId: '', rehearsal: ex.rehearsal };

  let journal: Journal;
  let start = { index: 0, unknown: false };
  if (req.resume) {
    const rec = req.resume;
    start = replay(rec, rb.steps, values);
    checkResumable(req, rec, start.index);
    values.runId = rec.head.runId;
    journal = new Journal(rec.file);
    journal.append({ t: 'resumed', at: now(), pid: process.pid, boot: bootId(), user });
    for (const [id, st] of values.statuses) statuses.set(id, st as LiveStatus);
  } else {
    values.runId = newRunId(rb.name, deps.clock.now());
    journal = Journal.create(deps.runsDir, values.runId);
    const shownInputs = Object.fromEntries(Object.entries(req.inputs).filter(([k]) => !secretInputs.has(k)));
    journal.append({
      t: 'run', at: now(), runId: values.runId, runbook: rb.name, file: loaded.file, hash: loaded.hash, stepHashes: loaded.stepHashes,
      inputs: shownInputs, secretInputs: [...secretInputs], rehearsal: ex.rehearsal, user, host: os.hostname(), pid: process.pid, boot: bootId(),
    });
  }
  deps.onEvent({ t: 'start', runId: values.runId, journal: journal.file, resumed: req.resume !== undefined });
  for (const [id, st] of statuses) if (st !== 'pending') deps.onEvent({ t: 'step', id, status: st });

  const finish = async (status: RunStatus, message?: string): Promise<RunOutcome> => {
    for (const line of await ex.close()) {
      deps.onEvent({ t: 'notice', text: line });
      message = message ? `${message}; ${line}` : line;
    }
    journal.append({ t: 'end', at: now(), status, ...(message === undefined ? {} : { message }) });
    journal.close();
    deps.onEvent({ t: 'end', status, ...(message === undefined ? {} : { message }) });
    return { runId: values.runId, journal: journal.file, status, message, steps: statuses };
  };
  const set = (id: string, status: LiveStatus, extra: Omit<Extract<RunEvent, { t: 'step' }>, 't' | 'id' | 'status'> = {}): void => {
    statuses.set(id, status);
    if (status !== 'running' && status !== 'pending' && status !== 'unknown') values.statuses.set(id, status);
    deps.onEvent({ t: 'step', id, status, ...extra });
  };
  const ioFor = (id: string, signal: AbortSignal, tail: Tail): StepIO => ({
    signal,
    output: (stream, text) => {
      tail.push(text);
      deps.onEvent({ t: 'output', id, stream, text });
    },
    progress: (event) => deps.onEvent({ t: 'progress', id, event }),
  });
  const cancelled = (): boolean => deps.signal.aborted;
  // config secrets referenced by a step's text are resolved only for the step about to run
  const reveal = ex.reveal?.bind(ex);

  try {
    // Preconditions: only before step 1 of a new run; halfway through, the world is expected to have changed.
    if (!req.resume) {
      const r = makeResolver(rb, deps.inventory, values, false, reveal);
      for (const pre of rb.preconditions) {
        const { check } = renderCheck(pre, r);
        const j = await judge(ex, check, ioFor('precondition', deps.signal, new Tail()), { rb, inv: deps.inventory, values });
        deps.onEvent({ t: 'notice', text: `precondition ${j.ok ? 'ok' : 'FAILED'}: ${pre.title} (${j.why})` });
        if (!j.ok) return await finish('refused', `precondition failed: ${pre.title}: ${j.why}`);
      }
    }

    let i = start.index;
    let unknown = start.unknown;
    // a failure handled by `onFailure: goto` runs the cleanup steps, but the run still ends failed
    let handled: string | undefined;
    while (i < rb.steps.length) {
      const step = rb.steps[i];
      if (!step) break;
      if (cancelled()) return await finish('cancelled', 'cancelled before the next step');

      if (unknown) {
        unknown = false;
        set(step.id, 'unknown');
        let verified: { done: boolean; detail: string } | undefined;
        if (step.verify) {
          const { check } = renderCheck(step.verify, makeResolver(rb, deps.inventory, values, false, reveal));
          const j = await judge(ex, check, ioFor(step.id, deps.signal, new Tail()), { rb, inv: deps.inventory, values });
          verified = { done: j.ok, detail: j.why };
          if (j.ok) {
            const outputs = { ...j.outputs };
            journal.append({ t: 'finished', at: now(), step: step.id, status: 'done', outputs, durationMs: 0, tail: '', settled: 'verified' });
            values.outputs.set(step.id, outputs);
            set(step.id, 'done', { error: `verified after the interruption: ${j.why}` });
            i++;
            continue;
          }
        }
        const choice = await deps.settleUnknown(step, verified);
        if (choice === 'abort') return await finish('stopped', `step ${step.id} was interrupted and left unresolved`);
        if (choice === 'skip') {
          journal.append({ t: 'finished', at: now(), step: step.id, status: 'skipped', outputs: {}, durationMs: 0, tail: '', settled: 'skipped' });
          set(step.id, 'skipped');
          i++;
          continue;
        }
      }

      if (step.when !== undefined && !evalExpr(parseExpr(step.when), conditionResolver(rb, deps.inventory, values))) {
        journal.append({ t: 'finished', at: now(), step: step.id, status: 'skipped', outputs: {}, durationMs: 0, tail: `when: ${step.when} is false` });
        set(step.id, 'skipped', { error: `when: ${step.when} is false` });
        i++;
        continue;
      }

      let rendered: Rendered;
      try {
        rendered = renderStep(step, makeResolver(rb, deps.inventory, values, false, reveal));
      } catch (e) {
        journal.append({ t: 'finished', at: now(), step: step.id, status: 'failed', outputs: {}, durationMs: 0, tail: '', error: failureText(e) });
        set(step.id, 'failed', { error: failureText(e) });
        return await finish('failed', `${step.id}: ${failureText(e)}`);
      }

      if (step.confirm !== 'none' || step.kind === 'manual') {
        const ok = await deps.approve(step, rendered);
        if (cancelled()) return await finish('cancelled', `cancelled at ${step.id}`);
        if (!ok) {
          journal.append({ t: 'finished', at: now(), step: step.id, status: 'declined', outputs: {}, durationMs: 0, tail: '' });
          set(step.id, 'declined');
          return await finish('stopped', `${step.id} was not confirmed: the run stopped before it (resume to continue)`);
        }
        journal.append({ t: 'approval', at: now(), step: step.id, ...ok });
      }

      const timeoutMs = stepTimeoutMs(step);
      let attempt = 0;
      let outcome: { status: StepStatus; error?: string; refused?: boolean } = { status: 'failed' };
      for (;;) {
        attempt++;
        const tail = new Tail();
        const t0 = performance.now();
        journal.append({ t: 'started', at: now(), step: step.id, attempt, shown: rendered.shown });
        set(step.id, 'running', { shown: rendered.shown });
        const limit = stepSignal(deps.signal, timeoutMs);
        const signal = limit.signal;
        let result: StepResult | undefined;
        let error: string | undefined;
        let refusedCheck = false;
        try {
          result = await execute(ex, rendered.action, ioFor(step.id, signal, tail), { rb, inv: deps.inventory, values, timeoutMs });
        } catch (e) {
          if (e instanceof StepFailed) {
            result = e.result;
            refusedCheck = e.refused;
          }
          error = cancelled() ? 'cancelled' : signal.aborted ? `timed out after ${step.timeout ?? `${Math.round(timeoutMs / 1000)}s`}` : failureText(e);
        } finally {
          limit.dispose();
        }
        const durationMs = Math.round(performance.now() - t0);
        let outputs: Record<string, string> = {};
        if (result && error === undefined) {
          const got = capture(step.captures, result, ex.rehearsal);
          outputs = got.outputs;
          if (got.missing.length > 0) error = `captured nothing for ${got.missing.join(', ')}: the output did not look as expected`;
        }
        const status: StepStatus = error === undefined ? 'done' : cancelled() ? 'cancelled' : 'failed';
        journal.append({
          t: 'finished', at: now(), step: step.id, status, outputs, exit: result?.exit ?? null, durationMs, tail: tail.text(), ...(error === undefined ? {} : { error }),
        });
        await deps.audit.append({ action: `runbook.${step.kind}`, target: `${rb.name}/${step.id}`, result: status === 'done' ? 'ok' : status, details: { runId: values.runId, attempt, shown: rendered.shown, rehearsal: ex.rehearsal, ...(error ? { error } : {}) } });
        if (status === 'done') values.outputs.set(step.id, outputs);
        set(step.id, status, { durationMs, ...(error === undefined ? {} : { error }) });
        outcome = { status, ...(error === undefined ? {} : { error }), refused: refusedCheck };
        if (status !== 'failed' || attempt > step.retries || refusedCheck) break;
        deps.onEvent({ t: 'notice', text: `${step.id}: attempt ${attempt} failed, retrying (${attempt}/${step.retries})` });
      }

      if (outcome.status === 'cancelled') return await finish('cancelled', `cancelled during ${step.id}; resume to continue`);
      if (outcome.status === 'failed') {
        if (step.onFailure === 'continue') {
          deps.onEvent({ t: 'notice', text: `${step.id} failed; onFailure: continue` });
        } else if (typeof step.onFailure === 'object') {
          const target = step.onFailure.goto;
          deps.onEvent({ t: 'notice', text: `${step.id} failed; onFailure: goto ${target}` });
          handled ??= `${step.id}: ${outcome.error ?? 'failed'} (the steps from ${target} on ran to clean up)`;
          i = rb.steps.findIndex((s) => s.id === target);
          continue;
        } else {
          return await finish(outcome.refused ? 'refused' : 'failed', `${step.id}: ${outcome.error ?? 'failed'}`);
        }
      }
      i++;
    }
    return await finish(handled ? 'failed' : 'done', handled);
  } catch (e) {
    if (cancelled()) return await finish('cancelled', failureText(e));
    await finish('failed', failureText(e)).catch(() => undefined);
    throw e;
  }
}
