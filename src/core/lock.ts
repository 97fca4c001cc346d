import { ensureDir } from '../core/dirs.js';
import { randomBytes } from 'node:crypto';
import { promises as fsp, readFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { raceSignal } from './deadline.js';
import { OpsError } from './errors.js';
import { xdgStateHome } from './paths.js';

/**
 * Lock files keep two runs of the same job (cron overlapping a person at the
 * TUI) from acting at once. A lock is a file created atomically; its content
 * says who holds it so a person can decide what to do.
 */
export interface LockOptions {
  /** directory for lock files; default $XDG_STATE_HOME/opsdeck/locks (see lockDir) */
  dir?: string;
  env?: NodeJS.ProcessEnv;
  /** told when a stale lock is taken over; default: a warning line on stderr */
  onWarning?: (message: string) => void;
  /** injectable for tests; default: signal 0 */
  isAlive?: (pid: number) => boolean;
  /** injectable for tests; default: /proc/sys/kernel/random/boot_id */
  bootId?: string;
  /**
   * withLock: the command's deadline. When it aborts, the lock is released and
   * withLock rejects with its reason even if fn is stuck on a socket, so the
   * next cron run is not refused because of a run that has given up.
   */
  signal?: AbortSignal;
}

export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time */
  started: string;
  /** random, so release() never removes a lock someone else took over */
  token: string;
  /** Linux boot id: a lock from before a reboot is stale even if its pid now belongs to another process */
  boot?: string;
}

export interface LockHandle {
  readonly path: string;
  readonly info: LockInfo;
  release(): Promise<void>;
}

const LOCK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Always $XDG_STATE_HOME/opsdeck/locks (~/.local/state fallback), never
 * $XDG_RUNTIME_DIR: cron runs without a login session, so it has no
 * XDG_RUNTIME_DIR while the person at the TUI has one. Two directories would
 * mean two locks and no exclusion between exactly the runs that collide.
 * Locks left by a reboot are stale (dead pid) and taken over.
 */
export function lockDir(opts: Pick<LockOptions, 'dir' | 'env'> = {}): string {
  if (opts.dir) return opts.dir;
  return path.join(xdgStateHome(opts.env ?? process.env), 'opsdeck', 'locks');
}

/** undefined where there is no /proc (macOS): then only the pid is checked. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function validateName(name: string): void {
  if (!LOCK_NAME.test(name) || name.includes('..')) {
    throw new OpsError('USAGE', `invalid lock name ${JSON.stringify(name)}`, {
      hint: 'lock names use letters, digits, ".", "_" and "-" (e.g. "haproxy-sync")',
      exitCode: 1,
    });
  }
}

async function readInfo(file: string): Promise<LockInfo | undefined> {
  try {
    const parsed = JSON.parse(await fsp.readFile(file, 'utf8')) as Partial<LockInfo>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      const info: LockInfo = { pid: parsed.pid, host: parsed.host, started: String(parsed.started ?? '?'), token: String(parsed.token ?? '') };
      if (typeof parsed.boot === 'string') info.boot = parsed.boot;
      return info;
    }
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable or garbage: not ours to judge; treat as held by an unknown owner.
    return { pid: -1, host: '?', started: '?', token: '' };
  }
}

/**
 * Publish the lock with link(2): the file appears complete or not at all, so
 * a reader never sees a half-written lock, and link fails with EEXIST exactly
 * like O_EXCL when another run got there first.
 */
async function tryCreate(file: string, info: LockInfo): Promise<boolean> {
  const tmp = `${file}.${info.token}.tmp`;
  await fsp.writeFile(tmp, JSON.stringify(info) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    await fsp.link(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await fsp.unlink(tmp).catch(() => {});
  }
}

/**
 * Remove a stale lock. Two runs may find the same stale lock; a short-lived
 * O_EXCL guard file makes only one of them remove it, after re-checking that
 * the file is still the stale one (and not a fresh lock a winner just made).
 */
async function takeOverStale(file: string, stale: LockInfo): Promise<void> {
  const guard = `${file}.takeover`;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(guard, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // Someone else is taking over right now; a guard older than a few seconds was left by a crash.
    const st = await fsp.stat(guard).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 5_000) await fsp.unlink(guard).catch(() => {});
    return;
  }
  try {
    const now = await readInfo(file);
    if (now && now.token === stale.token && now.pid === stale.pid) await fsp.unlink(file).catch(() => {});
  } finally {
    await handle.close();
    await fsp.unlink(guard).catch(() => {});
  }
}

export async function acquireLock(name: string, opts: LockOptions = {}): Promise<LockHandle> {
  validateName(name);
  const dir = lockDir(opts);
  await ensureDir(dir, { mode: 0o700, what: 'the lock directory' });
  const file = path.join(dir, `${name}.lock`);
  const host = os.hostname();
  const boot = opts.bootId !== undefined ? opts.bootId : bootId();
  const info: LockInfo = { pid: process.pid, host, started: new Date().toISOString(), token: randomBytes(8).toString('hex'), ...(boot ? { boot } : {}) };
  const isAlive = opts.isAlive ?? processAlive;

  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(file, info)) return makeHandle(file, info);
    const holder = await readInfo(file);
    if (!holder) continue; // released between our link and our read: try again
    // After a reboot the pid may belong to some other process by now: a cron job would then see "held" forever.
    const rebooted = boot !== undefined && holder.boot !== undefined && holder.boot !== boot;
    const stale = holder.host === host && holder.pid > 0 && (rebooted || !isAlive(holder.pid));
    if (!stale) {
      throw new OpsError('LOCK_HELD', `another run holds the lock "${name}": pid ${holder.pid} on ${holder.host}, since ${holder.started}`, {
        hint: `wait for it to finish; if that process is gone, remove ${file}`,
      });
    }
    const warn = opts.onWarning ?? ((m: string) => void process.stderr.write(`warning: ${m}\n`));
    warn(`taking over stale lock "${name}" left by pid ${holder.pid} (${rebooted ? 'before a reboot' : 'no longer running'}), started ${holder.started}`);
    await takeOverStale(file, holder);
  }
  throw new OpsError('LOCK_HELD', `could not take the lock "${name}": it keeps changing hands`, {
    hint: `another opsdeck run is racing for it; retry later or inspect ${file}`,
  });
}

function makeHandle(file: string, info: LockInfo): LockHandle {
  // A crash inside fn still runs 'exit' handlers for normal exits and signals
  // Node turns into exit; the stale-pid check covers the rest (kill -9).
  const onExit = (): void => {
    try {
      unlinkSync(file);
    } catch {
      /* already gone */
    }
  };
  process.once('exit', onExit);
  let released = false;
  return {
    path: file,
    info,
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      const now = await readInfo(file);
      if (now?.token === info.token) await fsp.unlink(file).catch(() => {});
    },
  };
}

/** Run fn holding the lock; the lock is released however fn ends. */
export async function withLock<T>(name: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  opts.signal?.throwIfAborted();
  const lock = await acquireLock(name, opts);
  try {
    return await raceSignal(fn(), opts.signal);
  } finally {
    await lock.release();
  }
}
