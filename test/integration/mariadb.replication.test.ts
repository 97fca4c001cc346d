import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql, queryRows, type MysqlConnection } from '../../src/mysql/connection.js';
import { normalizeReplicaRow, replicationStatus } from '../../src/mysql/replication.js';
import { diffVariables, globalVariables } from '../../src/mysql/variables.js';
import { startMariaDbInstances, type MariaDbInstance } from '../services/mariadb.js';

// Two throwaway servers wired as source -> replica: proves the rig can carry
// replication tests and that replicationStatus reads a real replica.
let source: MariaDbInstance;
let replica: MariaDbInstance;
let src: MysqlConnection;
let rep: MysqlConnection;

async function until<T>(what: string, check: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}\nreplica log:\n${replica.logs().slice(-2000)}`);
}

async function orderIds(): Promise<number[]> {
  try {
    const [rows] = await rep.query('SELECT id FROM shop.orders ORDER BY id');
    return (rows as Array<{ id: number }>).map((r) => r.id);
  } catch {
    return []; // the table has not replicated yet
  }
}

beforeAll(async () => {
  [source, replica] = (await startMariaDbInstances([101, 102])) as [MariaDbInstance, MariaDbInstance];
  src = await connectMysql(source);
  rep = await connectMysql(replica);
});

afterAll(async () => {
  await rep?.end();
  await src?.end().catch(() => {});
  await Promise.all([replica?.stop(), source?.stop()]);
});

describe('replicationStatus on a real MariaDB replica', () => {
  it('follows a source, reports its coordinates and catches up on writes', async () => {
    await rep.query(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${source.port}, MASTER_USER=?, MASTER_PASSWORD=?, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`,
      [source.user, source.password],
    );
    await rep.query('START SLAVE');
    await src.query('CREATE DATABASE shop');
    await src.query('CREATE TABLE shop.orders (id INT PRIMARY KEY)');
    await src.query('INSERT INTO shop.orders VALUES (1), (2), (3)');

    const s = await until('replica to run', () => replicationStatus(rep), (x) => x?.ioRunning === true && x.sqlRunning);
    expect(s).toMatchObject({ sourceHost: '127.0.0.1', sourcePort: source.port, sourceUser: source.user, lastIoErrno: 0, lastSqlError: '' });
    expect(s?.gtid.mode).toBe('Slave_Pos');
    expect(await until('rows to arrive', orderIds, (ids) => ids.length === 3)).toEqual([1, 2, 3]);
    // rows are visible at commit, a moment before the SQL thread reports itself caught up
    const caughtUp = await until('replica to report caught up', () => replicationStatus(rep), (x) => x?.secondsBehind === 0);
    expect(caughtUp?.secondsBehind).toBe(0);
    expect(caughtUp?.gtid.ioPos).toMatch(/^0-101-\d+$/);
    expect(caughtUp?.sourceServerId).toBe(101);
    // the legacy statement (what older servers are sent), on the same real replica, reads the same status
    const [legacy] = await queryRows(rep, 'SHOW SLAVE STATUS');
    expect(legacy).toBeDefined();
    const viaLegacy = normalizeReplicaRow(legacy!);
    expect(viaLegacy).toMatchObject({ sourceHost: '127.0.0.1', sourcePort: source.port, sourceUser: source.user, sourceServerId: 101, ioRunning: true, sqlRunning: true });
    expect(viaLegacy.gtid).toEqual(caughtUp?.gtid);
  });

  it('finds no variable drift between source and replica until a setting changes on one', async () => {
    expect(diffVariables(await globalVariables(src), await globalVariables(rep))).toEqual([]);
    await rep.query('SET GLOBAL max_connections = 77');
    try {
      expect(diffVariables(await globalVariables(src), await globalVariables(rep))).toEqual([{ name: 'max_connections', a: '151', b: '77' }]);
    } finally {
      await rep.query('SET GLOBAL max_connections = 151');
    }
  });

  it('tells which privilege is missing when the account may not read replica status', async () => {
    await rep.query("SET SESSION sql_log_bin = 0");
    await rep.query("CREATE USER 'watcher'@'127.0.0.1' IDENTIFIED BY 'w4tch-Pw'");
    const watcher = await connectMysql({ ...replica, user: 'watcher', password: 'w4tch-Pw' });
    try {
      const e = await replicationStatus(watcher).catch((err: unknown) => err);
      expect(e).toMatchObject({ code: 'MYSQL', hint: expect.stringContaining('SLAVE MONITOR') });
      expect((e as Error).message).toContain(`watcher@127.0.0.1:${replica.port}`);
      expect((e as Error).message).not.toContain('w4tch-Pw');
    } finally {
      await watcher.end();
    }
  });

  it('shows a stopped SQL thread and a lost source the way an operator needs to see them', async () => {
    await rep.query('STOP SLAVE SQL_THREAD');
    const sqlStopped = await until('SQL thread to stop', () => replicationStatus(rep), (x) => x?.sqlRunning === false);
    expect(sqlStopped?.ioRunning).toBe(true);
    expect(sqlStopped?.secondsBehind).toBeNull();
    await rep.query('START SLAVE SQL_THREAD');

    await src.end();
    await source.stop();
    const lost = await until('IO thread to lose the source', () => replicationStatus(rep), (x) => x?.ioRunning === false && x.lastIoErrno !== 0);
    expect(lost?.ioState).toBe('Connecting');
    expect(lost?.lastIoError).toMatch(/connect/i);
  });
});
