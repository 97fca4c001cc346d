import { expect } from 'vitest';
import { connectMysql, type MysqlConnection } from '../../src/mysql/connection.js';
import { replicationStatus, type ReplicationStatus } from '../../src/mysql/replication.js';
import { startMariaDbInstances, type MariaDbInstance } from '../services/mariadb.js';

/** Two throwaway MariaDB servers wired source -> replica (GTID, quick reconnects), with a connection to each. */
export interface ReplicaPair {
  source: MariaDbInstance;
  replica: MariaDbInstance;
  src: MysqlConnection;
  rep: MysqlConnection;
  /** the opsdeck.yaml mysql: section naming them db1 (source) and db2 (replica) */
  configYaml(): string;
  stop(): Promise<void>;
}

export async function startReplicaPair(serverIds: [number, number]): Promise<ReplicaPair> {
  const [source, replica] = await startMariaDbInstances(serverIds);
  if (!source || !replica) throw new Error('the rig started fewer than two MariaDB servers');
  const src = await connectMysql(source);
  const rep = await connectMysql(replica);
  await rep.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${source.port}, MASTER_USER=?, MASTER_PASSWORD=?, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`, [source.user, source.password]);
  await rep.query('START SLAVE');
  const db = (d: MariaDbInstance): string => `    host: 127.0.0.1\n    port: ${d.port}\n    user: ${d.user}\n    password: ${d.password}\n`;
  return {
    source,
    replica,
    src,
    rep,
    configYaml: () => `mysql:\n  db1:\n${db(source)}  db2:\n${db(replica)}`,
    async stop() {
      await src.end().catch(() => undefined);
      await rep.end().catch(() => undefined);
      await Promise.all([source.stop(), replica.stop()]);
    },
  };
}

/** Waits (up to 10s) until the replica's threads run and it has applied everything it read. */
export async function waitInStep(pair: Pick<ReplicaPair, 'rep'>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const s = await replicationStatus(pair.rep);
    if (s?.ioRunning && s.sqlRunning && s.secondsBehind === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Breaks replication the way a stray write does in production: a row written
 * on the replica, then the same key written on its source, so the replica's
 * SQL thread stops on a 1062 duplicate key. Asserts that state, so a resync
 * test starts from a replica that is really broken, not merely stopped.
 * `onReplica` and `onSource` are one row's values for `table`; their first
 * column is the key they share.
 */
export async function breakReplication(pair: Pick<ReplicaPair, 'src' | 'rep'>, table: string, onReplica: unknown[], onSource: unknown[]): Promise<ReplicationStatus> {
  const insert = (values: unknown[]): string => `INSERT INTO ${table} VALUES (${values.map(() => '?').join(', ')})`;
  await pair.rep.query(insert(onReplica), onReplica);
  await pair.src.query(insert(onSource), onSource);
  let s = await replicationStatus(pair.rep);
  for (let i = 0; i < 200 && !s?.lastSqlErrno; i++) {
    await new Promise((r) => setTimeout(r, 100));
    s = await replicationStatus(pair.rep);
  }
  expect(s, 'the replica stopped on the duplicate key').toMatchObject({ sqlRunning: false, lastSqlErrno: 1062 });
  expect(s?.lastSqlError).toMatch(/Duplicate entry/);
  if (!s) throw new Error('the replica has no replication status');
  return s;
}
