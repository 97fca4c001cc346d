import { ensureDir } from '../core/dirs.js';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { xdgStateHome } from './paths.js';
import { redactDeep } from './redact.js';

/**
 * Audit log: one JSON line per applied mutation under $XDG_STATE_HOME/opsdeck/audit.log
 * (DESIGN.md principle 4).
 */
export interface AuditEntry {
  /** e.g. "haproxy.sync", "snapshots.delete" */
  action: string;
  /** what was acted on: a backend, a snapshot id */
  target: string;
  result: 'ok' | 'failed' | 'skipped' | (string & {});
  /** small, secret-free details */
  details?: Record<string, unknown>;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
}

/** What one line of audit.log holds. */
export interface AuditRecord {
  ts: string;
  user: string;
  host: string;
  pid: number;
  action: string;
  target: string;
  result: string;
  details: Record<string, unknown>;
}

export interface AuditOptions {
  /** default $XDG_STATE_HOME/opsdeck/audit.log (~/.local/state fallback) */
  path?: string;
  user?: string;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
}

export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdgStateHome(env), 'opsdeck', 'audit.log');
}

/** The person behind the run: under sudo, the one who typed sudo. */
function whoAmI(env: NodeJS.ProcessEnv): string {
  if (env.SUDO_USER) return env.SUDO_USER;
  try {
    return os.userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? 'unknown';
  }
}

function toRecord(entry: AuditEntry, user: string, clock: Clock): AuditRecord {
  return {
    ts: clock.now().toISOString(),
    user,
    host: os.hostname(),
    pid: process.pid,
    action: entry.action,
    target: entry.target,
    result: entry.result,
    details: (redactDeep(entry.details ?? {}) as Record<string, unknown>),
  };
}

export function openAuditLog(opts: AuditOptions = {}): AuditLog & { readonly path: string } {
  const env = opts.env ?? process.env;
  const file = opts.path ?? defaultAuditPath(env);
  const user = opts.user ?? whoAmI(env);
  const clock = opts.clock ?? systemClock;
  return {
    path: file,
    async append(entry) {
      const line = Buffer.from(JSON.stringify(toRecord(entry, user, clock)) + '\n', 'utf8');
      await ensureDir(path.dirname(file), { mode: 0o700, what: 'the audit log directory' });
      // O_APPEND: every write lands at the end atomically, so concurrent runs
      // (cron + a person) never interleave or overwrite each other's lines.
      const fh = await fsp.open(file, 'a', 0o600);
      try {
        let off = 0;
        while (off < line.length) off += (await fh.write(line, off)).bytesWritten;
      } finally {
        await fh.close();
      }
    },
  };
}

/** For tests: same records as the file log, kept in memory. */
export function memoryAuditLog(opts: { user?: string; clock?: Clock } = {}): AuditLog & { entries: AuditRecord[] } {
  const entries: AuditRecord[] = [];
  return {
    entries,
    async append(entry) {
      entries.push(toRecord(entry, opts.user ?? 'test', opts.clock ?? systemClock));
    },
  };
}
