import type { Config } from '../config/schema.js';
import { resolveConfigSecret } from '../config/secrets.js';
import { REMOTE_DEFAULTS } from '../core/deadline.js';
import { isOpsError } from '../core/errors.js';
import { connectMysql } from '../mysql/connection.js';
import { probeServer, unreachable, type ServerHealth } from './health.js';

/**
 * The MySQL servers of the config (or the sandbox's simulated ones), probed
 * in parallel, each within its own deadline: one server that does not answer
 * is shown as unreachable, it does not hold up the others.
 */
export interface DatabaseFleet {
  names(): string[];
  /** every server at once, each bounded by its connect and statement deadlines */
  probeAll(): Promise<ServerHealth[]>;
}

export function configFleet(config: Config, configPath: string | undefined, env: NodeJS.ProcessEnv = process.env): DatabaseFleet {
  const targets = config.mysql;
  return {
    names: () => Object.keys(targets),
    probeAll: () =>
      Promise.all(
        Object.entries(targets).map(async ([name, t]) => {
          let conn;
          try {
            const password = t.password === undefined ? undefined : resolveConfigSecret(configPath, `mysql.${name}.password`, t.password, env);
            conn = await connectMysql({ host: t.host, port: t.port, user: t.user, ...(password === undefined ? {} : { password }), connectTimeoutMs: REMOTE_DEFAULTS.mysqlConnectTimeoutMs });
            return await probeServer(name, `${t.host}:${t.port}`, conn);
          } catch (e) {
            return unreachable(name, `${t.host}:${t.port}`, isOpsError(e) ? e.message : e instanceof Error ? e.message : String(e));
          } finally {
            conn?.destroy();
          }
        }),
      ),
  };
}
