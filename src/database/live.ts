import type { CommandContext } from '../core/context.js';
import { resolveConfigSecret } from '../config/secrets.js';
import { OpsError } from '../core/errors.js';
import { shellQuote } from '../core/shell.js';
import { closest } from '../core/suggest.js';
import { connectMysql, serverInfo, type MysqlConnection } from '../mysql/connection.js';
import { globalVariables } from '../mysql/variables.js';
import { connectSsh } from '../remote/ssh.js';
import { sshTargetFromHost } from '../remote/target.js';
import type { CnfReader } from './mycnf.js';

/** A server's live variables (SHOW GLOBAL VARIABLES) and version, from the config's mysql: targets or the sandbox. */
export async function liveVariables(ctx: Pick<CommandContext, 'options' | 'config' | 'configPath'>, name: string): Promise<{ vars: Map<string, string>; version: string }> {
  if (ctx.options.sandbox) return sandboxVariables(name);
  const conn = await connectByName(ctx, name);
  try {
    const [vars, info] = await Promise.all([globalVariables(conn), serverInfo(conn)]);
    return { vars, version: info.version };
  } finally {
    conn.destroy();
  }
}

/** A connection to a server of the config's mysql: section, by name. */
export async function connectByName(ctx: Pick<CommandContext, 'config' | 'configPath'>, name: string): Promise<MysqlConnection> {
  const t = ctx.config.mysql[name];
  if (!t) {
    const near = closest(name, Object.keys(ctx.config.mysql));
    throw new OpsError('USAGE', `no MySQL server "${name}" in the config's mysql: section`, { hint: `${near ? `did you mean "${near}"? ` : ''}known: ${Object.keys(ctx.config.mysql).join(', ') || 'none'}` });
  }
  const password = t.password === undefined ? undefined : resolveConfigSecret(ctx.configPath, `mysql.${name}.password`, t.password);
  return connectMysql({ host: t.host, port: t.port, user: t.user, ...(password === undefined ? {} : { password }) });
}

/** The sandbox's servers carry the seed's lesson: the replica came up without the primary's temp table sizes. */
function sandboxVariables(name: string): { vars: Map<string, string>; version: string } {
  const base: Record<string, string> = {
    tmp_table_size: '67108864',
    max_heap_table_size: '67108864',
    innodb_buffer_pool_size: '4294967296',
    innodb_flush_log_at_trx_commit: '1',
    sync_binlog: '1',
    max_connections: '500',
    server_id: '1',
  };
  const byName: Record<string, Record<string, string>> = {
    primary: base,
    replica: { ...base, tmp_table_size: '16777216', max_heap_table_size: '16777216', server_id: '2' },
    'replica-2': { ...base, innodb_flush_log_at_trx_commit: '2', server_id: '3' },
  };
  const vars = byName[name];
  if (!vars) throw new OpsError('USAGE', `no sandbox MySQL server "${name}"`, { hint: 'the sandbox has primary, replica and replica-2' });
  return { vars: new Map(Object.entries(vars)), version: '10.11.6-MariaDB-log' };
}

/** Read a my.cnf and its includes on a host of the config's hosts: section, over SSH. */
export async function sshCnfReader(ctx: Pick<CommandContext, 'config'>, hostName: string): Promise<{ reader: CnfReader; close(): void }> {
  const h = ctx.config.hosts[hostName];
  if (!h) throw new OpsError('USAGE', `no host "${hostName}" in the config's hosts: section`, { hint: `known: ${Object.keys(ctx.config.hosts).join(', ') || 'none'}` });
  const conn = await connectSsh(sshTargetFromHost(h));
  const run = async (cmd: string, what: string): Promise<string> => {
    const r = await conn.exec(cmd, { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`${what} on ${hostName}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  };
  return {
    reader: {
      read: (f) => run(`cat ${shellQuote(f)}`, `reading ${f}`),
      list: async (d) => (await run(`ls -1 ${shellQuote(d)}`, `listing ${d}`)).split('\n').filter(Boolean).map((n) => `${d.replace(/\/$/, '')}/${n}`),
    },
    close: () => conn.close(),
  };
}
