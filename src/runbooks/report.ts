import { formatTimeout } from '../core/deadline.js';
import type { InputValues } from './inputs.js';
import type { RunRecord } from './journal.js';
import type { LoadedRunbook } from './load.js';
import type { Rendered } from './render.js';
import type { ConfirmSpec, StepSpec } from './schema.js';

/** Text for `runbook show`, the journal summary and the pane: one wording everywhere. */

export function confirmLabel(c: ConfirmSpec, kind: StepSpec['kind']): string {
  if (kind === 'manual') return 'tick off';
  if (c === 'none') return '';
  if (c === 'yes') return 'confirm';
  return `type ${c.typed}`;
}

export function planLines(loaded: LoadedRunbook, inputs: InputValues, secret: ReadonlySet<string>, steps: { step: StepSpec; rendered: Rendered | { error: string } }[], rehearsal: boolean): string[] {
  const rb = loaded.runbook;
  const out: string[] = [`${rb.title} (${rb.name}${rehearsal ? ', rehearsal on the sandbox' : ''})`, ...rb.description.trim().split('\n').map((l) => `  ${l}`), `  file: ${loaded.file}${loaded.overrides ? ` (replaces the shipped ${loaded.overrides})` : ''}`];
  const names = Object.keys(rb.inputs);
  if (names.length > 0) {
    out.push('', 'inputs:');
    for (const n of names) {
      const v = inputs[n];
      out.push(`  ${n} = ${v === undefined ? '(not set)' : secret.has(n) || rb.inputs[n]?.secret ? '***' : String(v)}   ${rb.inputs[n]?.help ?? ''}`);
    }
  }
  if (rb.preconditions.length > 0) {
    out.push('', 'preconditions:');
    for (const p of rb.preconditions) out.push(`  - ${p.title}`);
  }
  out.push('', 'steps:');
  steps.forEach(({ step, rendered }, i) => {
    const gate = confirmLabel(step.confirm, step.kind);
    const flags = [step.kind, gate, step.idempotent ? 'idempotent' : '', step.retries ? `retries ${step.retries}` : '', step.timeout ? `timeout ${step.timeout}` : '', typeof step.onFailure === 'object' ? `on failure goto ${step.onFailure.goto}` : step.onFailure === 'continue' ? 'on failure continue' : '']
      .filter(Boolean)
      .join(', ');
    out.push(`${String(i + 1).padStart(3)}. ${step.title}  [${step.id}: ${flags}]`);
    if (step.when) out.push(`       when ${step.when}`);
    if ('error' in rendered) out.push(`       cannot render: ${rendered.error}`);
    // a multi-line command or instruction: one screen line each
    else for (const l of rendered.shown.flatMap((x) => x.split('\n'))) out.push(`       ${l}`);
    if (step.verify) out.push(`       verify: ${step.verify.probe.kind} probe${step.verify.expect ? ` until ${step.verify.expect}` : ''}`);
  });
  return out;
}

export function runRow(r: RunRecord): { id: string; runbook: string; status: string; started: string; duration: string; steps: string; rehearsal: boolean } {
  const total = r.head.stepHashes.length;
  const done = [...r.finished.values()].filter((f) => f.status === 'done' || f.status === 'skipped').length;
  const ms = r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : undefined;
  return {
    id: r.head.runId,
    runbook: r.head.runbook,
    status: r.status,
    started: r.startedAt,
    duration: ms === undefined || !Number.isFinite(ms) ? '' : formatTimeout(Math.max(0, ms)),
    steps: `${done}/${total}`,
    rehearsal: r.head.rehearsal,
  };
}

/**
 * Runs that can be resumed: stopped, failed, cancelled or interrupted (the
 * process died). Not one refused by its preconditions: they are not checked
 * again on resume, so such a run starts over instead.
 */
export const resumable = (r: RunRecord): boolean =>
  r.status !== 'done' && r.status !== 'running' && !(r.status === 'refused' && r.finished.size === 0 && r.unknown.length === 0);
