import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem, keyPosition, readYamlMapping, zodProblems } from '../config/problems.js';
import { OpsError } from '../core/errors.js';
import { xdgConfigHome } from '../core/paths.js';
import { closest } from '../core/suggest.js';
import { checkRunbook } from './check.js';
import { runbookSchema, type Runbook, type StepSpec } from './schema.js';

export interface LoadedRunbook {
  runbook: Runbook;
  file: string;
  /** 'shipped' (runbooks/ of the package) or 'user' ($XDG_CONFIG_HOME/opsdeck/runbooks) */
  origin: 'shipped' | 'user';
  /** sha256 of the file text: the journal records it */
  hash: string;
  /** one hash per step, so a resume can tell whether the steps still to run changed */
  stepHashes: string[];
  /** a shipped runbook this user file replaces */
  overrides: string | undefined;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Canonical JSON (sorted keys) of a parsed step: formatting and comments do not change it. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function stepHash(s: StepSpec): string {
  return sha(canonical(s)).slice(0, 16);
}

/** Parse and check runbook text; `file` is used in messages only. Throws exit-2 OpsError with every problem located. */
export function parseRunbook(text: string, file: string): Runbook {
  const { doc, lc, input, problems } = readYamlMapping(text, 'a mapping with name, title, description, inputs and steps');
  if (input) {
    const parsed = runbookSchema.safeParse(input);
    if (parsed.success) {
      for (const p of checkRunbook(parsed.data)) problems.push({ ...keyPosition(doc, lc, p.path.map(String)), keyPath: keyPathText(p.path), message: p.message });
      if (problems.length === 0) return parsed.data;
    } else {
      problems.push(...zodProblems(parsed.error.issues, doc, lc, input, runbookSchema).map((p) => ({ ...p, message: kindHint(p.message, p.keyPath) })));
    }
  }
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  throw new OpsError('USAGE', `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the runbook`, {
    details: problems.map((p) => formatProblem(file, p)),
    hint: 'fix the lines above, then run `opsdeck runbook show NAME` to check it',
  });
}

const KINDS = ['ssh', 'sql', 'mysql', 'stream', 'aws', 'haproxy', 'wait', 'manual', 'check'];
const INPUT_TYPES = ['host', 'mysql', 'volume', 'instance', 'group', 'string', 'int', 'bool'];

/** zod says "Invalid input" for an unknown discriminator; say what the choices are. */
function kindHint(message: string, keyPath: string): string {
  if (/^Invalid key in record/.test(message)) {
    const key = keyPath.split('.').pop() ?? keyPath;
    return `"${key}" is not a usable name: letters, digits, - and _, starting with a letter`;
  }
  if (!/^(invalid input|missing required key)/i.test(message) && !/discriminator/i.test(message)) return message;
  if (/\.kind$|^steps\[\d+\]$/.test(keyPath)) return `${message.replace(/, got.*$/, '')}: a step kind is one of ${KINDS.join(', ')}`;
  if (/^inputs\.[^.]+(\.type)?$/.test(keyPath)) return `${message.replace(/, got.*$/, '')}: an input type is one of ${INPUT_TYPES.join(', ')}`;
  return message;
}

function keyPathText(p: (string | number)[]): string {
  let out = '';
  for (const seg of p) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** The runbooks/ folder shipped with the package, found from this module's location (source or bundle). */
export function shippedRunbookDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"opsdeck"/.test(readFileSync(pkg, 'utf8'))) return path.join(dir, 'runbooks');
    dir = path.dirname(dir);
  }
  return path.resolve('runbooks');
}

export function userRunbookDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdgConfigHome(env), 'opsdeck', 'runbooks');
}

async function yamlFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new OpsError('IO', `cannot read runbook folder ${dir}: ${(e as Error).message}`);
  }
}

export async function loadRunbookFile(file: string, origin: LoadedRunbook['origin']): Promise<LoadedRunbook> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new OpsError('IO', `cannot read runbook ${file}: ${(e as Error).message}`);
  }
  const runbook = parseRunbook(text, file);
  const base = path.basename(file).replace(/\.ya?ml$/, '');
  if (base !== runbook.name) {
    throw new OpsError('USAGE', `${file}: the runbook is named "${runbook.name}" but the file is ${path.basename(file)}`, { hint: `rename the file to ${runbook.name}.yaml or the name to ${base}` });
  }
  return { runbook, file, origin, hash: sha(text), stepHashes: runbook.steps.map(stepHash), overrides: undefined };
}

export interface Catalog {
  runbooks: LoadedRunbook[];
  /** files that did not load: listed, not fatal, so one bad user file does not hide the rest */
  broken: { file: string; error: OpsError }[];
}

export interface CatalogOptions {
  env?: NodeJS.ProcessEnv;
  shippedDir?: string;
  userDir?: string;
}

/** Shipped runbooks, then the user's; a user file with the same name replaces the shipped one (and says so). */
export async function loadCatalog(opts: CatalogOptions = {}): Promise<Catalog> {
  const byName = new Map<string, LoadedRunbook>();
  const broken: Catalog['broken'] = [];
  const sources: [string, LoadedRunbook['origin']][] = [
    [opts.shippedDir ?? shippedRunbookDir(), 'shipped'],
    [opts.userDir ?? userRunbookDir(opts.env), 'user'],
  ];
  for (const [dir, origin] of sources) {
    for (const file of await yamlFiles(dir)) {
      try {
        const rb = await loadRunbookFile(file, origin);
        const prior = byName.get(rb.runbook.name);
        byName.set(rb.runbook.name, prior ? { ...rb, overrides: prior.file } : rb);
      } catch (e) {
        if (e instanceof OpsError) broken.push({ file, error: e });
        else throw e;
      }
    }
  }
  return { runbooks: [...byName.values()].sort((a, b) => a.runbook.name.localeCompare(b.runbook.name)), broken };
}

export function findRunbook(cat: Catalog, name: string): LoadedRunbook {
  const hit = cat.runbooks.find((r) => r.runbook.name === name);
  if (hit) return hit;
  const bad = cat.broken.find((b) => path.basename(b.file).replace(/\.ya?ml$/, '') === name);
  if (bad) throw bad.error;
  const near = closest(name, cat.runbooks.map((r) => r.runbook.name));
  throw new OpsError('USAGE', `no runbook "${name}"`, {
    hint: `${near ? `did you mean "${near}"? ` : ''}\`opsdeck runbook list\` shows them (${cat.runbooks.map((r) => r.runbook.name).join(', ') || 'none'})`,
  });
}
