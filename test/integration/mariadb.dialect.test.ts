import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql, queryRows, serverInfo, type MysqlConnection } from '../../src/mysql/connection.js';
import * as dialect from '../../src/mysql/dialect.js';
import { startMariaDbInstances, type MariaDbInstance } from '../services/mariadb.js';

// The rig's real MariaDB must accept every statement the dialect hands out for it.
let source: MariaDbInstance;
let replica: MariaDbInstance;
let src: MysqlConnection;
let rep: MysqlConnection;

beforeAll(async () => {
  [source, replica] = (await startMariaDbInstances([111, 112])) as [MariaDbInstance, MariaDbInstance];
  src = await connectMysql(source);
  rep = await connectMysql(replica);
});

afterAll(async () => {
  await rep?.end();
  await src?.end().catch(() => {});
  await Promise.all([replica?.stop(), source?.stop()]);
});

describe('dialect statements on a real MariaDB', () => {
  it('configures, starts, reads and stops replication with the statements it produces', async () => {
    const info = await serverInfo(rep);
    const d = dialect.parseDialect(info.version);
    expect(d.vendor).toBe('mariadb');
    const change = dialect.changeSource(d, { host: '127.0.0.1', port: source.port, user: source.user, password: source.password, gtid: true });
    await rep.query(change.sql, change.values);
    await rep.query(dialect.startReplica(d));
    const rows = await queryRows(rep, dialect.showReplicaStatus(d));
    expect(rows[0]?.['Master_Port'] ?? rows[0]?.['Source_Port']).toBe(source.port);
    // 10.5.2+ names it SHOW BINLOG STATUS; SHOW MASTER STATUS is only an alias kept for old scripts
    expect(dialect.showBinlogStatus(d)).toBe('SHOW BINLOG STATUS');
    expect((await queryRows(src, dialect.showBinlogStatus(d)))[0]?.['File']).toMatch(/\S/);
    await rep.query(dialect.stopReplica(d));
    await rep.query(dialect.setReadOnly(true));
    expect((await serverInfo(rep)).readOnly).toBe(true);
    await rep.query(dialect.setReadOnly(false));
    await src.query(dialect.resetBinaryLogs(d));
  });
});
