import { queryRows, type MysqlConnection } from './connection.js';
import { parseDialect, showReplicaStatus, type ServerDialect } from './dialect.js';

/**
 * One replica's state with MariaDB's and MySQL 8's column names folded into
 * one shape (MySQL 8.0.22+ says Source/Replica, MariaDB and older MySQL say
 * Master/Slave).
 */
export interface ReplicationStatus {
  sourceHost: string;
  sourcePort: number;
  sourceUser: string;
  sourceServerId: number | null;
  /** Raw Slave_IO_Running / Replica_IO_Running: 'Yes', 'No' or 'Connecting'. */
  ioState: string;
  ioRunning: boolean;
  sqlRunning: boolean;
  /** Null when the SQL thread is stopped or the IO thread is not connected. */
  secondsBehind: number | null;
  sourceLogFile: string | null;
  readSourceLogPos: string | null;
  relaySourceLogFile: string | null;
  execSourceLogPos: string | null;
  lastIoErrno: number;
  lastIoError: string;
  lastSqlErrno: number;
  lastSqlError: string;
  /** Replica_SQL_Running_State / Slave_SQL_Running_State, e.g. "Slave has read all relay log". */
  sqlState: string;
  gtid: {
    /** MariaDB Using_Gtid (No, Slave_Pos, Current_Pos) or MySQL Auto_Position ('1'/'0'). */
    mode: string | null;
    /** MariaDB Gtid_IO_Pos. */
    ioPos: string | null;
    /** MariaDB Gtid_Slave_Pos (when the server reports it). */
    replicaPos: string | null;
    /** MySQL Retrieved_Gtid_Set. */
    retrievedSet: string | null;
    /** MySQL Executed_Gtid_Set. */
    executedSet: string | null;
  };
}

type Row = Record<string, unknown>;

function pick(row: Row, ...names: string[]): unknown {
  for (const n of names) if (row[n] !== undefined && row[n] !== null) return row[n];
  return null;
}

function str(row: Row, ...names: string[]): string {
  const v = pick(row, ...names);
  return v === null ? '' : String(v);
}

function strOrNull(row: Row, ...names: string[]): string | null {
  const v = pick(row, ...names);
  return v === null || v === '' ? null : String(v);
}

function num(row: Row, ...names: string[]): number | null {
  const v = pick(row, ...names);
  if (v === null || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Folds one row of SHOW REPLICA/SLAVE STATUS (either flavor) into ReplicationStatus. */
export function normalizeReplicaRow(row: Row): ReplicationStatus {
  const io = str(row, 'Replica_IO_Running', 'Slave_IO_Running');
  return {
    sourceHost: str(row, 'Source_Host', 'Master_Host'),
    sourcePort: num(row, 'Source_Port', 'Master_Port') ?? 3306,
    sourceUser: str(row, 'Source_User', 'Master_User'),
    sourceServerId: num(row, 'Source_Server_Id', 'Master_Server_Id'),
    ioState: io,
    ioRunning: io === 'Yes',
    sqlRunning: str(row, 'Replica_SQL_Running', 'Slave_SQL_Running') === 'Yes',
    secondsBehind: num(row, 'Seconds_Behind_Source', 'Seconds_Behind_Master'),
    sourceLogFile: strOrNull(row, 'Source_Log_File', 'Master_Log_File'),
    readSourceLogPos: strOrNull(row, 'Read_Source_Log_Pos', 'Read_Master_Log_Pos'),
    relaySourceLogFile: strOrNull(row, 'Relay_Source_Log_File', 'Relay_Master_Log_File'),
    execSourceLogPos: strOrNull(row, 'Exec_Source_Log_Pos', 'Exec_Master_Log_Pos'),
    lastIoErrno: num(row, 'Last_IO_Errno') ?? 0,
    lastIoError: str(row, 'Last_IO_Error'),
    lastSqlErrno: num(row, 'Last_SQL_Errno') ?? 0,
    lastSqlError: str(row, 'Last_SQL_Error'),
    sqlState: str(row, 'Replica_SQL_Running_State', 'Slave_SQL_Running_State'),
    gtid: {
      mode: strOrNull(row, 'Using_Gtid', 'Auto_Position'),
      ioPos: strOrNull(row, 'Gtid_IO_Pos'),
      replicaPos: strOrNull(row, 'Gtid_Slave_Pos'),
      retrievedSet: strOrNull(row, 'Retrieved_Gtid_Set'),
      executedSet: strOrNull(row, 'Executed_Gtid_Set'),
    },
  };
}

/** Which statements the server behind `conn` accepts, from its VERSION() and @@version_comment. */
export async function serverDialect(conn: MysqlConnection): Promise<ServerDialect> {
  const [r] = await queryRows(conn, 'SELECT VERSION() AS v, @@version_comment AS c');
  return parseDialect(String(r?.['v'] ?? ''), String(r?.['c'] ?? ''));
}

/**
 * The replica status of the server behind `conn`, or null when it replicates
 * from nothing. The statement comes from the dialect (SHOW REPLICA STATUS on
 * MariaDB 10.5.1+ and MySQL 8.0.22+, SHOW SLAVE STATUS before), not from
 * trying one and falling back: a parse error then means a real problem, and
 * a MySQL 8.4 that dropped SLAVE is never sent it. Pass `d` when the caller
 * already knows the server's dialect, to save a round trip.
 */
export async function replicationStatus(conn: MysqlConnection, d?: ServerDialect): Promise<ReplicationStatus | null> {
  const rows = await queryRows(conn, showReplicaStatus(d ?? (await serverDialect(conn))));
  const row = rows[0];
  return row === undefined ? null : normalizeReplicaRow(row);
}
