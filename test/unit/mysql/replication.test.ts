import { describe, expect, it } from 'vitest';
import { scrubSecret, type MysqlConnection } from '../../../src/mysql/connection.js';
import { parseDialect } from '../../../src/mysql/dialect.js';
import { normalizeReplicaRow, replicationStatus } from '../../../src/mysql/replication.js';

// A MySQL 8.0.22+ SHOW REPLICA STATUS row (column names from the MySQL 8.0
// reference manual); MariaDB's own names are covered against a real server in
// test/integration/mariadb.replication.test.ts.
const mysql8Row = {
  Replica_IO_State: 'Waiting for source to send event',
  Source_Host: 'db-primary.lan',
  Source_User: 'repl',
  Source_Port: 3306,
  Source_Log_File: 'binlog.000042',
  Read_Source_Log_Pos: '18446744073709551000',
  Relay_Log_File: 'relay.000007',
  Relay_Source_Log_File: 'binlog.000042',
  Replica_IO_Running: 'Yes',
  Replica_SQL_Running: 'No',
  Last_Errno: 1062,
  Exec_Source_Log_Pos: '1200',
  Seconds_Behind_Source: null,
  Last_IO_Errno: 0,
  Last_IO_Error: '',
  Last_SQL_Errno: 1062,
  Last_SQL_Error: "Duplicate entry '7' for key 'orders.PRIMARY'",
  Source_Server_Id: 1,
  Replica_SQL_Running_State: '',
  Retrieved_Gtid_Set: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5',
  Executed_Gtid_Set: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-4',
  Auto_Position: 1,
};

describe('normalizeReplicaRow', () => {
  it('reads MySQL 8 Source/Replica names into the common shape', () => {
    expect(normalizeReplicaRow(mysql8Row)).toEqual({
      sourceHost: 'db-primary.lan',
      sourcePort: 3306,
      sourceUser: 'repl',
      sourceServerId: 1,
      ioState: 'Yes',
      ioRunning: true,
      sqlRunning: false,
      secondsBehind: null,
      sourceLogFile: 'binlog.000042',
      readSourceLogPos: '18446744073709551000',
      relaySourceLogFile: 'binlog.000042',
      execSourceLogPos: '1200',
      lastIoErrno: 0,
      lastIoError: '',
      lastSqlErrno: 1062,
      lastSqlError: "Duplicate entry '7' for key 'orders.PRIMARY'",
      sqlState: '',
      gtid: {
        mode: '1',
        ioPos: null,
        replicaPos: null,
        retrievedSet: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5',
        executedSet: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-4',
      },
    });
  });

  it('reads the older Master/Slave names the same way', () => {
    const s = normalizeReplicaRow({
      Master_Host: 'old-primary.lan',
      Master_Port: 3307,
      Master_User: 'repl',
      Slave_IO_Running: 'Connecting',
      Slave_SQL_Running: 'Yes',
      Seconds_Behind_Master: '12',
      Gtid_IO_Pos: '0-1-99',
      Using_Gtid: 'Current_Pos',
    });
    expect(s).toMatchObject({ sourceHost: 'old-primary.lan', sourcePort: 3307, ioState: 'Connecting', ioRunning: false, sqlRunning: true, secondsBehind: 12 });
    expect(s.gtid).toMatchObject({ mode: 'Current_Pos', ioPos: '0-1-99' });
  });
});

describe('scrubSecret', () => {
  it('masks every occurrence of the password and leaves text alone without one', () => {
    expect(scrubSecret("denied for 'u' using pw s3cr3t (s3cr3t)", 's3cr3t')).toBe("denied for 'u' using pw *** (***)");
    expect(scrubSecret('plain', undefined)).toBe('plain');
    expect(scrubSecret('plain', '')).toBe('plain');
  });
});

describe('replicationStatus asks in the words the dialect gives', () => {
  // A connection that answers VERSION() as `version` and records every statement sent.
  function serverSaying(version: string, comment: string): { conn: MysqlConnection; asked: string[] } {
    const asked: string[] = [];
    const conn = {
      config: { host: 'db1', port: 3306, user: 'ops' },
      query: async (o: { sql: string }): Promise<[Record<string, unknown>[]]> => {
        asked.push(o.sql);
        return [o.sql.startsWith('SELECT VERSION()') ? [{ v: version, c: comment }] : []];
      },
    } as unknown as MysqlConnection;
    return { conn, asked };
  }

  it.each([
    ['5.7.44-log', 'MySQL Community Server (GPL)', 'SHOW SLAVE STATUS'],
    ['10.4.34-MariaDB', '', 'SHOW SLAVE STATUS'],
    ['8.0.22', 'MySQL Community Server - GPL', 'SHOW REPLICA STATUS'],
    ['8.4.3', 'MySQL Community Server - GPL', 'SHOW REPLICA STATUS'],
    ['10.11.6-MariaDB-0+deb12u1', 'Debian 12', 'SHOW REPLICA STATUS'],
  ])('%s (%s): only %s, never a try of the other form', async (version, comment, statement) => {
    const { conn, asked } = serverSaying(version, comment);
    expect(await replicationStatus(conn)).toBeNull();
    expect(asked.filter((q) => q.startsWith('SHOW'))).toEqual([statement]);
  });

  it('uses a dialect the caller already has without asking the server for its version', async () => {
    const { conn, asked } = serverSaying('8.0.21', '');
    await replicationStatus(conn, parseDialect('8.0.21'));
    expect(asked).toEqual(['SHOW SLAVE STATUS']);
  });
});
