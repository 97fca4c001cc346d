/**
 * `opsdeck db status`: every MySQL server of the config (or the sandbox's),
 * its role, version, replication threads, lag and a verdict. Exit 1 when a
 * replica is broken or a server cannot be reached: a cron check.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../../core/context.js';
import { HOUR, MINUTE } from '../../core/deadline.js';
import { ExitCode, OpsError } from '../../core/errors.js';
import { databaseFleet } from '../../database/index.js';
import { needsAttention, type ServerHealth } from '../../database/health.js';
import { renderTable, stdoutPainter, toJson } from '../output.js';
import type { RegisterArea } from '../types.js';

const lag = (s: ServerHealth): string => (s.replica ? (s.replica.behind === null ? 'NULL' : `${s.replica.behind}s`) : '');

async function status(ctx: CommandContext): Promise<ExitCode> {
  const fleet = await databaseFleet(ctx);
  const servers = await fleet.probeAll();
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

interface DriftOpts {
  target?: string;
  cnf?: string;
  host?: string;
  against?: string;
}

async function drift(ctx: CommandContext, opts: DriftOpts): Promise<ExitCode> {
  const { liveVariables, sshCnfReader } = await import('../../database/live.js');
  const { cnfDrift, serverDrift } = await import('../../database/drift.js');
  const { readMyCnf, localCnfReader } = await import('../../database/mycnf.js');
  if (!opts.target) throw new OpsError('USAGE', 'db drift needs --target NAME', { hint: 'and --cnf PATH (its my.cnf) or --against NAME (another server)' });
  if ((opts.cnf === undefined) === (opts.against === undefined)) throw new OpsError('USAGE', 'db drift compares with one thing: --cnf PATH or --against NAME');
  const live = await liveVariables(ctx, opts.target);
  let report;
  let against: string;
  if (opts.cnf !== undefined) {
    const ssh = opts.host ? await sshCnfReader(ctx, opts.host) : undefined;
    try {
      report = cnfDrift(await readMyCnf(opts.cnf, ssh?.reader ?? localCnfReader, live.version), live.vars, live.version, opts.target);
    } finally {
      ssh?.close();
    }
    against = `${opts.cnf}${opts.host ? ` on ${opts.host}` : ''}`;
  } else {
    const other = await liveVariables(ctx, opts.against ?? '');
    report = serverDrift(other.vars, live.vars, [opts.against ?? '', opts.target]);
    against = opts.against ?? '';
  }
  if (ctx.options.json) ctx.stdout(toJson({ target: opts.target, against, ...report }));
  else {
    const p = stdoutPainter(false);
    if (report.entries.length === 0) ctx.stdout(`${opts.target}: no drift against ${against}`);
    else {
      ctx.stdout(
        renderTable(report.entries, [
          { header: 'VARIABLE', get: (e) => e.name, style: (e) => (e.note ? 'yellow' : undefined) },
          { header: opts.cnf !== undefined ? 'MY.CNF' : (opts.against ?? '').toUpperCase(), get: (e) => e.expected ?? '(not set)' },
          { header: opts.target.toUpperCase(), get: (e) => e.actual ?? '(not set)' },
          { header: opts.cnf !== undefined ? 'WHERE' : 'WHY IT MATTERS', get: (e) => (opts.cnf !== undefined ? (e.where ?? '') : (e.note ?? '')) },
        ], p),
      );
      if (opts.cnf !== undefined) for (const e of report.entries.filter((x) => x.note)) ctx.stdout(`  ${e.name}: ${e.note ?? ''}`);
    }
    for (const e of report.errors) ctx.stdout(p.paint('red', `error: ${e}`));
    for (const w of report.warnings) ctx.stdout(p.paint('yellow', `warning: ${w}`));
  }
  return report.entries.length > 0 || report.errors.length > 0 || report.warnings.length > 0 ? ExitCode.Failed : ExitCode.Ok;
}

interface ChecksumOpts {
  source?: string;
  replica?: string;
}

async function checksum(ctx: CommandContext, opts: ChecksumOpts): Promise<ExitCode> {
  if (!opts.source || !opts.replica) throw new OpsError('USAGE', 'db checksum needs --source NAME and --replica NAME');
  if (ctx.options.sandbox) throw new OpsError('USAGE', 'db checksum reads real tables: the sandbox has none', { hint: 'run it against servers of your config' });
  const { connectByName } = await import('../../database/live.js');
  const { compareData, describeRange } = await import('../../database/checksum.js');
  const { replicationStatus } = await import('../../mysql/replication.js');
  const [src, rep] = await Promise.all([connectByName(ctx, opts.source), connectByName(ctx, opts.replica)]);
  try {
    // between passes: give the replica up to 30 s to apply what was in flight
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 60; i++) {
        const s = await replicationStatus(rep);
        if (!s || s.secondsBehind === 0) return;
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    let last = 0;
    const report = await compareData(src, rep, {
      settle,
      signal: ctx.signal,
      onProgress: (done, total, table) => {
        if (Date.now() - last < 1000 && done !== total) return;
        last = Date.now();
        ctx.stderr(`checksum ${done}/${total} chunks (${table})`);
      },
    });
    if (ctx.options.json) ctx.stdout(toJson({ source: opts.source, replica: opts.replica, ...report }));
    else {
      ctx.stdout(`${report.tables} tables, ${report.chunks} chunks compared; longest statement on ${opts.source}: ${report.longestSourceMs} ms`);
      if (report.mismatches.length === 0) ctx.stdout(`${opts.replica} has ${opts.source}'s data`);
      for (const m of report.mismatches) ctx.stdout(`differs: ${m.table}${m.range ? ` ${describeRange(m)}` : ''}: ${opts.source} ${m.source}, ${opts.replica} ${m.replica}`);
    }
    return report.mismatches.length > 0 ? ExitCode.Failed : ExitCode.Ok;
  } finally {
    src.destroy();
    rep.destroy();
  }
}

export const register: RegisterArea = (program: Command, action) => {
  const db = program.command('db').description('MySQL servers: replication health').addHelpText(
    'after',
    `
Examples:
  opsdeck db status --batch            one line per server: role, threads, lag, verdict
  opsdeck db status --batch --json     for monitoring; exit 1 when a replica is broken or a server unreachable
  opsdeck db drift --target db2 --against db1 --batch          settings that differ between two servers
  opsdeck db drift --target db2 --cnf /etc/mysql/my.cnf --host db2 --batch   the file against what runs`,
  );
  db.command('drift')
    .description('a server\'s live variables against its my.cnf (--cnf, read over SSH with --host) or another server (--against); exit 1 on drift')
    .option('--target <name>', 'the server (a mysql: entry of the config)')
    .option('--cnf <path>', 'its my.cnf, with !include / !includedir followed')
    .option('--host <name>', 'read --cnf on this host of the config (over SSH) instead of locally')
    .option('--against <name>', 'compare with another server instead')
    .action(action<DriftOpts>((ctx, opts) => drift(ctx, opts), { timeoutMs: MINUTE }));
  db.command('checksum')
    .description('is the replica\'s data the source\'s? per-table chunked checksums, differences rechecked after the replica settles; exit 1 on a difference')
    .option('--source <name>', 'the source (a mysql: entry of the config)')
    .option('--replica <name>', 'the replica to compare with it')
    .action(action<ChecksumOpts>((ctx, opts) => checksum(ctx, opts), { timeoutMs: 2 * HOUR }));
  db.command('status').description('role, version, replication threads, lag and a verdict for every MySQL server').action(action((ctx) => status(ctx), { timeoutMs: MINUTE }));
};
