import { connectMysql, type MysqlConnection } from '../../src/mysql/connection.js';
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
