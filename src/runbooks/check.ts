import { ExprError, parseExpr, refsOf } from './expr.js';
import type { Runbook, StepSpec, VerifySpec } from './schema.js';
import { TemplateError, templateRefs } from './template.js';

/**
 * Checks zod cannot make: every `{{ }}` and condition names something that
 * exists at that point of the run, goto targets exist and point forward,
 * step ids are unique. Each problem carries the key path so the loader can
 * point at the line.
 */
export interface RefProblem {
  path: (string | number)[];
  message: string;
}

/** Fields of a typed input reachable as inputs.NAME.FIELD. */
export const INPUT_FIELDS: Record<string, readonly string[]> = {
  host: ['host', 'port', 'user', 'name', 'mysqldStop', 'mysqldStart'],
  mysql: ['host', 'port', 'user', 'password', 'name', 'sshHost'],
};

interface Scope {
  rb: Runbook;
  /** step id -> the outputs it captures, for the steps before the current one */
  earlier: Map<string, Set<string>>;
  /** captures of the probe being checked (expect: may use outputs.x, exit, stdout...) */
  probe: Set<string> | undefined;
}

function refProblem(path: string[], scope: Scope): string | undefined {
  const [head, a, b, c, ...rest] = path;
  const name = path.join('.');
  if (head === 'inputs') {
    if (a === undefined) return `{{ ${name} }} names no input`;
    const spec = scope.rb.inputs[a];
    if (!spec) return `${name}: no input "${a}" (inputs: ${Object.keys(scope.rb.inputs).join(', ') || 'none'})`;
    if (b === undefined) return undefined;
    const fields = INPUT_FIELDS[spec.type];
    if (!fields || !fields.includes(b) || c !== undefined) {
      return fields ? `${name}: a ${spec.type} input has ${fields.map((f) => `.${f}`).join(', ')}` : `${name}: a ${spec.type} input has no fields`;
    }
    return undefined;
  }
  if (head === 'steps') {
    if (a === undefined) return `${name} names no step`;
    const outs = scope.earlier.get(a);
    if (!outs) {
      const exists = scope.rb.steps.some((s) => s.id === a);
      return exists ? `${name}: step "${a}" runs later; only earlier steps' outputs exist here` : `${name}: no step "${a}"`;
    }
    if (b === 'status' && c === undefined) return undefined;
    if (b !== 'outputs' || c === undefined || rest.length > 0) return `${name}: use steps.${a}.outputs.NAME or steps.${a}.status`;
    if (!outs.has(c)) return `${name}: step "${a}" captures no "${c}" (it captures: ${[...outs].join(', ') || 'nothing'})`;
    return undefined;
  }
  if (head === 'run' && (a === 'id' || a === 'rehearsal') && b === undefined) return undefined;
  if (scope.probe) {
    if ((head === 'exit' || head === 'stdout' || head === 'stderr' || head === 'rows') && a === undefined) return undefined;
    if (head === 'outputs' && a !== undefined && b === undefined) {
      return scope.probe.has(a) ? undefined : `${name}: this probe captures no "${a}"`;
    }
    return `${name} names nothing: use inputs.*, steps.*.outputs.*, run.id, or this probe's exit, stdout, stderr, rows, outputs.*`;
  }
  return `${name} names nothing: use inputs.NAME, steps.ID.outputs.NAME, steps.ID.status or run.id`;
}

function checkText(text: string, path: (string | number)[], scope: Scope, out: RefProblem[]): void {
  try {
    for (const r of templateRefs(text)) {
      const p = refProblem(r.path, scope);
      if (p) out.push({ path, message: p });
    }
  } catch (e) {
    if (e instanceof TemplateError) out.push({ path, message: e.message });
    else throw e;
  }
}

function checkCondition(text: string, path: (string | number)[], scope: Scope, out: RefProblem[]): void {
  try {
    for (const r of refsOf(parseExpr(text))) {
      const p = refProblem(r.path, scope);
      if (p) out.push({ path, message: p });
    }
  } catch (e) {
    if (e instanceof ExprError) out.push({ path, message: `condition: ${e.message} (at character ${e.at + 1})` });
    else throw e;
  }
}

function checkRegexes(captures: Record<string, { regex?: string } | object>, path: (string | number)[], out: RefProblem[]): void {
  for (const [name, c] of Object.entries(captures)) {
    if ('regex' in c && typeof c.regex === 'string') {
      try {
        new RegExp(c.regex, 'm');
      } catch (e) {
        out.push({ path: [...path, name, 'regex'], message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
  }
}

/** The bytes are the first group: a regex without one would report the whole line as a number. */
function checkProgressRegex(regex: string, path: (string | number)[], out: RefProblem[]): void {
  let groups: number;
  try {
    new RegExp(regex);
    // its group count: an alternative of the empty string always matches and shows every group
    groups = (new RegExp(`(?:${regex})|`).exec('') ?? []).length - 1;
  } catch (e) {
    out.push({ path, message: `not a valid regular expression: ${(e as Error).message}` });
    return;
  }
  if (groups < 1) out.push({ path, message: 'needs a group ( ) around the bytes done, e.g. \'progress (\\d+)\'' });
}

function checkVerify(v: VerifySpec, path: (string | number)[], scope: Scope, out: RefProblem[]): void {
  const p = v.probe;
  for (const [k, val] of Object.entries(p)) {
    if (typeof val === 'string' && k !== 'kind') checkText(val, [...path, 'probe', k], scope, out);
  }
  if (p.kind === 'aws') for (const [k, val] of Object.entries(p.args)) checkText(val, [...path, 'probe', 'args', k], scope, out);
  checkRegexes(v.captures, [...path, 'captures'], out);
  if (v.expect !== undefined) checkCondition(v.expect, [...path, 'expect'], { ...scope, probe: new Set(Object.keys(v.captures)) }, out);
}

/** The text fields of a step that are templates (commands, statements, args...). */
function stepTexts(s: StepSpec): [(string | number)[], string][] {
  switch (s.kind) {
    case 'ssh':
      return [[['host'], s.host], [['command'], s.command], ...(s.progress ? [[['progress', 'sizeBytes'], s.progress.sizeBytes] as [(string | number)[], string]] : [])];
    case 'sql':
      return [[['target'], s.target], ...s.statements.map((t, i): [(string | number)[], string] => [['statements', i], t])];
    case 'mysql':
      return [[['target'], s.target], ...Object.entries(s.args).map(([k, v]): [(string | number)[], string] => [['args', k], v])];
    case 'stream':
      return [
        [['from', 'host'], s.from.host],
        [['from', 'command'], s.from.command],
        [['to', 'host'], s.to.host],
        [['to', 'command'], s.to.command],
        ...(s.sizeBytes === undefined ? [] : [[['sizeBytes'], s.sizeBytes] as [(string | number)[], string]]),
      ];
    case 'aws':
      return Object.entries(s.args).map(([k, v]): [(string | number)[], string] => [['args', k], v]);
    case 'haproxy':
      return [[['server'], s.server]];
    case 'manual':
      return [[['instruction'], s.instruction]];
    case 'wait':
    case 'check':
      return [];
  }
}

export function checkRunbook(rb: Runbook): RefProblem[] {
  const out: RefProblem[] = [];
  const ids = new Map<string, number>();
  rb.steps.forEach((s, i) => {
    const first = ids.get(s.id);
    if (first !== undefined) out.push({ path: ['steps', i, 'id'], message: `step id "${s.id}" is already used by step ${first + 1}` });
    else ids.set(s.id, i);
  });
  for (const [name, spec] of Object.entries(rb.inputs)) {
    if (spec.type === 'string' && spec.pattern !== undefined) {
      try {
        const re = new RegExp(spec.pattern);
        if (spec.default !== undefined && !re.test(spec.default)) out.push({ path: ['inputs', name, 'default'], message: `the default does not match the pattern ${spec.pattern}` });
      } catch (e) {
        out.push({ path: ['inputs', name, 'pattern'], message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
  }
  const scope: Scope = { rb, earlier: new Map(), probe: undefined };
  rb.preconditions.forEach((v, i) => checkVerify(v, ['preconditions', i], scope, out));
  rb.steps.forEach((s, i) => {
    const at = ['steps', i];
    if (s.when !== undefined) checkCondition(s.when, [...at, 'when'], scope, out);
    if (s.kind === 'sql' && s.statements.length === 0 && !(s.session && s.closeSession)) out.push({ path: [...at, 'statements'], message: 'at least one statement (only a step that closes a session may have none)' });
    for (const [p, text] of stepTexts(s)) checkText(text, [...at, ...p], scope, out);
    if (s.verify) checkVerify(s.verify, [...at, 'verify'], scope, out);
    if (s.kind === 'wait') checkVerify(s.until, [...at, 'until'], scope, out);
    if (s.kind === 'check') checkVerify(s.assert, [...at, 'assert'], scope, out);
    checkRegexes(s.captures, [...at, 'captures'], out);
    if (s.kind === 'ssh' && s.progress) checkProgressRegex(s.progress.bytesFrom.regex, [...at, 'progress', 'bytesFrom', 'regex'], out);
    if (typeof s.onFailure === 'object') {
      const target = ids.get(s.onFailure.goto);
      if (target === undefined) out.push({ path: [...at, 'onFailure', 'goto'], message: `goto "${s.onFailure.goto}": no such step` });
      else if (target <= i) out.push({ path: [...at, 'onFailure', 'goto'], message: `goto "${s.onFailure.goto}" points back to step ${target + 1}: that makes a loop; use retries to repeat a step` });
    }
    scope.earlier.set(s.id, new Set(Object.keys(s.captures)));
  });
  return out;
}
