/**
 * mkdir -p that always ends. Node's recursive mkdir spins forever under
 * /proc (TMPDIR=/proc made the sandbox a busy loop at 100% CPU); this walks
 * down from the deepest existing ancestor one plain mkdir at a time, so a
 * path that cannot be made fails at once with a message naming it.
 */
import { mkdirSync, promises as fsp, statSync } from 'node:fs';
import path from 'node:path';
import { OpsError } from './errors.js';

function cannot(dir: string, at: string, e: NodeJS.ErrnoException, what: string): OpsError {
  return new OpsError('IO', `cannot create ${what} ${dir}: ${e.code ?? e.message} at ${at}`, {
    hint: `${path.dirname(at)} must be a writable directory on a normal filesystem; for the sandbox and temp files set TMPDIR (e.g. TMPDIR=/tmp)`,
    cause: e,
  });
}

/** The directories from the first missing one down to `dir` (empty when it exists). */
function missing(dir: string): string[] {
  const out: string[] = [];
  let d = path.resolve(dir);
  for (;;) {
    try {
      if (statSync(d).isDirectory()) return out.reverse();
      throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    out.push(d);
    const up = path.dirname(d);
    if (up === d) return out.reverse();
    d = up;
  }
}

export function ensureDirSync(dir: string, opts: { mode?: number; what?: string } = {}): void {
  let todo: string[];
  try {
    todo = missing(dir);
  } catch (e) {
    throw cannot(dir, dir, e as NodeJS.ErrnoException, opts.what ?? 'directory');
  }
  for (const d of todo) {
    try {
      mkdirSync(d, opts.mode === undefined ? {} : { mode: opts.mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw cannot(dir, d, e as NodeJS.ErrnoException, opts.what ?? 'directory');
    }
  }
}

export async function ensureDir(dir: string, opts: { mode?: number; what?: string } = {}): Promise<void> {
  let todo: string[];
  try {
    todo = missing(dir);
  } catch (e) {
    throw cannot(dir, dir, e as NodeJS.ErrnoException, opts.what ?? 'directory');
  }
  for (const d of todo) {
    try {
      await fsp.mkdir(d, opts.mode === undefined ? {} : { mode: opts.mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw cannot(dir, d, e as NodeJS.ErrnoException, opts.what ?? 'directory');
    }
  }
}
