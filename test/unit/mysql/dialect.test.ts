import { describe, expect, it } from 'vitest';
import { changeSource, parseDialect, resetBinaryLogs, showBinlogStatus, showReplicaStatus, stopReplica } from '../../../src/mysql/dialect.js';

const src = { host: 'db1', port: 3306, user: 'repl', password: "p'w" };

describe('SQL dialect per server version', () => {
  it.each([
    ['10.3.39-MariaDB', '', 'STOP SLAVE', 'SHOW SLAVE STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'],
    ['10.11.6-MariaDB-0+deb12u1', 'Debian 12', 'STOP REPLICA', 'SHOW REPLICA STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'],
    ['11.4.2', 'MariaDB Server', 'STOP REPLICA', 'SHOW REPLICA STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'],
    ['5.7.44-log', 'MySQL Community Server (GPL)', 'STOP SLAVE', 'SHOW SLAVE STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'],
    ['8.0.21', 'MySQL Community Server - GPL', 'STOP SLAVE', 'SHOW SLAVE STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'],
    ['8.0.22', '', 'STOP REPLICA', 'SHOW REPLICA STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'],
    ['8.0.23', '', 'STOP REPLICA', 'SHOW REPLICA STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'],
    ['8.4.3', '', 'STOP REPLICA', 'SHOW REPLICA STATUS', 'SHOW BINARY LOG STATUS', 'RESET BINARY LOGS AND GTIDS'],
  ])('%s %s', (version, comment, stop, show, binlog, reset) => {
    const d = parseDialect(version, comment);
    expect([stopReplica(d), showReplicaStatus(d), showBinlogStatus(d), resetBinaryLogs(d)]).toEqual([stop, show, binlog, reset]);
  });

  it('CHANGE MASTER below MySQL 8.0.23 and on MariaDB; CHANGE REPLICATION SOURCE from 8.0.23', () => {
    expect(changeSource(parseDialect('8.0.22'), { ...src, gtid: true })).toBe(
      "CHANGE MASTER TO MASTER_HOST='db1', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='p\\'w', MASTER_AUTO_POSITION=1");
    expect(changeSource(parseDialect('8.0.23'), { ...src, gtid: false, logFile: 'bin.000002', logPos: 4 })).toBe(
      "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db1', SOURCE_PORT=3306, SOURCE_USER='repl', SOURCE_PASSWORD='p\\'w', SOURCE_LOG_FILE='bin.000002', SOURCE_LOG_POS=4");
    expect(changeSource(parseDialect('10.11.6-MariaDB'), { ...src, gtid: true })).toContain('CHANGE MASTER TO MASTER_HOST=');
    expect(changeSource(parseDialect('10.11.6-MariaDB'), { ...src, gtid: true })).toMatch(/MASTER_USE_GTID=slave_pos$/);
  });

  it('refuses a version it cannot read', () => {
    expect(() => parseDialect('garbage')).toThrow(/cannot read a server version/);
  });
});
