/**
 * The condition language of `when:` and `expect:`: comparisons joined by
 * and/or/not over references (`inputs.mode`, `steps.status.outputs.io`,
 * `exit`) and literals. Small on purpose: a runbook that needs more logic than
 * this is a program, and a program at 3 a.m. is what runbooks replace.
 *
 *   steps.status.outputs.io == 'Yes' and not inputs.skip_dump
 *   exit == 0 and outputs.behind < 5
 */

export type Value = string | number | boolean | undefined;

export type Expr =
  | { kind: 'lit'; value: string | number | boolean }
  | { kind: 'ref'; path: string[]; at: number }
  | { kind: 'not'; arg: Expr }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'cmp'; op: CmpOp; left: Expr; right: Expr };

type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'matches';

export class ExprError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

interface Token {
  t: 'str' | 'num' | 'word' | 'op' | 'paren';
  v: string;
  at: number;
}

const TOKEN = /\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)\b|([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)|(==|!=|<=|>=|<|>)|([()]))/y;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new ExprError(`cannot read ${JSON.stringify(src.slice(pos).trim().slice(0, 20))}`, pos);
    const at = m.index + (m[0].length - m[0].trimStart().length);
    if (m[1] !== undefined) out.push({ t: 'str', v: m[1].slice(1, -1).replace(/\\(.)/g, '$1'), at });
    else if (m[2] !== undefined) out.push({ t: 'num', v: m[2], at });
    else if (m[3] !== undefined) out.push({ t: 'word', v: m[3], at });
    else if (m[4] !== undefined) out.push({ t: 'op', v: m[4], at });
    else if (m[5] !== undefined) out.push({ t: 'paren', v: m[5], at });
    pos = TOKEN.lastIndex;
  }
  return out;
}

export function parseExpr(src: string): Expr {
  const toks = tokenize(src);
  let i = 0;
  const peek = (): Token | undefined => toks[i];
  const isWord = (w: string): boolean => peek()?.t === 'word' && peek()?.v === w;
  const end = src.length;

  function primary(): Expr {
    const tok = toks[i++];
    if (!tok) throw new ExprError('the condition ends where a value was expected', end);
    if (tok.t === 'str') return { kind: 'lit', value: tok.v };
    if (tok.t === 'num') return { kind: 'lit', value: Number(tok.v) };
    if (tok.t === 'paren' && tok.v === '(') {
      const e = or();
      const close = toks[i++];
      if (close?.v !== ')') throw new ExprError('a "(" is not closed', close?.at ?? end);
      return e;
    }
    if (tok.t === 'word') {
      if (tok.v === 'true' || tok.v === 'false') return { kind: 'lit', value: tok.v === 'true' };
      if (['and', 'or', 'not', 'matches'].includes(tok.v)) throw new ExprError(`"${tok.v}" where a value was expected`, tok.at);
      return { kind: 'ref', path: tok.v.split('.'), at: tok.at };
    }
    throw new ExprError(`"${tok.v}" where a value was expected`, tok.at);
  }
  function cmp(): Expr {
    const left = primary();
    const tok = peek();
    if (tok && (tok.t === 'op' || (tok.t === 'word' && tok.v === 'matches'))) {
      i++;
      return { kind: 'cmp', op: tok.v as CmpOp, left, right: primary() };
    }
    return left;
  }
  function not(): Expr {
    if (isWord('not')) {
      i++;
      return { kind: 'not', arg: not() };
    }
    return cmp();
  }
  function and(): Expr {
    let left = not();
    while (isWord('and')) {
      i++;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  }
  function or(): Expr {
    let left = and();
    while (isWord('or')) {
      i++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }
  const e = or();
  const rest = peek();
  if (rest) throw new ExprError(`unexpected "${rest.v}" (join conditions with and / or)`, rest.at);
  return e;
}

/** Every reference in the expression, for checking that each names something. */
export function refsOf(e: Expr): { path: string[]; at: number }[] {
  switch (e.kind) {
    case 'lit':
      return [];
    case 'ref':
      return [{ path: e.path, at: e.at }];
    case 'not':
      return refsOf(e.arg);
    default:
      return [...refsOf(e.left), ...refsOf(e.right)];
  }
}

export function truthy(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v === undefined) return false;
  return v !== '' && !/^(false|no|off|0)$/i.test(v);
}

function numeric(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

function compare(op: CmpOp, a: Value, b: Value): boolean {
  if (op === 'matches') return new RegExp(String(b ?? '')).test(String(a ?? ''));
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) {
    return op === '==' ? na === nb : op === '!=' ? na !== nb : op === '<' ? na < nb : op === '<=' ? na <= nb : op === '>' ? na > nb : na >= nb;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const eq = truthy(a) === truthy(b);
    if (op === '==') return eq;
    if (op === '!=') return !eq;
  }
  const sa = String(a ?? '');
  const sb = String(b ?? '');
  return op === '==' ? sa === sb : op === '!=' ? sa !== sb : op === '<' ? sa < sb : op === '<=' ? sa <= sb : op === '>' ? sa > sb : sa >= sb;
}

function value(e: Expr, resolve: (path: string[]) => Value): Value {
  switch (e.kind) {
    case 'lit':
      return e.value;
    case 'ref':
      return resolve(e.path);
    default:
      return evalExpr(e, resolve);
  }
}

export function evalExpr(e: Expr, resolve: (path: string[]) => Value): boolean {
  switch (e.kind) {
    case 'lit':
    case 'ref':
      return truthy(value(e, resolve));
    case 'not':
      return !evalExpr(e.arg, resolve);
    case 'and':
      return evalExpr(e.left, resolve) && evalExpr(e.right, resolve);
    case 'or':
      return evalExpr(e.left, resolve) || evalExpr(e.right, resolve);
    case 'cmp':
      return compare(e.op, value(e.left, resolve), value(e.right, resolve));
  }
}
