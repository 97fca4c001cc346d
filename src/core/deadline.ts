/**
 * Nothing waits forever. Every remote call has a deadline of its own (the
 * AWS HTTP handler, SSH, MySQL: REMOTE_DEFAULTS), and every batch command
 * an overall one (`--timeout`), so a stalled proxy or a black-holed endpoint
 * ends a cron run with a message and exit 1 instead of holding its lock
 * until someone notices.
 */
import { OpsError } from './errors.js';

/**
 * One place for the per-call defaults, so the runbook steps, the database
 * checks and the webcam uploads inherit the same behaviour. AWS's follow the
 * AWS CLI (60 s to connect, 60 s without a byte read).
 */
export const REMOTE_DEFAULTS = {
  awsConnectTimeoutSeconds: 60,
  awsReadTimeoutSeconds: 60,
  sshReadyTimeoutMs: 20_000,
  /** a keepalive every 15 s, the connection dropped after 3 unanswered: a dead peer is noticed in ~60 s */
  sshKeepaliveIntervalMs: 15_000,
  sshKeepaliveCountMax: 3,
  mysqlConnectTimeoutMs: 10_000,
  /** a statement that says nothing else; runbook steps set their own */
  mysqlStatementTimeoutMs: 60_000,
  /** a TUI load (a pane's list, a plan) that takes longer shows an error panel with r to retry; --timeout sets it */
  tuiLoadTimeoutMs: 90_000,
} as const;

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

const UNITS: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR };

/** "90s", "5m", "2h", "1500ms", or plain seconds ("30"). Throws a usage error naming the flag. */
export function parseDuration(text: string, what = '--timeout'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  const value = m ? Number(m[1]) * (UNITS[(m[2] ?? 's').toLowerCase()] ?? 1000) : NaN;
  if (!Number.isFinite(value) || value <= 0) {
    throw new OpsError('USAGE', `${what} must be a positive duration such as 90s, 5m or 2h, not ${JSON.stringify(text)}`);
  }
  return Math.round(value);
}

/** 1500 -> "1.5s", 90000 -> "1m30s", 7200000 -> "2h". */
export function formatTimeout(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].join('') || '0s';
}

/** What a deadline throws: exit 1, and retrying later may well work. */
export function timeoutError(what: string, ms: number, hint: string): OpsError {
  return new OpsError('TIMEOUT', `${what} did not finish within ${formatTimeout(ms)}`, { hint, retryable: true });
}

export interface Deadline {
  readonly signal: AbortSignal;
  readonly ms: number;
  /** stop the timer (the work finished in time) */
  dispose(): void;
}

/**
 * A signal that aborts after `ms` with a TIMEOUT OpsError as its reason. The
 * timer is unref'd: a deadline alone never keeps the process alive.
 */
export function deadline(ms: number, what: string, hint: string): Deadline {
  const ac = new AbortController();
  // Infinity: no overall deadline (a watch loop); setTimeout would take it as 1 ms
  if (!Number.isFinite(ms)) return { signal: ac.signal, ms, dispose: () => {} };
  const timer = setTimeout(() => ac.abort(timeoutError(what, ms, hint)), ms);
  timer.unref?.();
  return { signal: ac.signal, ms, dispose: () => clearTimeout(timer) };
}

/** A signal that never aborts: the TUI's commands have no overall deadline, only per-call ones. */
export const NEVER: AbortSignal = new AbortController().signal;

/**
 * Settles with `work`, or rejects with the signal's reason once it aborts,
 * whichever comes first. For calls that cannot be told to stop (a socket
 * that never answers): the caller gets control back; the process exit
 * (batch) or the call's own timeout (TUI) ends the abandoned work.
 * `graceMs`: after the abort, how long `work` may still take to unwind (a
 * lock released in its finally) before it is abandoned; if it settles in
 * that time with a value, the value counts; a failure then reports the
 * signal's reason, which says why the work was stopped.
 */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal | undefined, graceMs = 0): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    function onAbort(): void {
      if (graceMs <= 0) return finish(() => reject(signal!.reason));
      const t = setTimeout(() => finish(() => reject(signal!.reason)), graceMs);
      t.unref?.();
    }
    work.then(
      (v) => finish(() => resolve(v)),
      // failing while it unwinds after the abort (a socket cut, a call timing out): the abort is the news
      (e: unknown) => finish(() => reject(signal.aborted ? signal.reason : e)),
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
