import type { Document, YAMLError } from 'yaml';
import { isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { SECRET_KEY } from '../core/redact.js';
import { closest } from '../core/suggest.js';
import { boundMessage } from './issues.js';

/**
 * Turn zod issues and YAML errors into one line per problem:
 * `file:line:column  key.path  what was expected`, pointing at the node in
 * the file so a person can jump straight to it.
 */
export interface Problem {
  line: number;
  col: number;
  keyPath: string;
  message: string;
}

export function formatProblem(file: string, p: Problem): string {
  return `${file}:${p.line}:${p.col}  ${p.keyPath}  ${p.message}`;
}

export function keyPathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(top level)';
}

type Range = [number, number, number] | undefined;
interface Ranged {
  range?: Range | null;
}

/**
 * The closest node that exists along `path`, and whether it is the node itself.
 * When it is not (a required key is missing), point at the key of the closest
 * existing parent ("db1:"), which is where the missing key belongs.
 */
function nodeAt(doc: Document, path: readonly PropertyKey[]): { node: Ranged | undefined; exact: boolean } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : (doc.getIn(path.slice(0, n) as unknown[], true) as unknown);
    if (node && typeof node === 'object' && 'range' in node) {
      const exact = n === path.length;
      const parentKey = !exact && n > 0 ? keyNode(doc, path.slice(0, n - 1), String(path[n - 1])) : undefined;
      return { node: parentKey ?? (node as Ranged), exact };
    }
  }
  return { node: undefined, exact: false };
}

/** The key node of `key` inside the map at `path` (for unknown keys: point at the key itself). */
function keyNode(doc: Document, path: readonly PropertyKey[], key: string): Ranged | undefined {
  const map = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  if (!isMap(map)) return undefined;
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && String(item.key.value) === key) return item.key as Ranged;
  }
  return undefined;
}

/**
 * The yaml library's wording is about its grammar ("compact mappings",
 * "implicit keys"); a person editing a config needs to hear "indentation".
 */
const YAML_WORDS: Record<string, string> = {
  TAB_AS_INDENT: 'a tab indents this line: YAML indents with spaces only',
  BAD_INDENT: 'indentation: the keys of one section must start at the same column',
  BLOCK_AS_IMPLICIT_KEY: 'this value runs into the next line, which is indented deeper: the keys of one section must start at the same column',
  MULTILINE_IMPLICIT_KEY: 'this value runs into the next line, which is indented deeper: the keys of one section must start at the same column',
  DUPLICATE_KEY: 'this key appears twice in the same section',
};

/** One problem per place: the parser often reports two errors for one mistake. */
export function yamlProblems(errors: readonly YAMLError[], lc: LineCounter): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const err of errors) {
    const pos = err.linePos?.[0] ?? lc.linePos(err.pos[0]);
    const where = `${pos.line}:${pos.col}`;
    if (seen.has(where)) continue;
    seen.add(where);
    const own = err.message.split('\n')[0] ?? err.message;
    const words = YAML_WORDS[err.code];
    const message = err.code === 'BAD_INDENT' && !own.startsWith('All mapping items') ? `${own} (check the indentation)` : (words ?? own);
    out.push({ line: pos.line, col: pos.col, keyPath: '(yaml syntax)', message });
  }
  return out;
}

function position(lc: LineCounter, node: Ranged | undefined): { line: number; col: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, col: 1 };
  return lc.linePos(offset);
}

/** What was found, for the message; under a secret-looking key only its kind (an unquoted numeric password must not reach cron mail). */
function describe(value: unknown, secret = false): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (secret) return `a ${typeof value} (value not shown: secret)`;
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 37) + '...' : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** Allowed keys of the object schema at `path`, walking zod 4 definitions; [] when unknown. */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  // zod's def shapes differ per type; a loose view keeps this walk small.
  type Def = { type?: string; innerType?: unknown; shape?: Record<string, unknown>; valueType?: unknown; element?: unknown; in?: unknown };
  const defOf = (s: unknown): Def => ((s as { _zod?: { def?: Def } })?._zod?.def ?? {}) as Def;
  const unwrap = (s: unknown): unknown => {
    for (let i = 0; i < 10; i++) {
      const d = defOf(s);
      if (d.innerType && ['default', 'optional', 'nullable', 'prefault', 'readonly', 'catch'].includes(d.type ?? '')) s = d.innerType;
      else if (d.type === 'pipe' && d.in) s = d.in;
      else break;
    }
    return s;
  };
  let cur: unknown = unwrap(schema);
  for (const seg of path) {
    const d = defOf(cur);
    if (d.type === 'object' && d.shape && typeof seg === 'string') cur = d.shape[seg];
    else if (d.type === 'record') cur = d.valueType;
    else if (d.type === 'array') cur = d.element;
    else return [];
    cur = unwrap(cur);
  }
  const d = defOf(cur);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  if (allowed.length === 0) return `unknown key "${key}"`;
  const near = closest(key, allowed);
  const guess = near ? `did you mean "${near}"? ` : '';
  return `unknown key "${key}": ${guess}expected one of ${allowed.join(', ')}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

export function zodProblems(
  issues: readonly z.core.$ZodIssue[],
  doc: Document,
  lc: LineCounter,
  input: unknown,
  schema: z.ZodType,
): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, path);
      for (const key of issue.keys) {
        out.push({ ...position(lc, keyNode(doc, path, key) ?? nodeAt(doc, path).node), keyPath: keyPathOf([...path, key]), message: unknownKeyMessage(key, allowed) });
      }
      continue;
    }
    const { node, exact } = nodeAt(doc, path);
    const actual = valueAt(input, path);
    const secret = path.some((seg) => typeof seg === 'string' && SECRET_KEY.test(seg));
    const got = describe(actual, secret);
    let message: string;
    if (!exact || actual === undefined) {
      const expected = issue.code === 'invalid_type' ? `: expected ${issue.expected}` : '';
      message = `missing required key${expected}`;
    } else if (issue.code === 'invalid_type') {
      // "region eu-west-1" where a section was expected: the colon after a key is missing.
      const colon = issue.expected === 'object' && typeof actual === 'string' && /^[\w-]+ \S/.test(actual) ? ` (a missing ":" after "${actual.split(' ')[0]}"?)` : '';
      message = `expected ${issue.expected}, got ${got}${colon}`;
    } else if (issue.code === 'invalid_value') {
      message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, got ${got}`;
    } else if (issue.code === 'too_small' || issue.code === 'too_big') {
      // the kind is right, only the size is not: the value alone reads better ("got -1")
      message = `${boundMessage(issue)}, got ${secret ? got : JSON.stringify(actual)}`;
    } else if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
      message = `expected one of ${(issue.options as unknown[]).map((v) => JSON.stringify(v)).join(' | ')}, got ${got}`;
    } else {
      message = `${issue.message.replace(/^Invalid input: /, '')}, got ${got}`;
    }
    out.push({ ...position(lc, node), keyPath: keyPathOf(path), message });
  }
  return out;
}

/** Problems for malformed secret references, found by walking the parsed value. */
export function refProblems(
  value: unknown,
  doc: Document,
  lc: LineCounter,
  check: (s: string) => string | undefined,
  path: PropertyKey[] = [],
): Problem[] {
  if (typeof value === 'string') {
    const problem = check(value);
    return problem ? [{ ...position(lc, nodeAt(doc, path).node), keyPath: keyPathOf(path), message: problem }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => refProblems(v, doc, lc, check, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => refProblems(v, doc, lc, check, [...path, k]));
  }
  return [];
}

/** line:col of the key at `path` (its last segment), or of the deepest part of the path that exists. */
export function keyPosition(doc: Document, lc: LineCounter, path: readonly string[]): { line: number; col: number } {
  const parent = path.slice(0, -1);
  const last = path[path.length - 1];
  return position(lc, (last !== undefined ? keyNode(doc, parent, last) : undefined) ?? nodeAt(doc, path).node);
}

/**
 * YAML text parsed to a top-level mapping, with located problems for bad
 * syntax or a top level that is not a mapping (`expected` says what should
 * be there). Shared by the config and runbook loaders.
 */
export function readYamlMapping(text: string, expected: string): { doc: Document; lc: LineCounter; input: object | undefined; problems: Problem[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const problems: Problem[] = yamlProblems(doc.errors, lc);
  if (problems.length > 0) return { doc, lc, input: undefined, problems };
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    problems.push({ line: 1, col: 1, keyPath: '(yaml)', message: e instanceof Error ? e.message : String(e) });
    return { doc, lc, input: undefined, problems };
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    problems.push({ line: 1, col: 1, keyPath: '(top level)', message: `expected ${expected}` });
    return { doc, lc, input: undefined, problems };
  }
  return { doc, lc, input, problems };
}
