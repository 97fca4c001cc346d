import { describe, expect, it } from 'vitest';
import { changeSource, parseDialect, resetBinaryLogs, showBinlogStatus, showReplicaStatus, stopReplica } from '../../../src/mysql/dialect.js';

const src = { host: 'db1', port: 3306, user: 'repl', password: "p'w" };

describe('SQL dialect per server version', () => {
  it.each([
    ['10.3.39-MariaDB', '', 'STOP SLAVE', 'SHOW SLAVE STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'],
    ['10.4.34-MariaDB', '', 'STOP SLAVE', 'SHOW SLAVE STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'],
    // REPLICA arrived in 10.5.1, SHOW BINLOG STATUS one release later
    ['10.5.1-MariaDB', '', 'STOP REPLICA', 'SHOW REPLICA STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'],
    ['10.5.2-MariaDB', '', 'STOP REPLICA', 'SHOW REPLICA STATUS', 'SHOW BINLOG STATUS', 'RESET MASTER'],
    ['10.5.27-MariaDB-log', 'MariaDB Server', 'STOP REPLICA', 'SHOW REPLICA STATUS', 'SHOW BINLOG STATUS', 'RESET MASTER'],
    ['10.11.6-MariaDB-0+deb12u1', 'Debian 12', 'STOP REPLICA', 'SHOW REPLICA STATUS', 'SHOW BINLOG STATUS', 'RESET MASTER'],
    ['11.4.2', 'MariaDB Server', 'STOP REPLICA', 'SHOW REPLICA STATUS', 'SHOW BINLOG STATUS', 'RESET MASTER'],
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
    expect(changeSource(parseDialect('8.0.22'), { ...src, gtid: true })).toEqual({
      sql: 'CHANGE MASTER TO MASTER_HOST=?, MASTER_PORT=?, MASTER_USER=?, MASTER_PASSWORD=?, MASTER_AUTO_POSITION=1',
      values: ['db1', 3306, 'repl', "p'w"],
    });
    expect(changeSource(parseDialect('8.0.23'), { ...src, gtid: false, logFile: 'bin.000002', logPos: 4 })).toEqual({
      sql: 'CHANGE REPLICATION SOURCE TO SOURCE_HOST=?, SOURCE_PORT=?, SOURCE_USER=?, SOURCE_PASSWORD=?, SOURCE_LOG_FILE=?, SOURCE_LOG_POS=?',
      values: ['db1', 3306, 'repl', "p'w", 'bin.000002', 4],
    });
    const maria = changeSource(parseDialect('10.11.6-MariaDB'), { ...src, gtid: true });
    expect(maria.sql).toMatch(/^CHANGE MASTER TO MASTER_HOST=\?.*MASTER_USE_GTID=slave_pos$/);
    // the password is never in the SQL text
    expect(maria.sql).not.toContain("p'w");
  });

  it('refuses a version it cannot read', () => {
    expect(() => parseDialect('garbage')).toThrow(/cannot read a server version/);
  });
});

describe('resetReplicaAll and pointAt', () => {
  it('say RESET/CHANGE in the words each server accepts, values as placeholders', async () => {
    const { parseDialect, resetReplicaAll, pointAt } = await import('../../../src/mysql/dialect.js');
    expect(resetReplicaAll(parseDialect('10.4.31-MariaDB'))).toBe('RESET SLAVE ALL');
    expect(resetReplicaAll(parseDialect('10.11.6-MariaDB-0+deb12u1'))).toBe('RESET REPLICA ALL');
    expect(resetReplicaAll(parseDialect('8.0.21'))).toBe('RESET SLAVE ALL');
    expect(resetReplicaAll(parseDialect('8.4.0'))).toBe('RESET REPLICA ALL');
    expect(pointAt(parseDialect('8.0.23'), { host: 'db1', port: 3306, user: 'repl', password: 'pw' })).toEqual({ sql: 'CHANGE REPLICATION SOURCE TO SOURCE_HOST=?, SOURCE_PORT=?, SOURCE_USER=?, SOURCE_PASSWORD=?', values: ['db1', 3306, 'repl', 'pw'] });
    expect(pointAt(parseDialect('10.11.6-MariaDB'), { host: 'db1', port: 3306, user: 'repl', password: 'pw' }).sql).toBe('CHANGE MASTER TO MASTER_HOST=?, MASTER_PORT=?, MASTER_USER=?, MASTER_PASSWORD=?');
  });
});
