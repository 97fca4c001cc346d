import { parseDuration } from '../core/deadline.js';
import { OpsError } from '../core/errors.js';
import type { Value } from './expr.js';
import { INPUT_FIELDS } from './check.js';
import type { HostConfig } from '../config/schema.js';
import { mysqldCommands, type InputValues, type Inventory } from './inputs.js';
import type { ProbeSpec, Runbook, StepSpec, VerifySpec } from './schema.js';
import { renderPlain, renderShell, renderSql, type Resolved, type Resolver } from './template.js';

/**
 * A step with every template resolved: what the executor runs and what the
 * person sees (secrets masked). The dry run is this for every step, with
 * outputs of steps that have not run shown as <steps.id.outputs.name>.
 */
export type RenderedProbe =
  | { kind: 'ssh'; host: string; command: string }
  | { kind: 'mysql'; target: string; operation: string }
  | { kind: 'sql'; target: string; session: string | undefined; sql: string; values: string[] }
  | { kind: 'aws'; operation: string; args: Record<string, string> }
  | { kind: 'haproxy'; server: string };

export interface RenderedCheck {
  probe: RenderedProbe;
  captures: VerifySpec['captures'];
  expect: string | undefined;
}

export type Action =
  | { kind: 'ssh'; host: string; command: string; progress?: SshProgress }
  | { kind: 'sql'; target: string; session: string | undefined; closeSession: boolean; statements: { sql: string; values: string[] }[] }
  | { kind: 'stream'; from: { host: string; command: string }; to: { host: string; command: string }; sizeBytes: number | undefined }
  | { kind: 'aws'; operation: string; args: Record<string, string> }
  | { kind: 'mysql'; target: string; operation: string; args: Record<string, string> }
  | { kind: 'haproxy'; action: 'drain' | 'maint' | 'ready'; server: string }
  | { kind: 'wait'; until: RenderedCheck; intervalMs: number }
  | { kind: 'manual'; instruction: string }
  | { kind: 'check'; assert: RenderedCheck; message: string | undefined };

export interface Rendered {
  action: Action;
  /** the lines a person reads before it runs (secrets as ***) */
  shown: string[];
}

/** Values known so far: inputs, earlier steps' outputs and statuses, the run. */
export interface RunValues {
  inputs: InputValues;
  secretInputs: ReadonlySet<string>;
  outputs: Map<string, Record<string, string>>;
  statuses: Map<string, string>;
  runId: string;
  rehearsal: boolean;
}

/**
 * Resolve a reference; `planning` shows outputs of steps not yet run as placeholders.
 * `reveal` (a step about to run for real) turns a config password given as a secret
 * reference into the secret, so a shell command's MYSQL_PWD gets the password, not
 * the text ${env:NAME}; the value stays marked secret, shown and journaled as ***.
 */
export function makeResolver(rb: Runbook, inv: Inventory, v: RunValues, planning: boolean, reveal?: (keyPath: string, value: string) => string): Resolver {
  return (path: string[]): Resolved => {
    const [head, a = '', b, c] = path;
    if (head === 'inputs') {
      const spec = rb.inputs[a];
      const val = v.inputs[a];
      if (val === undefined) return { value: `<inputs.${a}>`, secret: false };
      const secret = v.secretInputs.has(a) || spec?.secret === true;
      if (b === undefined) return { value: String(val), secret };
      const entry = spec?.type === 'host' ? inv.hosts[String(val)] : spec?.type === 'mysql' ? inv.mysql[String(val)] : undefined;
      if (!entry || !INPUT_FIELDS[spec?.type ?? '']?.includes(b)) throw new OpsError('INTERNAL', `cannot resolve ${path.join('.')}`);
      if (b === 'name') return { value: String(val), secret: false };
      if (spec?.type === 'host' && (b === 'mysqldStop' || b === 'mysqldStart')) {
        const cmds = mysqldCommands(entry as HostConfig);
        return { value: b === 'mysqldStop' ? cmds.stop : cmds.start, secret: false };
      }
      const field = (entry as Record<string, unknown>)[b];
      const text = field === undefined ? '' : String(field);
      if (b === 'password') return { value: reveal && !planning && text !== '' ? reveal(`mysql.${String(val)}.password`, text) : text, secret: true };
      return { value: text, secret: false };
    }
    if (head === 'steps') {
      if (b === 'status') return { value: v.statuses.get(a) ?? (planning ? `<steps.${a}.status>` : 'pending'), secret: false };
      const out = v.outputs.get(a)?.[c ?? ''];
      if (out !== undefined) return { value: out, secret: false };
      if (planning) return { value: `<steps.${a}.outputs.${c ?? ''}>`, secret: false };
      throw new OpsError('VALIDATION_FAILED', `steps.${a}.outputs.${c ?? ''} has no value: step "${a}" did not capture it (skipped or failed?)`, {
        hint: 'a step that uses an output must only run after the step that captures it succeeded; add a `when:` on it',
      });
    }
    if (head === 'run') return { value: a === 'id' ? v.runId : String(v.rehearsal), secret: false };
    throw new OpsError('INTERNAL', `cannot resolve ${path.join('.')}`);
  };
}

/** Values for conditions: typed where the input is typed (int, bool), strings otherwise. */
export function conditionResolver(rb: Runbook, inv: Inventory, v: RunValues, probe?: ProbeResultView): (path: string[]) => Value {
  const text = makeResolver(rb, inv, v, false);
  return (path) => {
    const [head, a = ''] = path;
    if (probe) {
      if (head === 'exit') return probe.exit ?? undefined;
      if (head === 'stdout') return probe.stdout;
      if (head === 'stderr') return probe.stderr;
      if (head === 'rows') return probe.rows;
      if (head === 'outputs') return probe.outputs[a];
    }
    if (head === 'inputs' && path.length === 2) return v.inputs[a];
    if (head === 'steps' && path[2] === 'outputs' && v.outputs.get(a)?.[path[3] ?? ''] === undefined) return undefined;
    return text(path).value;
  };
}

export interface ProbeResultView {
  exit: number | null;
  stdout: string;
  stderr: string;
  rows: number;
  outputs: Record<string, string>;
}

/** A measured size, or none when the text is not a number (a dry run's placeholder). */
const sizeOf = (text: string): number | undefined => (/^\d+$/.test(text.trim()) ? Number(text) : undefined);

/** Where an ssh step's progress comes from (schema: `progress`). */
export interface SshProgress {
  total: number | undefined;
  regex: string;
  from: 'stdout' | 'stderr';
}

const q = (s: string): string => (s.includes(' ') ? JSON.stringify(s) : s);

function renderProbe(p: ProbeSpec, r: Resolver): { probe: RenderedProbe; shown: string } {
  switch (p.kind) {
    case 'ssh': {
      const host = renderPlain(p.host, r).value;
      const cmd = renderShell(p.command, r);
      return { probe: { kind: 'ssh', host, command: cmd.value }, shown: `${host}$ ${cmd.shown}` };
    }
    case 'sql': {
      const target = renderPlain(p.target, r).value;
      const s = renderSql(p.query, r);
      return { probe: { kind: 'sql', target, session: p.session, sql: s.sql, values: s.values }, shown: `${target}> ${s.shown}` };
    }
    case 'aws': {
      const args = Object.fromEntries(Object.entries(p.args).map(([k, v]) => [k, renderPlain(v, r).value]));
      return { probe: { kind: 'aws', operation: p.operation, args }, shown: `aws ${p.operation} ${Object.entries(args).map(([k, v]) => `${k}=${q(v)}`).join(' ')}`.trim() };
    }
    case 'haproxy': {
      const server = renderPlain(p.server, r).value;
      return { probe: { kind: 'haproxy', server }, shown: `haproxy show servers ${server}` };
    }
    case 'mysql': {
      const target = renderPlain(p.target, r).value;
      return { probe: { kind: 'mysql', target, operation: p.operation }, shown: `${target}> ${p.operation}` };
    }
  }
}

export function renderCheck(v: VerifySpec, r: Resolver, word: 'until' | 'expect' = 'until'): { check: RenderedCheck; shown: string } {
  const { probe, shown } = renderProbe(v.probe, r);
  return { check: { probe, captures: v.captures, expect: v.expect }, shown: `${shown}${v.expect ? `  ${word} ${v.expect}` : ''}` };
}

export function renderStep(s: StepSpec, r: Resolver): Rendered {
  switch (s.kind) {
    case 'ssh': {
      const host = renderPlain(s.host, r).value;
      const cmd = renderShell(s.command, r);
      if (!s.progress) return { action: { kind: 'ssh', host, command: cmd.value }, shown: [`${host}$ ${cmd.shown}`] };
      const total = sizeOf(renderPlain(s.progress.sizeBytes, r).value);
      const { regex, from } = s.progress.bytesFrom;
      const progress: SshProgress = { total, regex, from };
      const of = total === undefined ? 'no known total' : `of ${total} bytes`;
      return { action: { kind: 'ssh', host, command: cmd.value, progress }, shown: [`${host}$ ${cmd.shown}`, `  progress: ${from} lines matching /${regex}/ (${of})`] };
    }
    case 'sql': {
      const target = renderPlain(s.target, r).value;
      const stmts = s.statements.map((t) => renderSql(t, r));
      const session = s.session ? ` [session ${s.session}${s.closeSession ? ', closed after' : ''}]` : '';
      return {
        action: { kind: 'sql', target, session: s.session, closeSession: s.closeSession, statements: stmts.map(({ sql, values }) => ({ sql, values })) },
        shown: stmts.length === 0 ? [`${target}: forget session ${s.session ?? ''} (nothing is sent)`] : stmts.map((st, i) => `${target}> ${st.shown}${i === 0 ? session : ''}`),
      };
    }
    case 'mysql': {
      const target = renderPlain(s.target, r).value;
      const rendered = Object.entries(s.args).map(([k, v]) => [k, renderPlain(v, r)] as const);
      const args = Object.fromEntries(rendered.map(([k, v]) => [k, v.value]));
      const shownArgs = rendered.map(([k, v]) => `${k}=${q(v.shown)}`).join(' ');
      return { action: { kind: 'mysql', target, operation: s.operation, args }, shown: [`${target}> ${s.operation}${shownArgs ? ` ${shownArgs}` : ''} (in the server's own words)`] };
    }
    case 'stream': {
      const fromHost = renderPlain(s.from.host, r).value;
      const toHost = renderPlain(s.to.host, r).value;
      const from = renderShell(s.from.command, r);
      const to = renderShell(s.to.command, r);
      const size = s.sizeBytes === undefined ? undefined : sizeOf(renderPlain(s.sizeBytes, r).value);
      return {
        action: { kind: 'stream', from: { host: fromHost, command: from.value }, to: { host: toHost, command: to.value }, sizeBytes: size },
        shown: [`${fromHost}$ ${from.shown}`, `  | ${toHost}$ ${to.shown}`],
      };
    }
    case 'aws': {
      const args = Object.fromEntries(Object.entries(s.args).map(([k, v]) => [k, renderPlain(v, r).value]));
      return { action: { kind: 'aws', operation: s.operation, args }, shown: [`aws ${s.operation} ${Object.entries(args).map(([k, v]) => `${k}=${q(v)}`).join(' ')}`.trim()] };
    }
    case 'haproxy': {
      const server = renderPlain(s.server, r).value;
      return { action: { kind: 'haproxy', action: s.action, server }, shown: [`haproxy set server ${server === 'all' ? '(every server of the backend)' : server} state ${s.action}`] };
    }
    case 'wait': {
      const c = renderCheck(s.until, r);
      const intervalMs = parseDuration(s.interval, 'interval');
      return { action: { kind: 'wait', until: c.check, intervalMs }, shown: [`wait: ${c.shown} (every ${s.interval}${s.timeout ? `, at most ${s.timeout}` : ''})`] };
    }
    case 'manual': {
      const text = renderPlain(s.instruction, r);
      return { action: { kind: 'manual', instruction: text.value }, shown: text.shown.split('\n').map((l) => `☐ ${l}`) };
    }
    case 'check': {
      const c = renderCheck(s.assert, r, 'expect');
      return { action: { kind: 'check', assert: c.check, message: s.message }, shown: [`check: ${c.shown}${c.check.expect ? '' : '  (exit 0)'}`] };
    }
  }
}

/** The whole dry run: every step rendered, none skipped, outputs not yet known shown as placeholders. */
export function planSteps(rb: Runbook, inv: Inventory, v: RunValues): { step: StepSpec; rendered: Rendered | { error: string } }[] {
  const r = makeResolver(rb, inv, v, true);
  return rb.steps.map((step) => {
    try {
      return { step, rendered: renderStep(step, r) };
    } catch (e) {
      return { step, rendered: { error: e instanceof Error ? e.message : String(e) } };
    }
  });
}
