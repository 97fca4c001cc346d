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
  /** findings that are not one variable: "tmp_table_size 64M is capped by max_heap_table_size 16M" */
  warnings: string[];
}

/** Variables whose drift costs writes or durability, with why a person should care. */
export const NOTES: Readonly<Record<string, string>> = {
  tmp_table_size: 'in-memory temporary tables up to this size (the smaller of it and max_heap_table_size); above it they go to disk',
  max_heap_table_size: 'caps MEMORY tables and, with tmp_table_size, in-memory temporary tables',
  query_cache_size: 'the query cache: gone in MySQL 8.0, where a my.cnf setting it stops the server from starting',
  query_cache_type: 'the query cache: gone in MySQL 8.0, where a my.cnf setting it stops the server from starting',
  innodb_flush_log_at_trx_commit: '1 flushes the redo log at every commit (durable); 0 or 2 lose up to a second of commits on a crash',
  sync_binlog: '1 syncs the binary log at every commit; 0 leaves it to the OS (replicas can miss transactions after a crash)',
  innodb_buffer_pool_size: 'the InnoDB cache: too small and reads and writes go to disk',
  innodb_log_file_size: 'redo log size: too small and InnoDB checkpoints (writes) far more often',
};

const sized = (v: string | null): number | undefined => (v !== null && /^\d+$/.test(v) ? Number(v) : undefined);

function mib(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / 1024 / 1024}M` : String(n);
}

/** The checks about one server's settings that no single variable shows. */
export function settingWarnings(vars: ReadonlyMap<string, string>, version: string | undefined, label: string): string[] {
  const out: string[] = [];
  const tmp = sized(vars.get('tmp_table_size') ?? null);
  const heap = sized(vars.get('max_heap_table_size') ?? null);
  if (tmp !== undefined && heap !== undefined && tmp !== heap) {
    out.push(`${label}: tmp_table_size ${mib(tmp)} and max_heap_table_size ${mib(heap)} differ: in-memory temporary tables stop at the smaller, ${mib(Math.min(tmp, heap))}`);
  }
  const mysql8 = version !== undefined && !/mariadb/i.test(version) && /^(8|9)\./.test(version);
  if (mysql8 && (vars.has('query_cache_size') || vars.has('query_cache_type'))) {
    out.push(`${label}: query_cache_* is set, but MySQL ${version} has no query cache: the server refuses to start with it in my.cnf`);
  }
  return out;
}

/** my.cnf against the live server: what the file sets and the server does not run with. */
export function cnfDrift(cnf: ReadonlyMap<string, CnfSetting>, live: ReadonlyMap<string, string>, version?: string): DriftReport {
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
  return { entries: entries.sort((a, b) => Number(b.note !== undefined) - Number(a.note !== undefined) || a.name.localeCompare(b.name)), warnings: settingWarnings(cnfVars, version, 'my.cnf') };
}

/** Two servers: every variable that differs (identity and positions aside), the ones that matter first. */
export function serverDrift(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>, labels: [string, string], versions: [string | undefined, string | undefined] = [undefined, undefined]): DriftReport {
  const entries = diffVariables(a, b)
    .filter((d) => !/^(version|version_comment|version_compile|innodb_version|protocol_version|uptime)/.test(d.name))
    .map((d): DriftEntry => ({ name: d.name, expected: d.a, actual: d.b, ...(NOTES[d.name] ? { note: NOTES[d.name] } : {}) }));
  return {
    entries: entries.sort((x, y) => Number(y.note !== undefined) - Number(x.note !== undefined) || x.name.localeCompare(y.name)),
    warnings: [...settingWarnings(a, versions[0], labels[0]), ...settingWarnings(b, versions[1], labels[1])],
  };
}
