import { queryRows, type MysqlConnection } from './connection.js';

/** SHOW GLOBAL VARIABLES as a name -> value map. */
export async function globalVariables(conn: MysqlConnection): Promise<Map<string, string>> {
  const rows = await queryRows(conn, 'SHOW GLOBAL VARIABLES');
  return new Map(rows.map((r) => [String(r['Variable_name']), r['Value'] === null ? '' : String(r['Value'])]));
}

/**
 * Variables that differ between any two healthy servers by nature (identity,
 * paths, ports, replication positions): reporting them would bury real drift.
 */
export const PER_SERVER_VARIABLES: readonly RegExp[] = [
  /^(server_id|server_uid|server_uuid|hostname|report_host|report_port|port|extra_port|socket|pid_file|timestamp)$/,
  /dir$/,
  /dir_path$/,
  /_basename$/,
  /_index$/,
  /_file$/,
  /^gtid_(binlog_pos|binlog_state|current_pos|slave_pos|io_pos|executed|purged)$/,
  /^relay_log/,
];

export interface VariableDrift {
  name: string;
  /** Null when the server does not have the variable (e.g. another version). */
  a: string | null;
  b: string | null;
}

/** Settings that differ between two servers (e.g. a primary and its replica), by name. */
export function diffVariables(
  a: ReadonlyMap<string, string>,
  b: ReadonlyMap<string, string>,
  opts: { ignore?: readonly RegExp[] } = {},
): VariableDrift[] {
  const ignore = opts.ignore ?? PER_SERVER_VARIABLES;
  const names = new Set([...a.keys(), ...b.keys()]);
  const out: VariableDrift[] = [];
  for (const name of names) {
    if (ignore.some((re) => re.test(name))) continue;
    const va = a.get(name) ?? null;
    const vb = b.get(name) ?? null;
    if (va !== vb) out.push({ name, a: va, b: vb });
  }
  return out.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}
