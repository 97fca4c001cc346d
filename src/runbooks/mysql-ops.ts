import type { MysqlConnection } from '../mysql/connection.js';
import { changeSource, pointAt, resetBinaryLogs, resetReplicaAll, setReadOnly, showBinlogStatus, showReplicaStatus, startReplica, stopReplica } from '../mysql/dialect.js';
import { normalizeReplicaRow, serverDialect } from '../mysql/replication.js';
import { OpsError } from '../core/errors.js';
import { emptyResult, type StepResult } from './executors.js';

/**
 * A runbook's `mysql` step: a replication operation by name, sent in the
 * words this server's vendor and version accept. Results come back in one
 * shape whatever the server says (Slave_IO_Running or Replica_IO_Running both
 * become `io`), so a runbook's captures and conditions do not care either.
 */
type Row = Record<string, unknown>;

async function rows(conn: MysqlConnection, sql: string, values: unknown[] = []): Promise<Row[]> {
  const [res] = await conn.query({ sql, values });
  return Array.isArray(res) ? (res as Row[]) : [];
}

const need = (args: Record<string, string>, k: string, op: string): string => {
  const v = args[k];
  if (v === undefined || v === '') throw new OpsError('USAGE', `mysql ${op} needs the argument ${k}`);
  return v;
};

export async function mysqlOperation(conn: MysqlConnection, op: string, args: Record<string, string>): Promise<StepResult> {
  const d = await serverDialect(conn);
  const said = (sql: string): StepResult => emptyResult({ stdout: `${sql}: ok\n`, fields: { vendor: d.vendor, version: d.version.join('.') } });
  switch (op) {
    case 'stopReplica':
      await rows(conn, stopReplica(d));
      return said(stopReplica(d));
    case 'startReplica':
      await rows(conn, startReplica(d));
      return said(startReplica(d));
    case 'resetReplica':
      await rows(conn, resetReplicaAll(d));
      return said(resetReplicaAll(d));
    case 'resetBinaryLogs':
      await rows(conn, resetBinaryLogs(d));
      return said(resetBinaryLogs(d));
    case 'readOnly': {
      const on = need(args, 'on', op) === 'true';
      await rows(conn, setReadOnly(on));
      return said(setReadOnly(on));
    }
    case 'pointAt': {
      const port = Number(need(args, 'port', op));
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new OpsError('USAGE', `mysql pointAt: port must be 1-65535, got ${args['port']}`);
      const st = pointAt(d, { host: need(args, 'host', op), port, user: need(args, 'user', op), password: args['password'] ?? '' });
      await rows(conn, st.sql, st.values);
      return said(st.sql);
    }
    case 'changeSource': {
      const port = Number(need(args, 'port', op));
      const logPos = Number(need(args, 'logPos', op));
      if (!Number.isInteger(port) || !Number.isInteger(logPos)) throw new OpsError('USAGE', 'mysql changeSource: port and logPos must be whole numbers');
      const st = changeSource(d, { host: need(args, 'host', op), port, user: need(args, 'user', op), password: args['password'] ?? '', gtid: false, logFile: need(args, 'logFile', op), logPos });
      await rows(conn, st.sql, st.values);
      return said(st.sql);
    }
    case 'replicaStatus': {
      const [row] = await rows(conn, showReplicaStatus(d));
      if (!row) return emptyResult({ stdout: 'not a replica (no replication configured)\n', fields: { configured: false, io: 'No', sql: 'No' } });
      const s = normalizeReplicaRow(row);
      const fields = {
        configured: true,
        io: s.ioState,
        sql: s.sqlRunning ? 'Yes' : 'No',
        behind: s.secondsBehind ?? '',
        lastError: s.lastSqlError || s.lastIoError,
        sourceHost: s.sourceHost,
        sourcePort: s.sourcePort,
        logFile: s.sourceLogFile ?? '',
        execPos: s.execSourceLogPos ?? '',
      };
      return emptyResult({ stdout: `io=${fields.io} sql=${fields.sql} behind=${fields.behind === '' ? 'NULL' : fields.behind}${fields.lastError ? ` error=${fields.lastError}` : ''}\n`, rows: [row], fields });
    }
    case 'binlogStatus': {
      const [row] = await rows(conn, showBinlogStatus(d));
      if (!row) throw new OpsError('REFUSED', 'binary logging is off on this server: no coordinates to give', { hint: 'enable log_bin on the source' });
      // MySQL shows its GTID set in the status row; MariaDB keeps it in @@gtid_binlog_pos
      let gtid = String(row['Executed_Gtid_Set'] ?? '');
      if (d.vendor === 'mariadb') gtid = String((await rows(conn, 'SELECT @@GLOBAL.gtid_binlog_pos AS g'))[0]?.['g'] ?? '');
      const fields = { file: String(row['File'] ?? ''), position: String(row['Position'] ?? ''), gtid };
      return emptyResult({ stdout: `${fields.file}:${fields.position}${gtid ? ` gtid ${gtid}` : ''}\n`, rows: [row], fields });
    }
    default:
      throw new OpsError('USAGE', `unknown mysql operation ${op}`);
  }
}
