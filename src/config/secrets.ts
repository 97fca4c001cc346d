import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../core/errors.js';
import { redactDeep } from '../core/redact.js';

/**
 * Secret references: `${env:NAME}` and `${file:PATH}` inside string values.
 * The loaded config keeps the references; they are resolved only where a
 * secret is used, so the config object itself can be printed, planned and
 * logged without leaking anything.
 */
const REF = /\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface SecretRef {
  kind: 'env' | 'file';
  target: string;
  /** the reference as written, e.g. ${env:MYSQL_PASSWORD} */
  text: string;
}

/** The references in a string, or a reason it is malformed. */
export function parseSecretRefs(value: string): { refs: SecretRef[]; problem?: string } {
  const refs: SecretRef[] = [];
  for (const m of value.matchAll(REF)) {
    const body = m[1] ?? '';
    const colon = body.indexOf(':');
    const kind = colon < 0 ? body : body.slice(0, colon);
    const target = colon < 0 ? '' : body.slice(colon + 1);
    if (kind !== 'env' && kind !== 'file') {
      return { refs, problem: `unknown secret reference ${m[0]}: expected \${env:NAME} or \${file:PATH}` };
    }
    if (kind === 'env' && !ENV_NAME.test(target)) {
      return { refs, problem: `bad secret reference ${m[0]}: expected \${env:NAME} with a variable name` };
    }
    if (kind === 'file' && target === '') {
      return { refs, problem: `bad secret reference ${m[0]}: expected \${file:PATH} with a path` };
    }
    refs.push({ kind, target, text: m[0] });
  }
  return { refs };
}

export function hasSecretRef(value: unknown): boolean {
  return typeof value === 'string' && parseSecretRefs(value).refs.length > 0;
}

export interface ResolveOptions {
  /** the config key the value came from, named in errors (e.g. "mysql.primary.password") */
  keyPath?: string;
  env?: NodeJS.ProcessEnv;
  /** ${file:relative} resolves against this (the config file's directory); default cwd */
  baseDir?: string;
}

/** Where ${file:target} points: ~/ is the home directory, a relative path is taken from baseDir (the config's directory). */
export function secretFilePath(target: string, baseDir: string = process.cwd()): string {
  const p = target.startsWith('~/') ? path.join(os.homedir(), target.slice(2)) : target;
  return path.resolve(baseDir, p);
}

/**
 * Replace every reference in `value` with the secret it points at. Throws
 * SECRET_UNRESOLVED naming the key and the reference, never a value.
 */
export function resolveSecret(value: string, opts: ResolveOptions = {}): string {
  const env = opts.env ?? process.env;
  const where = opts.keyPath ? ` for ${opts.keyPath}` : '';
  const { refs, problem } = parseSecretRefs(value);
  if (problem) throw new OpsError('SECRET_UNRESOLVED', `${problem}${where}`);
  let out = value;
  for (const ref of refs) {
    let secret: string;
    if (ref.kind === 'env') {
      const v = env[ref.target];
      if (v === undefined || v === '') {
        throw new OpsError('SECRET_UNRESOLVED', `cannot resolve ${ref.text}${where}: environment variable ${ref.target} is not set`, {
          hint: `export ${ref.target}=... before running opsdeck`,
        });
      }
      secret = v;
    } else {
      const abs = secretFilePath(ref.target, opts.baseDir);
      try {
        // Secret files usually end with a newline that is not part of the secret.
        secret = readFileSync(abs, 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        throw new OpsError('SECRET_UNRESOLVED', `cannot resolve ${ref.text}${where}: cannot read ${abs} (${code})`, {
          hint: 'create the file (mode 0600) or fix the path in the config',
        });
      }
    }
    out = out.split(ref.text).join(secret);
  }
  return out;
}

/**
 * The usual call from a command: resolve a config value with ${file:relative}
 * taken from the config file's directory, e.g.
 * `resolveConfigSecret(ctx.configPath, 'mysql.primary.password', target.password)`.
 */
export function resolveConfigSecret(configPath: string | undefined, keyPath: string, value: string, env?: NodeJS.ProcessEnv): string {
  return resolveSecret(value, { keyPath, ...(env ? { env } : {}), ...(configPath ? { baseDir: path.dirname(configPath) } : {}) });
}

/** Every string holding a reference, with its key path and the unresolved text (never a secret). */
export function listSecretRefs(value: unknown, prefix = ''): { keyPath: string; refs: string[]; text: string }[] {
  const out: { keyPath: string; refs: string[]; text: string }[] = [];
  if (typeof value === 'string') {
    const { refs } = parseSecretRefs(value);
    if (refs.length) out.push({ keyPath: prefix, refs: refs.map((r) => r.text), text: value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...listSecretRefs(v, `${prefix}[${i}]`)));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...listSecretRefs(v, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}

/**
 * A copy safe to print: values under secret-looking keys are hidden unless
 * they are pure references (a reference says where a secret lives, not what it is).
 */
export function redact<T>(value: T): unknown {
  const onlyRefs = (v: unknown): boolean =>
    typeof v === 'string' && !parseSecretRefs(v).problem && v.includes('${') && v.replace(REF, '').trim() === '';
  return redactDeep(value, onlyRefs);
}
