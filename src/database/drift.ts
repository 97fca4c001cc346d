import { normalizeName, normalizeValue } from '../mysql/normalize.js';
import { diffVariables } from '../mysql/variables.js';
import type { CnfSetting } from './mycnf.js';

/**
 * Configuration drift: a server's live variables against its my.cnf (a
 * setting edited but the server never restarted, or restarted with another
 * file), or two servers against each other (the seed's lesson: a migrated
 * server without the old tmp_table_size wrote temp tables to disk all day).
 */
export interface DriftEntry {
  name: string;
  /** what the file says / the first server has; null when absent */
  expected: string | null;
  /** what the server runs with / the second server has; null when absent */
  actual: string | null;
  /** where it is written, for a my.cnf comparison */
  where?: string;
  /** a variable that changes how the server writes: explained */
  note?: string;
}

export interface DriftReport {
  entries: DriftEntry[];
  /** settings the server cannot start with: "my.cnf sets query_cache_size, and MySQL 8.0 has no query cache" */
  errors: string[];
  /** findings that are not one variable: "tmp_table_size 64M is capped by max_heap_table_size 16M" */
  warnings: string[];
}

/** Every query cache variable MySQL 5.7 and MariaDB know; MySQL 8.0 removed them all. */
const QUERY_CACHE_VARS = ['query_cache_size', 'query_cache_type', 'query_cache_limit', 'query_cache_min_res_unit', 'query_cache_wlock_invalidate', 'query_cache_strip_comments'];
const QUERY_CACHE_NOTE = 'the query cache: gone in MySQL 8.0, where a my.cnf setting it stops the server from starting';
const isQueryCache = (name: string): boolean => name.startsWith('query_cache_');

/** Variables whose drift costs writes or durability, with why a person should care. */
export const NOTES: Readonly<Record<string, string>> = {
  tmp_table_size: 'in-memory temporary tables up to this size (the smaller of it and max_heap_table_size); above it they go to disk',
  max_heap_table_size: 'caps MEMORY tables and, with tmp_table_size, in-memory temporary tables',
  ...Object.fromEntries(QUERY_CACHE_VARS.map((n) => [n, QUERY_CACHE_NOTE])),
  innodb_flush_log_at_trx_commit: '1 flushes the redo log at every commit (durable); 0 or 2 lose up to a second of commits on a crash',
  sync_binlog: '1 syncs the binary log at every commit; 0 leaves it to the OS (replicas can miss transactions after a crash)',
  innodb_buffer_pool_size: 'the InnoDB cache: too small and reads and writes go to disk',
  innodb_log_file_size: 'redo log size: too small and InnoDB checkpoints (writes) far more often',
};

const sized = (v: string | null): number | undefined => (v !== null && /^\d+$/.test(v) ? Number(v) : undefined);

function mib(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / 1024 / 1024}M` : String(n);
}

/** MySQL 8.0 and later (not MariaDB, whose 10.x/11.x numbers would otherwise pass). */
function isMysql8(version: string | undefined): version is string {
  return version !== undefined && !/mariadb/i.test(version) && Number(/^(\d+)\./.exec(version)?.[1] ?? 0) >= 8;
}

/**
 * Whether these settings run the query cache: a type other than 0/OFF and a
 * size above 0. Every write empties the cached results of its table under
 * one global lock, which is why MySQL removed it and MariaDB ships it off.
 */
function queryCacheOn(vars: ReadonlyMap<string, string>): { type: string; size: string } | undefined {
  const type = vars.get('query_cache_type');
  const size = vars.get('query_cache_size');
  if (type === undefined || size === undefined) return undefined;
  return normalizeValue(type) !== '0' && normalizeValue(size) !== '0' ? { type, size } : undefined;
}

function queryCacheWarning(label: string, on: { type: string; size: string }): string {
  const size = sized(normalizeValue(on.size));
  return `${label}: the query cache is on (query_cache_type ${on.type}, query_cache_size ${size === undefined ? on.size : mib(size)}): every write empties its table's cached results under one global lock, a bottleneck with concurrent writes; set query_cache_type = 0 and query_cache_size = 0`;
}

/** The checks about one server's settings that no single variable shows. */
export function settingWarnings(vars: ReadonlyMap<string, string>, label: string): string[] {
  const out: string[] = [];
  const tmp = sized(vars.get('tmp_table_size') ?? null);
  const heap = sized(vars.get('max_heap_table_size') ?? null);
  if (tmp !== undefined && heap !== undefined && tmp !== heap) {
    out.push(`${label}: tmp_table_size ${mib(tmp)} and max_heap_table_size ${mib(heap)} differ: in-memory temporary tables stop at the smaller, ${mib(Math.min(tmp, heap))}`);
  }
  const qc = queryCacheOn(vars);
  if (qc) out.push(queryCacheWarning(label, qc));
  return out;
}

/**
 * A my.cnf's query_cache_* lines for a MySQL 8.0+ server: the server refuses
 * to start on an unknown variable, so each is an error; a loose- one is only
 * skipped with a warning at startup, so it is a warning here too.
 */
function queryCacheOnMysql8(cnf: ReadonlyMap<string, CnfSetting>, version: string): { errors: string[]; warnings: string[] } {
  const lines = [...cnf.values()].filter((s) => isQueryCache(s.name));
  const at = (xs: CnfSetting[]): string => xs.map((s) => `${s.name} (${s.file}:${s.line})`).join(', ');
  const hard = lines.filter((s) => !s.loose);
  const loose = lines.filter((s) => s.loose);
  return {
    errors: hard.length ? [`my.cnf sets ${at(hard)}, but MySQL ${version} has no query cache: the server refuses to start with it; remove the line${hard.length > 1 ? 's' : ''}`] : [],
    warnings: loose.length ? [`my.cnf sets ${at(loose)} with loose-: MySQL ${version} has no query cache and skips it with a warning at every start; remove it`] : [],
  };
}

/**
 * my.cnf against the live server: what the file sets and the server does not
 * run with. `label` names the server in findings about what it runs with.
 */
export function cnfDrift(cnf: ReadonlyMap<string, CnfSetting>, live: ReadonlyMap<string, string>, version?: string, label = 'the server'): DriftReport {
  const liveNorm = new Map([...live].map(([k, v]) => [normalizeName(k), normalizeValue(v)]));
  const entries: DriftEntry[] = [];
  for (const s of cnf.values()) {
    const actual = liveNorm.get(s.name);
    // options that are not variables (log-error paths aside, e.g. skip-name-resolve) have nothing to compare with
    if (actual === undefined && !(s.name in NOTES)) continue;
    if (actual === s.value) continue;
    entries.push({ name: s.name, expected: s.raw, actual: actual ?? null, where: `${s.file}:${s.line}`, ...(NOTES[s.name] ? { note: NOTES[s.name] } : {}) });
  }
  const cnfVars = new Map([...cnf.values()].map((s) => [s.name, s.value]));
  const mysql8 = isMysql8(version) ? queryCacheOnMysql8(cnf, version) : { errors: [], warnings: [] };
  // the query cache the server runs with now, or the one the file turns on at its next start
  // values as written (ON, 16M) for the message; queryCacheOn normalises them itself
  const liveRaw = new Map([...live].map(([k, v]) => [normalizeName(k), v]));
  const running = queryCacheOn(liveRaw);
  const afterRestart = running ? undefined : queryCacheOn(new Map([...liveRaw, ...[...cnf.values()].map((s): [string, string] => [s.name, s.raw])]));
  const fileWarnings = settingWarnings(new Map([...cnfVars].filter(([k]) => !isQueryCache(k))), 'my.cnf');
  return {
    entries: entries.sort((a, b) => Number(b.note !== undefined) - Number(a.note !== undefined) || a.name.localeCompare(b.name)),
    errors: mysql8.errors,
    warnings: [
      ...fileWarnings,
      ...mysql8.warnings,
      ...(running ? [queryCacheWarning(label, running)] : []),
      ...(afterRestart ? [queryCacheWarning(`my.cnf (at ${label}'s next start)`, afterRestart)] : []),
    ],
  };
}

/** Two servers: every variable that differs (identity and positions aside), the ones that matter first. */
export function serverDrift(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>, labels: [string, string]): DriftReport {
  const entries = diffVariables(a, b)
    .filter((d) => !/^(version|version_comment|version_compile|innodb_version|protocol_version|uptime)/.test(d.name))
    .map((d): DriftEntry => ({ name: d.name, expected: d.a, actual: d.b, ...(NOTES[d.name] ? { note: NOTES[d.name] } : {}) }));
  return {
    entries: entries.sort((x, y) => Number(y.note !== undefined) - Number(x.note !== undefined) || x.name.localeCompare(y.name)),
    errors: [],
    warnings: [...settingWarnings(a, labels[0]), ...settingWarnings(b, labels[1])],
  };
}
