import type { Config, HostConfig, MysqlTarget } from '../config/schema.js';
import { OpsError } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import type { InputSpec, Runbook } from './schema.js';

/**
 * Typed runbook inputs: `--input k=v` text (or a form field) checked against
 * the runbook's declaration and the config's inventory, before step 1.
 */
export type InputValue = string | number | boolean;
export type InputValues = Record<string, InputValue>;

/** What the inventory offers: the config's hosts and MySQL targets (the sandbox supplies its own). */
export interface Inventory {
  hosts: Record<string, HostConfig>;
  mysql: Record<string, MysqlTarget>;
  /** sandbox only: what an input of each type defaults to when the runbook gives no default */
  defaults?: Partial<Record<InputSpec['type'], string>>;
}

/**
 * How a host's MySQL server is stopped and started: the inventory's
 * `hosts.NAME.mysqld`, else systemd's unit (Debian's mariadb, or mysql).
 * Both must return only when the server has stopped or started; a runbook
 * still confirms a stop by the server no longer answering (mysql waitDown).
 */
export const MYSQLD_DEFAULTS = { stop: 'systemctl stop mariadb || systemctl stop mysql', start: 'systemctl start mariadb || systemctl start mysql' } as const;

export function mysqldCommands(host: HostConfig): { stop: string; start: string } {
  return { stop: host.mysqld?.stop ?? MYSQLD_DEFAULTS.stop, start: host.mysqld?.start ?? MYSQLD_DEFAULTS.start };
}

export function inventoryOf(config: Config): Inventory {
  return { hosts: config.hosts, mysql: config.mysql };
}

const ID_PATTERNS: Partial<Record<InputSpec['type'], [RegExp, string]>> = {
  volume: [/^vol-[0-9a-f]{8,17}$/, 'an EBS volume id such as vol-0123456789abcdef0'],
  instance: [/^i-[0-9a-f]{8,17}$/, 'an EC2 instance id such as i-0123456789abcdef0'],
  group: [/^[\w.:/ -]{1,255}$/, 'an Auto Scaling group name'],
};

/** Why `raw` is not a valid value for the input, or its typed value. */
export function checkInput(name: string, spec: InputSpec, raw: string, inv: Inventory): { value: InputValue } | { problem: string } {
  switch (spec.type) {
    case 'host':
    case 'mysql': {
      // an optional one (the runbook's default is empty) may stay empty: its steps are off
      if (raw === '' && spec.default === '') return { value: '' };
      const pool = spec.type === 'host' ? inv.hosts : inv.mysql;
      if (pool[raw]) return { value: raw };
      const names = Object.keys(pool);
      const near = closest(raw, names);
      const where = spec.type === 'host' ? 'hosts:' : 'mysql:';
      if (names.length === 0) return { problem: `${name}: "${raw}" is not in the config's ${where} section, which is empty (add it there first)` };
      return { problem: `${name}: "${raw}" is not in the config's ${where} section${near ? ` (did you mean "${near}"?)` : ''}; known: ${names.join(', ')}` };
    }
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) return { problem: `${name}: expected a whole number, got "${raw}"` };
      const n = Number(raw);
      if (spec.min !== undefined && n < spec.min) return { problem: `${name}: at least ${spec.min}, got ${n}` };
      if (spec.max !== undefined && n > spec.max) return { problem: `${name}: at most ${spec.max}, got ${n}` };
      return { value: n };
    }
    case 'bool': {
      if (/^(true|yes|on|1)$/i.test(raw)) return { value: true };
      if (/^(false|no|off|0)$/i.test(raw)) return { value: false };
      return { problem: `${name}: expected true or false, got "${raw}"` };
    }
    case 'string': {
      if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(raw)) return { problem: `${name}: "${spec.secret ? '***' : raw}" does not match ${spec.pattern}` };
      return { value: raw };
    }
    default: {
      const rule = ID_PATTERNS[spec.type];
      if (rule && !rule[0].test(raw)) return { problem: `${name}: expected ${rule[1]}, got "${raw}"` };
      return { value: raw };
    }
  }
}

/** The default of an input: the runbook's, else (sandbox) the inventory's for that type. */
export function defaultOf(spec: InputSpec, inv: Inventory): string | undefined {
  if (spec.default !== undefined) return String(spec.default);
  if (inv.defaults === undefined) return undefined;
  // on the sandbox: the runbook's own choice of sandbox target, else the inventory's for the type
  return spec.sandbox ?? inv.defaults[spec.type];
}

/**
 * What is wrong with a value typed into a form, where an empty field means
 * "not given": required unless the runbook's own default is empty (an
 * optional string such as extra ssh options), as `resolveInputs` accepts it.
 */
export function formProblem(name: string, spec: InputSpec, value: string, inv: Inventory): string | undefined {
  if (value === '' && spec.default !== '') return 'required';
  const r = checkInput(name, spec, value, inv);
  return 'problem' in r ? r.problem : undefined;
}

/** Parse `k=v` strings (repeatable --input). */
export function parseInputArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new OpsError('USAGE', `--input ${a}: expected NAME=VALUE`, { hint: 'for example --input replica=db2' });
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

/** Every input resolved, or one error listing every problem (exit 2). */
export function resolveInputs(rb: Runbook, given: Record<string, string>, inv: Inventory): InputValues {
  const problems: string[] = [];
  const out: InputValues = {};
  for (const key of Object.keys(given)) {
    if (!rb.inputs[key]) {
      const near = closest(key, Object.keys(rb.inputs));
      problems.push(`${key}: ${rb.name} has no input "${key}"${near ? ` (did you mean "${near}"?)` : ''}`);
    }
  }
  for (const [name, spec] of Object.entries(rb.inputs)) {
    const raw = given[name] ?? defaultOf(spec, inv);
    if (raw === undefined) {
      problems.push(`${name}: required (${spec.type}): ${spec.help}`);
      continue;
    }
    const r = checkInput(name, spec, raw, inv);
    if ('problem' in r) problems.push(r.problem);
    else out[name] = r.value;
  }
  if (problems.length > 0) {
    throw new OpsError('USAGE', `${rb.name}: ${problems.length} input problem${problems.length === 1 ? '' : 's'}`, {
      details: problems,
      hint: `pass each as --input NAME=VALUE; \`opsdeck runbook show ${rb.name}\` lists the inputs`,
    });
  }
  return out;
}
