/**
 * Which replication statements a server accepts, from its VERSION() and
 * @@version_comment. Pure: runbooks and checks ask for a named operation and
 * get the words this vendor/version understands (MySQL renamed MASTER/SLAVE
 * to SOURCE/REPLICA in 8.0.22-8.0.23 and dropped the old words in 8.4;
 * MariaDB accepts REPLICA from 10.5.1 and renamed SHOW MASTER STATUS to
 * SHOW BINLOG STATUS in 10.5.2, keeping the old name only as an alias).
 */
export type Vendor = 'mariadb' | 'mysql';

export interface ServerDialect {
  vendor: Vendor;
  /** [major, minor, patch] parsed from VERSION(). */
  version: [number, number, number];
  /** Uses REPLICA in START/STOP/SHOW ... STATUS. */
  replicaWords: boolean;
  /** CHANGE REPLICATION SOURCE TO with SOURCE_* options (MySQL 8.0.23+). */
  changeSourceWords: boolean;
  /** What follows SHOW in the binary log status statement: BINARY LOG (MySQL 8.2+), BINLOG (MariaDB 10.5.2+), else MASTER. */
  binlogStatusWords: 'BINARY LOG' | 'BINLOG' | 'MASTER';
  /** RESET BINARY LOGS AND GTIDS (MySQL 8.2+) instead of RESET MASTER. */
  resetBinaryLogs: boolean;
}

export function parseDialect(version: string, comment = ''): ServerDialect {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new Error(`cannot read a server version from VERSION() = '${version}'`);
  const v: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const vendor: Vendor = /mariadb/i.test(version) || /mariadb/i.test(comment) ? 'mariadb' : 'mysql';
  const atLeast = (a: number, b: number, c: number): boolean =>
    v[0] !== a ? v[0] > a : v[1] !== b ? v[1] > b : v[2] >= c;
  if (vendor === 'mariadb') {
    return {
      vendor,
      version: v,
      replicaWords: atLeast(10, 5, 1),
      changeSourceWords: false,
      binlogStatusWords: atLeast(10, 5, 2) ? 'BINLOG' : 'MASTER',
      resetBinaryLogs: false,
    };
  }
  return {
    vendor,
    version: v,
    replicaWords: atLeast(8, 0, 22),
    changeSourceWords: atLeast(8, 0, 23),
    binlogStatusWords: atLeast(8, 2, 0) ? 'BINARY LOG' : 'MASTER',
    resetBinaryLogs: atLeast(8, 2, 0),
  };
}

export type ChangeSourceTarget =
  | { host: string; port: number; user: string; password: string; gtid: true }
  | { host: string; port: number; user: string; password: string; gtid: false; logFile: string; logPos: number };

export function stopReplica(d: ServerDialect): string {
  return d.replicaWords ? 'STOP REPLICA' : 'STOP SLAVE';
}
export function startReplica(d: ServerDialect): string {
  return d.replicaWords ? 'START REPLICA' : 'START SLAVE';
}
/** Forget the replica's configuration and relay logs (before pointing it somewhere new). */
export function resetReplicaAll(d: ServerDialect): string {
  return d.replicaWords ? 'RESET REPLICA ALL' : 'RESET SLAVE ALL';
}
export function showReplicaStatus(d: ServerDialect): string {
  return d.replicaWords ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS';
}
export function showBinlogStatus(d: ServerDialect): string {
  return `SHOW ${d.binlogStatusWords} STATUS`;
}
export function resetBinaryLogs(d: ServerDialect): string {
  return d.resetBinaryLogs ? 'RESET BINARY LOGS AND GTIDS' : 'RESET MASTER';
}
export function setReadOnly(on: boolean): string {
  return `SET GLOBAL read_only = ${on ? 'ON' : 'OFF'}`;
}

/**
 * A statement with `?` placeholders and the values for them: host, user,
 * password and log file reach the server only through the driver's
 * placeholders, never by concatenation (DESIGN.md). Log `sql`, never `values`.
 */
export interface Statement {
  sql: string;
  values: (string | number)[];
}

export function changeSource(d: ServerDialect, t: ChangeSourceTarget): Statement {
  const w = d.changeSourceWords ? 'SOURCE' : 'MASTER';
  const opts = [`${w}_HOST=?`, `${w}_PORT=?`, `${w}_USER=?`, `${w}_PASSWORD=?`];
  const values: (string | number)[] = [t.host, t.port, t.user, t.password];
  if (t.gtid) opts.push(d.vendor === 'mariadb' ? 'MASTER_USE_GTID=slave_pos' : `${w}_AUTO_POSITION=1`);
  else {
    opts.push(`${w}_LOG_FILE=?`, `${w}_LOG_POS=?`);
    values.push(t.logFile, t.logPos);
  }
  const head = d.changeSourceWords ? 'CHANGE REPLICATION SOURCE TO' : 'CHANGE MASTER TO';
  return { sql: `${head} ${opts.join(', ')}`, values };
}

/**
 * Point a replica at a source and keep the coordinates it already has (set
 * by a dump made with --master-data / --source-data, which writes them).
 */
export function pointAt(d: ServerDialect, t: { host: string; port: number; user: string; password: string }): Statement {
  const w = d.changeSourceWords ? 'SOURCE' : 'MASTER';
  const head = d.changeSourceWords ? 'CHANGE REPLICATION SOURCE TO' : 'CHANGE MASTER TO';
  return { sql: `${head} ${w}_HOST=?, ${w}_PORT=?, ${w}_USER=?, ${w}_PASSWORD=?`, values: [t.host, t.port, t.user, t.password] };
}
