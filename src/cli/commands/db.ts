/**
 * `opsdeck db status`: every MySQL server of the config (or the sandbox's),
 * its role, version, replication threads, lag and a verdict. Exit 1 when a
 * replica is broken or a server cannot be reached: a cron check.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../../core/context.js';
import { MINUTE } from '../../core/deadline.js';
import { ExitCode } from '../../core/errors.js';
import { databaseFleet } from '../../database/index.js';
import { needsAttention, type ServerHealth } from '../../database/health.js';
import { renderTable, stdoutPainter, toJson } from '../output.js';
import type { RegisterArea } from '../types.js';

const lag = (s: ServerHealth): string => (s.replica ? (s.replica.behind === null ? 'NULL' : `${s.replica.behind}s`) : '');

async function status(ctx: CommandContext): Promise<ExitCode> {
  const fleet = await databaseFleet(ctx);
  const servers = await fleet.probeAll(ctx.signal);
  if (ctx.options.json) ctx.stdout(toJson({ servers, attention: servers.filter(needsAttention).map((s) => s.name) }));
  else {
    const p = stdoutPainter(false);
    const tone = { ok: 'green', lagging: 'yellow', broken: 'red', unreachable: 'red' } as const;
    ctx.stdout(
      renderTable(servers, [
        { header: 'SERVER', get: (s) => s.name },
        { header: 'ROLE', get: (s) => s.role },
        { header: 'VERSION', get: (s) => s.version },
        { header: 'IO/SQL', get: (s) => (s.replica ? `${s.replica.io}/${s.replica.sql}` : '') },
        { header: 'LAG', get: lag, align: 'right' },
        { header: 'RO', get: (s) => (s.readOnly === undefined ? '' : s.readOnly ? 'yes' : 'no') },
        { header: 'HEALTH', get: (s) => s.health, style: (s) => tone[s.health] },
        { header: 'WHY', get: (s) => s.why },
      ], p),
    );
    if (ctx.options.sandbox) ctx.stderr('sandbox: simulated servers; replica-2 is broken on purpose');
  }
  return servers.some(needsAttention) ? ExitCode.Failed : ExitCode.Ok;
}

export const register: RegisterArea = (program: Command, action) => {
  const db = program.command('db').description('MySQL servers: replication health').addHelpText(
    'after',
    `
Examples:
  opsdeck db status --batch            one line per server: role, threads, lag, verdict
  opsdeck db status --batch --json     for monitoring; exit 1 when a replica is broken or a server unreachable`,
  );
  db.command('status').description('role, version, replication threads, lag and a verdict for every MySQL server').action(action((ctx) => status(ctx), { timeoutMs: MINUTE }));
};
