import { OpsError } from '../core/errors.js';
import { shellQuote } from '../core/shell.js';

/**
 * `{{ inputs.x }}` / `{{ steps.id.outputs.y }}` in runbook text. The author
 * never quotes: the engine decides how a value reaches its destination.
 *   shell: each value becomes exactly one shell word (shellQuote);
 *   sql:   each value becomes a `?` placeholder, or with `| identifier` a
 *          checked, back-quoted name (a database or table);
 *   plain: the value as is, for places that are not interpreted (a host
 *          name looked up in the config, an AWS argument, an instruction).
 */

export type Part = { lit: string } | { ref: string[]; filter: 'identifier' | 'int' | undefined; at: number };

const OPEN = '{{';
const REF = /^\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*(?:\|\s*([A-Za-z]+)\s*)?$/;

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

export function parseTemplate(text: string): Part[] {
  const parts: Part[] = [];
  let pos = 0;
  while (pos < text.length) {
    const open = text.indexOf(OPEN, pos);
    if (open < 0) {
      parts.push({ lit: text.slice(pos) });
      break;
    }
    if (open > pos) parts.push({ lit: text.slice(pos, open) });
    const close = text.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError('"{{" is not closed with "}}"', open);
    const inner = text.slice(open + 2, close);
    const m = REF.exec(inner);
    if (!m?.[1]) throw new TemplateError(`{{${inner}}} is not a reference such as {{ inputs.name }} or {{ steps.id.outputs.name }}`, open);
    const filter = m[2];
    if (filter !== undefined && filter !== 'identifier' && filter !== 'int') throw new TemplateError(`unknown filter "| ${filter}" (there are "| identifier", for SQL names, and "| int", for numbers)`, open);
    parts.push({ ref: m[1].split('.'), filter: filter as 'identifier' | 'int' | undefined, at: open });
    pos = close + 2;
  }
  return parts;
}

export function templateRefs(text: string): { path: string[]; at: number }[] {
  return parseTemplate(text).flatMap((p) => ('ref' in p ? [{ path: p.ref, at: p.at }] : []));
}

/** A resolved reference: its value and whether it must be masked on screen and in the journal. */
export interface Resolved {
  value: string;
  secret: boolean;
}
export type Resolver = (path: string[]) => Resolved;

const MASK = '***';

/** `| int`: the value must be a whole number; it is then written as is (SQL needs MASTER_PORT=3306, not '3306'). */
function checkedInt(p: Extract<Part, { ref: string[] }>, value: string): string {
  if (!/^-?\d{1,18}$/.test(value.trim())) {
    throw new OpsError('VALIDATION_FAILED', `${p.ref.join('.')} = ${JSON.stringify(value)} is not a whole number`, { hint: 'the runbook asks for a number here (| int)' });
  }
  return value.trim();
}

function render(text: string, resolve: Resolver, quote: (v: string) => string): { value: string; shown: string } {
  let value = '';
  let shown = '';
  for (const p of parseTemplate(text)) {
    if ('lit' in p) {
      value += p.lit;
      shown += p.lit;
    } else {
      const r = resolve(p.ref);
      const q = p.filter === 'int' ? checkedInt(p, r.value) : quote(r.value);
      value += q;
      shown += r.secret ? MASK : q;
    }
  }
  return { value, shown };
}

/** Text for plain destinations, and its on-screen form with secrets masked. */
export const renderPlain = (text: string, resolve: Resolver): { value: string; shown: string } => render(text, resolve, (v) => v);

/** A command line for a POSIX shell: every interpolated value is one quoted word. */
export const renderShell = (text: string, resolve: Resolver): { value: string; shown: string } => render(text, resolve, shellQuote);

const IDENT = /^[A-Za-z0-9_$]{1,64}$/;

/** SQL with values as placeholders; the shown form has the values inline for reading, secrets masked. */
export function renderSql(text: string, resolve: Resolver): { sql: string; values: string[]; shown: string } {
  let sql = '';
  let shown = '';
  const values: string[] = [];
  for (const p of parseTemplate(text)) {
    if ('lit' in p) {
      sql += p.lit;
      shown += p.lit;
      continue;
    }
    const r = resolve(p.ref);
    if (p.filter === 'int') {
      const n = checkedInt(p, r.value);
      sql += n;
      shown += r.secret ? MASK : n;
    } else if (p.filter === 'identifier') {
      if (!IDENT.test(r.value)) {
        throw new OpsError('VALIDATION_FAILED', `${p.ref.join('.')} = ${JSON.stringify(r.value)} is not a plain SQL name`, {
          hint: 'a database or table name here may use letters, digits, _ and $ only',
        });
      }
      sql += `\`${r.value}\``;
      shown += `\`${r.value}\``;
    } else {
      sql += '?';
      values.push(r.value);
      shown += r.secret ? MASK : `'${r.value.replace(/'/g, "''")}'`;
    }
  }
  return { sql, values, shown };
}
