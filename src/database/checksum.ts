import type { MysqlConnection } from '../mysql/connection.js';

/**
 * Is the replica's data the source's? Per table, in primary-key chunks of
 * CHUNK_ROWS rows (COUNT and BIT_XOR of a CRC32 per row), so no statement
 * holds the source for long whatever the table's size; tables without a
 * single-column integer key fall back to CHECKSUM TABLE. A chunk that differs
 * is compared again after the replica has had time to apply what was in
 * flight: only a difference that stays is reported, naming table and range.
 */
export const CHUNK_ROWS = 20_000;
const SYSTEM = "('mysql', 'information_schema', 'performance_schema', 'sys')";

type Row = Record<string, unknown>;

/** No single statement may run long: a chunk is small, and a server that stops answering must not hold the check. */
const STATEMENT_TIMEOUT_MS = 60_000;

async function q(conn: MysqlConnection, sql: string, values: unknown[] = []): Promise<Row[]> {
  const [rows] = await conn.query({ sql, values, timeout: STATEMENT_TIMEOUT_MS });
  return Array.isArray(rows) ? (rows as Row[]) : [];
}

const ident = (s: string): string => `\`${s.replace(/`/g, '``')}\``;

export interface TableInfo {
  schema: string;
  table: string;
  /** the single integer primary key column, when the table has one */
  key: string | undefined;
  columns: string[];
}

export async function listTables(conn: MysqlConnection): Promise<TableInfo[]> {
  const tables = await q(conn, `SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ${SYSTEM} ORDER BY table_schema, table_name`);
  const cols = await q(conn, `SELECT table_schema AS s, table_name AS t, column_name AS c, column_key AS k, data_type AS d FROM information_schema.columns WHERE table_schema NOT IN ${SYSTEM} ORDER BY table_schema, table_name, ordinal_position`);
  return tables.map((t) => {
    const mine = cols.filter((c) => c['s'] === t['s'] && c['t'] === t['t']);
    const pk = mine.filter((c) => c['k'] === 'PRI');
    const intKey = pk.length === 1 && /int$/i.test(String(pk[0]?.['d'])) ? String(pk[0]?.['c']) : undefined;
    return { schema: String(t['s']), table: String(t['t']), key: intKey, columns: mine.map((c) => String(c['c'])) };
  });
}

/**
 * Inclusive key bounds, null for an open end. BigInt: a BIGINT UNSIGNED key
 * reaches 2^64, and a Number above 2^53 would name (and compare) another key.
 */
export type KeyRange = [bigint | null, bigint | null];

export interface ChunkSum {
  range: KeyRange;
  rows: number;
  crc: string;
}

/**
 * The WHERE clause of a key range. The bounds go in as integer literals, not
 * placeholders: a string placeholder would be compared with the column as a
 * double (losing the same precision), and they are BigInts, so only digits.
 */
function within(key: string, [from, to]: KeyRange): string {
  const sides = [...(from === null ? [] : [`${key} >= ${from}`]), ...(to === null ? [] : [`${key} <= ${to}`])];
  return sides.length ? sides.join(' AND ') : 'TRUE';
}

/** The key as text whatever the driver's number options: BigInt() reads it exactly. */
const keyOf = (v: unknown): bigint => BigInt(String(v));

/** One chunk's fingerprint: its row count and the XOR of every row's CRC32 (NULLs marked, so NULL != ''). */
export async function chunkSum(conn: MysqlConnection, t: TableInfo, range: KeyRange): Promise<ChunkSum> {
  const row = `CONCAT_WS('#', ${t.columns.map((c) => `ISNULL(${ident(c)}), ${ident(c)}`).join(', ')})`;
  const [r] = await q(conn, `SELECT COUNT(*) AS n, COALESCE(BIT_XOR(CRC32(${row})), 0) AS crc FROM ${ident(t.schema)}.${ident(t.table)} WHERE ${within(ident(t.key ?? ''), range)}`);
  return { range, rows: Number(r?.['n'] ?? 0), crc: String(r?.['crc'] ?? '0') };
}

/** Key ranges of about CHUNK_ROWS rows each, walked on the source by the key's index (each step one short indexed read). */
export async function chunkRanges(conn: MysqlConnection, t: TableInfo, size = CHUNK_ROWS): Promise<KeyRange[]> {
  const key = ident(t.key ?? '');
  const tbl = `${ident(t.schema)}.${ident(t.table)}`;
  const [ends] = await q(conn, `SELECT CAST(MIN(${key}) AS CHAR) AS lo, CAST(MAX(${key}) AS CHAR) AS hi FROM ${tbl}`);
  if (ends?.['lo'] === null || ends?.['lo'] === undefined) return [];
  const hi = keyOf(ends['hi']);
  const out: KeyRange[] = [];
  let from = keyOf(ends['lo']);
  for (;;) {
    const [next] = await q(conn, `SELECT CAST(${key} AS CHAR) AS k FROM ${tbl} WHERE ${key} >= ${from} ORDER BY ${key} LIMIT 1 OFFSET ${size - 1}`);
    const to = next?.['k'] === undefined ? hi : keyOf(next['k']);
    out.push([from, to]);
    // stop at the last key rather than step past it: hi + 1 may not fit the column
    if (to >= hi) break;
    from = to + 1n;
  }
  // the outer ranges reach past the source's ends: rows only the replica has show up there
  const first = out[0];
  if (first) first[0] = null;
  const last = out[out.length - 1];
  if (last) last[1] = null;
  return out;
}

export interface Mismatch {
  table: string;
  /** the key range as decimal text (null: open end), or undefined for a whole-table checksum */
  range: [string | null, string | null] | undefined;
  source: string;
  replica: string;
}

/** "keys 299-448", "keys …-448", or '' for a whole-table checksum: how a person is told where to look. */
export function describeRange(m: Pick<Mismatch, 'range'>): string {
  return m.range ? `keys ${m.range[0] ?? '…'}-${m.range[1] ?? '…'}` : '';
}

export interface ChecksumReport {
  tables: number;
  chunks: number;
  mismatches: Mismatch[];
  /** the longest single statement on the source, ms: what the check cost the source */
  longestSourceMs: number;
}

export interface ChecksumOptions {
  /** called between passes so the replica can apply what was in flight (a wait for lag 0) */
  settle?: () => Promise<void>;
  onProgress?: (done: number, total: number, table: string) => void;
  chunkRows?: number;
  signal?: AbortSignal;
}

export async function compareData(source: MysqlConnection, replica: MysqlConnection, o: ChecksumOptions = {}): Promise<ChecksumReport> {
  let longest = 0;
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      longest = Math.max(longest, performance.now() - t0);
    }
  };
  const tables = await listTables(source);
  const onReplica = new Set((await listTables(replica)).map((t) => `${t.schema}.${t.table}`));
  const onSource = new Set(tables.map((t) => `${t.schema}.${t.table}`));
  const extra: Mismatch[] = [...onReplica].filter((n) => !onSource.has(n)).map((table) => ({ table, range: undefined, source: 'missing', replica: 'present' }));
  type Job = { t: TableInfo; range: KeyRange | undefined };
  const jobs: Job[] = [];
  for (const t of tables) {
    if (t.key) for (const r of await timed(() => chunkRanges(source, t, o.chunkRows))) jobs.push({ t, range: r });
    else jobs.push({ t, range: undefined });
  }
  const name = (t: TableInfo): string => `${t.schema}.${t.table}`;
  const sums = async (conn: MysqlConnection, j: Job, onSource: boolean): Promise<string> => {
    const run = async (): Promise<string> => {
      if (j.range) {
        const s = await chunkSum(conn, j.t, j.range);
        return `${s.rows} rows, crc ${s.crc}`;
      }
      try {
        const [r] = await q(conn, `CHECKSUM TABLE ${ident(j.t.schema)}.${ident(j.t.table)}`);
        return `checksum ${String(r?.['Checksum'] ?? 'NULL')}`;
      } catch (e) {
        return `missing (${(e as Error).message})`;
      }
    };
    return onSource ? timed(run) : run();
  };
  let pending = jobs;
  let mismatches: Mismatch[] = [];
  for (let pass = 0; pass < 3 && pending.length > 0; pass++) {
    if (pass > 0) await o.settle?.();
    mismatches = [];
    const again: Job[] = [];
    let done = 0;
    for (const j of pending) {
      o.signal?.throwIfAborted();
      const [a, b] = await Promise.all([sums(source, j, true), sums(replica, j, false)]);
      if (a !== b) {
        const range: Mismatch['range'] = j.range ? [j.range[0]?.toString() ?? null, j.range[1]?.toString() ?? null] : undefined;
        mismatches.push({ table: name(j.t), range, source: a, replica: b });
        again.push(j);
      }
      o.onProgress?.(++done, pending.length, name(j.t));
    }
    pending = again;
  }
  return { tables: tables.length, chunks: jobs.length, mismatches: [...mismatches, ...extra], longestSourceMs: Math.round(longest) };
}
