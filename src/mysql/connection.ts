import mysql from 'mysql2/promise';
import { REMOTE_DEFAULTS } from '../core/deadline.js';
import { OpsError } from '../core/errors.js';

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database?: string;
  connectTimeoutMs?: number;
}

export type MysqlConnection = mysql.Connection;

export interface ServerInfo {
  version: string;
  /** @@version_comment: names the vendor when VERSION() does not (MariaDB 11 says '11.4.2') */
  comment: string;
  flavor: 'mariadb' | 'mysql';
  readOnly: boolean;
  serverId: number;
}

/** Replaces the password wherever a driver message might echo it. */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('***');
}

function hintFor(code: string | undefined, t: MysqlTarget): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing listens on ${t.host}:${t.port}: is the server running, and is bind-address set so it listens there?`;
    case 'ETIMEDOUT':
    case 'PROTOCOL_SEQUENCE_TIMEOUT':
      return `no answer from ${t.host}:${t.port} in time: check security groups / firewall, that the host is up, and whether the server is overloaded or a statement is blocked (SHOW PROCESSLIST)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name ${t.host} does not resolve`;
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return `check the user and password (secret reference) configured for ${t.user}, and that the account may connect from this host`;
    case 'ER_SPECIFIC_ACCESS_DENIED_ERROR':
      return `grant ${t.user} what the statement needs, e.g. replication status needs REPLICATION CLIENT (MySQL) or SLAVE MONITOR (MariaDB)`;
    case 'ER_BAD_DB_ERROR':
      return `database ${t.database ?? ''} does not exist on ${t.host}:${t.port}`;
    default:
      return `check host, port, user and password for ${t.host}:${t.port}`;
  }
}

/** A dropped or reset link, the server going away, a deadlock or lock-wait victim: the same statement may well succeed on a second try. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'CR_SERVER_GONE_ERROR',
  'CR_SERVER_LOST',
]);
/** The same by number: 1213 deadlock, 1205 lock wait, 1927 connection killed (MariaDB), 1053 shutdown, 2006/2013 server gone/lost (client library numbers). */
const TRANSIENT_ERRNOS = new Set([1213, 1205, 1927, 1053, 2006, 2013]);

/** Whether trying again may work; a wrong password, a missing grant or bad SQL will fail the same way next time. */
export function transientMysql(e: unknown): boolean {
  const err = e as { code?: unknown; errno?: unknown } | null;
  if (typeof err !== 'object' || err === null) return false;
  if (typeof err.code === 'string') return TRANSIENT_CODES.has(err.code);
  if (typeof err.errno === 'number') return TRANSIENT_ERRNOS.has(err.errno);
  // mysql2's "Can't add new command when connection is in closed state": fatal, no code; the link went before the statement
  return connectionUnusable(e);
}

/** mysql2 marks errors after which its connection can take no more statements: only a new connection goes on. */
export function connectionUnusable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { fatal?: unknown }).fatal === true;
}

/** Turns a mysql2 error into an OpsError that names the server but never the password. */
export function mysqlError(e: unknown, t: MysqlTarget, doing: string): OpsError {
  const err = e as { code?: string; message?: string };
  const msg = scrubSecret(err.message ?? String(e), t.password);
  return new OpsError('MYSQL', `${doing} ${t.user}@${t.host}:${t.port} failed: ${msg}`, {
    hint: hintFor(err.code, t),
    retryable: transientMysql(e),
    // The driver error (its `code` says which) for callers that branch on it.
    cause: e,
  });
}

export async function connectMysql(t: MysqlTarget): Promise<MysqlConnection> {
  try {
    const conn = await mysql.createConnection({
      host: t.host,
      port: t.port,
      user: t.user,
      password: t.password ?? '',
      ...(t.database === undefined ? {} : { database: t.database }),
      connectTimeout: t.connectTimeoutMs ?? REMOTE_DEFAULTS.mysqlConnectTimeoutMs,
      // Replication columns hold 64-bit positions: strings keep them exact.
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
    });
    // An idle connection that dies must not crash the process via an unhandled 'error'.
    conn.on('error', () => {});
    return conn;
  } catch (e) {
    throw mysqlError(e, t, 'connecting to MySQL as');
  }
}

type Row = Record<string, unknown>;

/** Who a connection talks to, for messages: never carries the password out. */
function targetOf(conn: MysqlConnection): MysqlTarget {
  const c = conn.config;
  return { host: c.host ?? '?', port: c.port ?? 0, user: c.user ?? '?', ...(c.password ? { password: c.password } : {}) };
}

/**
 * Runs one fixed statement; a server error becomes an OpsError naming server
 * and statement (so `sql` must hold no secret: use conn.query with placeholders).
 */
export async function queryRows(conn: MysqlConnection, sql: string, timeoutMs: number = REMOTE_DEFAULTS.mysqlStatementTimeoutMs): Promise<Row[]> {
  try {
    // mysql2 ends the connection when a statement outlives its timeout: a hung server cannot hold a check forever.
    const [rows] = await conn.query({ sql, timeout: timeoutMs });
    return Array.isArray(rows) ? (rows as Row[]) : [];
  } catch (e) {
    throw mysqlError(e, targetOf(conn), `${sql} as`);
  }
}

export async function serverInfo(conn: MysqlConnection): Promise<ServerInfo> {
  const rows = await queryRows(
    conn,
    'SELECT VERSION() AS version, @@version_comment AS comment, @@global.read_only AS ro, @@server_id AS sid',
  );
  const r = rows[0] ?? {};
  const version = String(r['version'] ?? '');
  const comment = String(r['comment'] ?? '');
  const mariadb = /mariadb/i.test(version) || /mariadb/i.test(comment);
  return {
    version,
    comment,
    flavor: mariadb ? 'mariadb' : 'mysql',
    readOnly: Number(r['ro']) === 1 || r['ro'] === 'ON',
    serverId: Number(r['sid'] ?? 0),
  };
}
