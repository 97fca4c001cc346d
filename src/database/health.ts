import { queryRows, serverInfo, type MysqlConnection } from '../mysql/connection.js';
import { parseDialect } from '../mysql/dialect.js';
import { replicationStatus, type ReplicationStatus } from '../mysql/replication.js';

/**
 * One MySQL server as the Database pane and `opsdeck db status` see it: who
 * it is, whether it replicates, and a verdict a tired person can act on.
 */
export type Health = 'ok' | 'lagging' | 'broken' | 'unreachable';

export interface ReplicaView {
  io: string;
  sql: string;
  /** Seconds_Behind_*: null when the SQL thread is stopped or the IO thread is not connected */
  behind: number | null;
  lastError: string;
  source: string;
}

export interface ServerHealth {
  name: string;
  /** host:port as opsdeck reaches it: how a replica's source is matched to a server of the list */
  address: string;
  role: 'source' | 'replica' | 'unknown';
  vendor: string;
  version: string;
  readOnly: boolean | undefined;
  serverId: number | undefined;
  uptimeSeconds: number | undefined;
  /** the server's GTID position: MariaDB @@gtid_current_pos, MySQL @@gtid_executed ('' when GTIDs are off) */
  gtid: string | undefined;
  replica: ReplicaView | undefined;
  health: Health;
  /** why the verdict, in a line: "SQL thread stopped: Duplicate entry '9' for key 'PRIMARY'" */
  why: string;
}

/** Lag above this is "lagging" (still replicating, but reads there are stale). */
export const LAG_WARN_SECONDS = 30;

export function classifyReplica(r: ReplicaView): { health: Health; why: string } {
  if (r.lastError) return { health: 'broken', why: r.lastError };
  if (r.io !== 'Yes') return { health: 'broken', why: `IO thread ${r.io === 'Connecting' ? 'cannot connect to' : 'not running from'} ${r.source}` };
  if (r.sql !== 'Yes') return { health: 'broken', why: 'SQL thread stopped' };
  if (r.behind === null) return { health: 'lagging', why: 'lag unknown' };
  if (r.behind > LAG_WARN_SECONDS) return { health: 'lagging', why: `${r.behind}s behind ${r.source}` };
  return { health: 'ok', why: r.behind === 0 ? `in step with ${r.source}` : `${r.behind}s behind ${r.source}` };
}

export function replicaView(s: ReplicationStatus): ReplicaView {
  const err = s.lastSqlError || s.lastIoError;
  return {
    io: s.ioState || 'No',
    sql: s.sqlRunning ? 'Yes' : 'No',
    behind: s.secondsBehind,
    lastError: err ? `${s.lastSqlError ? 'SQL' : 'IO'} error ${s.lastSqlError ? s.lastSqlErrno : s.lastIoErrno}: ${err}` : '',
    source: `${s.sourceHost}:${s.sourcePort}`,
  };
}

async function gtidPosition(conn: MysqlConnection, flavor: 'mariadb' | 'mysql'): Promise<string | undefined> {
  try {
    const [r] = await queryRows(conn, flavor === 'mariadb' ? 'SELECT @@global.gtid_current_pos AS g' : 'SELECT @@global.gtid_executed AS g');
    return String(r?.['g'] ?? '');
  } catch {
    return undefined; // an old server without GTIDs
  }
}

/** Everything about one server, over one connection. */
export async function probeServer(name: string, address: string, conn: MysqlConnection): Promise<ServerHealth> {
  const info = await serverInfo(conn);
  const [up] = await queryRows(conn, "SHOW GLOBAL STATUS LIKE 'Uptime'");
  const rep = await replicationStatus(conn, parseDialect(info.version, info.comment));
  const gtid = await gtidPosition(conn, info.flavor);
  const replica = rep ? replicaView(rep) : undefined;
  const verdict = replica ? classifyReplica(replica) : { health: 'ok' as const, why: info.readOnly ? 'not replicating, read-only' : 'source (not replicating)' };
  return {
    name,
    address,
    role: replica ? 'replica' : 'source',
    vendor: info.flavor,
    version: info.version,
    readOnly: info.readOnly,
    serverId: info.serverId,
    uptimeSeconds: up ? Number(up['Value']) : undefined,
    gtid,
    replica,
    ...verdict,
  };
}

export function unreachable(name: string, address: string, message: string): ServerHealth {
  return { name, address, role: 'unknown', vendor: '', version: '', readOnly: undefined, serverId: undefined, uptimeSeconds: undefined, gtid: undefined, replica: undefined, health: 'unreachable', why: message };
}

/** A cron check fails when a replica is broken or any server cannot be reached. */
export const needsAttention = (s: ServerHealth): boolean => s.health === 'broken' || s.health === 'unreachable';

/** The replication topology as lines of a small tree: each source, the replicas that follow it below. */
export function topologyLines(servers: readonly ServerHealth[]): string[] {
  const byAddress = new Map(servers.map((s) => [s.address, s]));
  const children = new Map<string, ServerHealth[]>();
  const roots: string[] = [];
  for (const s of servers) {
    const parent = s.replica ? (byAddress.get(s.replica.source)?.name ?? s.replica.source) : undefined;
    if (parent === undefined) {
      roots.push(s.name);
      continue;
    }
    if (!byAddress.has(s.replica?.source ?? '') && !roots.includes(parent)) roots.push(parent);
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const out: string[] = [];
  const walk = (name: string, prefix: string, depth: number): void => {
    const kids = children.get(name) ?? [];
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      out.push(`${prefix}${last ? '└─' : '├─'} ${k.name}  ${k.health}${k.replica?.behind ? ` ${k.replica.behind}s behind` : ''}`);
      if (depth < 8) walk(k.name, `${prefix}${last ? '   ' : '│  '}`, depth + 1);
    });
  };
  for (const r of roots) {
    out.push(byAddress.has(r) || servers.some((s) => s.name === r) ? r : `${r} (not in the config)`);
    walk(r, '', 0);
  }
  return out;
}
