import { loadAt } from '../cloud/sandbox/load.js';
import type { Clock } from '../core/clock.js';
import type { DatabaseFleet } from './fleet.js';
import { classifyReplica, type ServerHealth } from './health.js';

/**
 * The sandbox's servers: a primary, a replica whose lag follows the simulated
 * load (a busy afternoon puts it a few seconds behind), and a second replica
 * broken on purpose with the error a person would meet after a failover.
 */
export function sandboxFleet(clock: Clock, seed = 42): DatabaseFleet {
  return {
    names: () => ['primary', 'replica', 'replica-2'],
    async probeAll() {
      const now = clock.now().getTime();
      const load = loadAt(now, seed);
      const uptime = (days: number): number => Math.floor(days * 86_400 + (now / 1000) % 86_400);
      const base = { vendor: 'mariadb', version: '10.11.6-MariaDB-log' };
      const lagging = { io: 'Yes', sql: 'Yes', behind: Math.round(load * load * 45), lastError: '', source: 'mysql-primary:3306' };
      const broken = { io: 'Yes', sql: 'No', behind: null, lastError: "SQL error 1062: Could not execute Write_rows_v1 event on table shop.orders; Duplicate entry '9' for key 'PRIMARY'", source: 'mysql-primary:3306' };
      const servers: ServerHealth[] = [
        { name: 'primary', address: 'mysql-primary:3306', role: 'source', ...base, readOnly: false, serverId: 1, uptimeSeconds: uptime(380), gtid: '0-1-48213', replica: undefined, health: 'ok', why: 'source (not replicating)' },
        { name: 'replica', address: 'mysql-replica:3306', role: 'replica', ...base, readOnly: true, serverId: 2, uptimeSeconds: uptime(120), gtid: '0-1-48209', replica: lagging, ...classifyReplica(lagging) },
        { name: 'replica-2', address: 'mysql-replica-2:3306', role: 'replica', ...base, readOnly: true, serverId: 3, uptimeSeconds: uptime(2), gtid: '0-1-47750', replica: broken, ...classifyReplica(broken) },
      ];
      return servers;
    },
  };
}
