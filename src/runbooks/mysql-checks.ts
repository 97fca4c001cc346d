import { compareData, describeRange } from '../database/checksum.js';
import { parseDuration } from '../core/deadline.js';
import { OpsError } from '../core/errors.js';
import type { MysqlConnection } from '../mysql/connection.js';
import { emptyResult, type StepIO, type StepResult } from './executors.js';

/**
 * The runbook `mysql` operations that are not one statement: is the server
 * there at all (a stop is confirmed by it no longer answering, before its
 * files are touched), and is its data another server's (per-table checksums,
 * src/database/checksum.ts). They take a way to connect rather than a
 * connection, because "cannot connect" is their answer, not their failure.
 */
export type Connect = () => Promise<MysqlConnection>;

/**
 * Only a refused or dropped connection means the server is down. A timeout
 * is not: a host under load answers slowly, and copying the files of an
 * InnoDB that is still running is the one mistake this guards against.
 */
const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'PROTOCOL_CONNECTION_LOST', 'EPIPE']);

const codeOf = (e: unknown): string | undefined => {
  const direct = (e as { code?: unknown }).code;
  if (typeof direct === 'string' && !(e instanceof OpsError)) return direct;
  const cause = (e as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
};

export type Liveness = { alive: true } | { alive: false } | { alive: undefined; why: string };

export async function liveness(connect: Connect): Promise<Liveness> {
  let conn: MysqlConnection | undefined;
  try {
    conn = await connect();
    await conn.query({ sql: 'SELECT 1', timeout: 10_000 });
    return { alive: true };
  } catch (e) {
    const code = codeOf(e);
    if (code !== undefined && DOWN_CODES.has(code)) return { alive: false };
    // "server shutdown in progress", a wrong password, a full server: someone answered
    if (code?.startsWith('ER_')) return { alive: true };
    return { alive: undefined, why: e instanceof Error ? e.message : String(e) };
  } finally {
    conn?.destroy();
  }
}

export interface WaitDeps {
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  intervalMs?: number;
}

/** Poll until the server is (not) answering; the step's deadline (io.signal) ends a wait that never gets there. */
export async function waitForState(connect: Connect, want: 'up' | 'down', io: StepIO, deps: WaitDeps): Promise<StepResult> {
  const t0 = Date.now();
  for (let attempt = 1; ; attempt++) {
    io.signal.throwIfAborted();
    const l = await liveness(connect);
    const there = l.alive === true ? 'answers' : l.alive === false ? 'does not answer' : `cannot tell (${l.why})`;
    io.progress({ phase: 'waiting', done: attempt, total: undefined, detail: `the server ${there}` });
    if ((want === 'down' && l.alive === false) || (want === 'up' && l.alive === true)) {
      const text = `the server ${there} (after ${attempt} check${attempt === 1 ? '' : 's'}, ${((Date.now() - t0) / 1000).toFixed(1)}s)\n`;
      return emptyResult({ stdout: text, fields: { alive: l.alive, checks: attempt } });
    }
    await deps.sleep(deps.intervalMs ?? 500, io.signal);
  }
}

/**
 * Per-table checksums of `source` against `other`; a difference that stays
 * after the replica had time to apply what was in flight fails the step and
 * names each table (and key range).
 */
export async function checksumsEqual(source: MysqlConnection, other: MysqlConnection, names: { source: string; other: string }, io: StepIO, deps: WaitDeps): Promise<StepResult> {
  const report = await compareData(source, other, {
    signal: io.signal,
    settle: () => deps.sleep(2_000, io.signal),
    onProgress: (done, total, table) => io.progress({ phase: 'checksums', done, total, detail: table }),
  });
  const head = `${report.tables} table${report.tables === 1 ? '' : 's'}, ${report.chunks} chunk${report.chunks === 1 ? '' : 's'} compared; longest statement on ${names.source} ${report.longestSourceMs} ms\n`;
  const lines = report.mismatches.map((m) => `${m.table}${m.range ? ` (${describeRange(m)})` : ''}: ${names.source} ${m.source}, ${names.other} ${m.replica}\n`);
  const fields = { tables: report.tables, chunks: report.chunks, mismatches: report.mismatches.length, longestSourceMs: report.longestSourceMs };
  if (report.mismatches.length > 0) {
    // the step fails before its output is shown: show what differs first
    io.output('stdout', head + lines.join(''));
    const tables = [...new Set(report.mismatches.map((m) => m.table))];
    throw new OpsError('VALIDATION_FAILED', `data differs between ${names.source} and ${names.other} in ${tables.join(', ')}`, {
      hint: 'the step output names each table and key range; compare those rows on both servers',
    });
  }
  return emptyResult({ stdout: head, fields });
}

/** One look at a replica: the `replicaStatus` operation's fields. */
export interface ReplicaSample {
  io: string;
  sql: string;
  /** seconds behind; undefined when the server says NULL (not connected, or no relay log to apply) */
  behind: number | undefined;
  lastError: string;
}

export const sampleOf = (fields: Record<string, unknown>): ReplicaSample => {
  const b = fields['behind'];
  const n = typeof b === 'number' ? b : typeof b === 'string' && /^\d+$/.test(b) ? Number(b) : undefined;
  return { io: String(fields['io'] ?? 'No'), sql: String(fields['sql'] ?? 'No'), behind: n, lastError: String(fields['lastError'] ?? '') };
};

const healthy = (s: ReplicaSample): boolean => s.io === 'Yes' && s.sql === 'Yes' && s.lastError === '' && s.behind !== undefined;

/**
 * Is the replica replicating: both threads running, no error, and its lag
 * 0 or falling over the last `samples` checks (never rising between two of
 * them, lower at the end than at the start). Exactly 0 is not required: a
 * replica of a busy primary may sit a few seconds behind for a long time
 * while it applies everything, and timing out then would roll back a good
 * rebuild; one whose lag holds or grows is not keeping up and never passes.
 */
export function replicationVerdict(history: readonly ReplicaSample[], samples: number): { ok: boolean; why: string } {
  const last = history[history.length - 1];
  if (!last) return { ok: false, why: 'not checked yet' };
  if (last.io !== 'Yes' || last.sql !== 'Yes') return { ok: false, why: `io=${last.io} sql=${last.sql}${last.lastError ? ` error: ${last.lastError}` : ''}` };
  if (last.lastError !== '') return { ok: false, why: `error: ${last.lastError}` };
  if (last.behind === undefined) return { ok: false, why: 'lag unknown (NULL)' };
  if (last.behind === 0) return { ok: true, why: 'caught up (lag 0 s)' };
  const window = history.slice(-Math.max(2, samples));
  const lags = window.map((s) => (healthy(s) ? (s.behind as number) : undefined));
  const seen = lags.map((l) => (l === undefined ? '?' : String(l))).join(' → ');
  if (window.length < Math.max(2, samples) || lags.includes(undefined)) return { ok: false, why: `lag ${last.behind} s (${seen}), waiting for ${Math.max(2, samples)} healthy checks in a row` };
  const falling = lags.every((l, i) => i === 0 || (l as number) <= (lags[i - 1] as number)) && (lags[lags.length - 1] as number) < (lags[0] as number);
  return falling ? { ok: true, why: `lag falling: ${seen} s over ${lags.length} checks` } : { ok: false, why: `lag ${last.behind} s, not falling (${seen})` };
}

/** A waitReplicating step's args: how many checks the lag must fall over, and how often to look. */
export function replicatingArgs(args: Record<string, string>): { samples: number; intervalMs: number } {
  const samples = Number(args['samples'] ?? '3');
  if (!Number.isInteger(samples) || samples < 2 || samples > 100) throw new OpsError('USAGE', `mysql waitReplicating: samples must be a whole number 2-100, got ${args['samples']}`);
  return { samples, intervalMs: parseDuration(args['interval'] ?? '2s', 'mysql waitReplicating interval') };
}

/** Poll the replica until `replicationVerdict` passes; the step's deadline (io.signal) ends a wait that never gets there. */
export async function waitReplicating(status: () => Promise<ReplicaSample>, io: StepIO, deps: WaitDeps & { samples: number }): Promise<StepResult> {
  const history: ReplicaSample[] = [];
  for (let attempt = 1; ; attempt++) {
    io.signal.throwIfAborted();
    history.push(await status());
    const v = replicationVerdict(history, deps.samples);
    io.progress({ phase: 'waiting', done: attempt, total: undefined, detail: v.why });
    if (v.ok) {
      const s = history[history.length - 1] as ReplicaSample;
      const fields = { io: s.io, sql: s.sql, behind: s.behind ?? '', lastError: s.lastError, checks: attempt };
      return emptyResult({ stdout: `${v.why} (io=${s.io} sql=${s.sql}, after ${attempt} check${attempt === 1 ? '' : 's'})\n`, fields });
    }
    // what it saw, so a step that times out says why in its output
    io.output('stdout', `check ${attempt}: ${v.why}\n`);
    await deps.sleep(deps.intervalMs ?? 2_000, io.signal);
  }
}
