import type { CloudPorts } from '../cloud/ports.js';
import { hasSecretRef, resolveConfigSecret } from '../config/secrets.js';
import { OpsError } from '../core/errors.js';
import { ProgressMeter } from '../core/progress.js';
import type { SyncSettings } from '../haproxy/sandbox.js';
import { connectMysql, mysqlError, type MysqlConnection } from '../mysql/connection.js';
import { execKillable } from '../remote/killable.js';
import { pipeBetween, pipeFailure } from '../remote/pipe.js';
import { connectSsh, type SshConnection } from '../remote/ssh.js';
import { sshTargetFromHost } from '../remote/target.js';
import { emptyResult, sleepFor, type Executors, type StepIO, type StepResult } from './executors.js';
import type { Inventory } from './inputs.js';
import { awsStep } from './aws-steps.js';
import { checksumsEqual, liveness, replicatingArgs, sampleOf, waitForState, waitReplicating, type ReplicaSample } from './mysql-checks.js';
import { mysqlOperation } from './mysql-ops.js';
import { haproxyStep } from './world-steps.js';

/**
 * Executors against real hosts: SSH with host keys checked against
 * known_hosts (never trust-on-first-use), MySQL with placeholders, streams
 * piped through this process with backpressure, HAProxy's runtime API and
 * the cloud ports. Connections are opened on first use and reused by later
 * steps; a named SQL session stays open until its step closes it or the run
 * ends, when it is released and the release is reported.
 */
export interface RealExecutorDeps {
  inventory: Inventory;
  configPath: string | undefined;
  env: NodeJS.ProcessEnv;
  haproxy: () => Promise<SyncSettings>;
  cloud: () => Promise<CloudPorts>;
  /** pauses between polls (waits, busy AWS calls); tests shorten them */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function realExecutors(deps: RealExecutorDeps): Executors {
  const ssh = new Map<string, Promise<SshConnection>>();
  const sessions = new Map<string, { conn: MysqlConnection; target: string; since: number }>();
  const kills: Promise<unknown>[] = [];
  const onKill = (sent: Promise<unknown>): void => {
    kills.push(sent);
  };

  const sshTo = (name: string, io: StepIO): Promise<SshConnection> => {
    const host = deps.inventory.hosts[name];
    if (!host) throw new OpsError('USAGE', `no host "${name}" in the config's hosts: section`, { hint: `known: ${Object.keys(deps.inventory.hosts).join(', ') || 'none'}` });
    let c = ssh.get(name);
    if (!c) {
      c = connectSsh({ ...sshTargetFromHost(host, deps.env), onWarning: (w) => io.output('stderr', `${w}\n`) });
      // A failed connect is not cached: the next step (or a retry) tries again.
      c.catch(() => ssh.delete(name));
      ssh.set(name, c);
    }
    return c;
  };

  const targetOf = (name: string) => {
    const t = deps.inventory.mysql[name];
    if (!t) throw new OpsError('USAGE', `no MySQL target "${name}" in the config's mysql: section`, { hint: `known: ${Object.keys(deps.inventory.mysql).join(', ') || 'none'}` });
    return t;
  };
  /** `as`: log in with another target's account (does the source know the target's user?) */
  const mysqlTo = async (name: string, as = name): Promise<MysqlConnection> => {
    const t = targetOf(name);
    const who = targetOf(as);
    const password = who.password === undefined ? undefined : resolveConfigSecret(deps.configPath, `mysql.${as}.password`, who.password, deps.env);
    return connectMysql({ host: t.host, port: t.port, user: who.user, ...(password === undefined ? {} : { password }) });
  };

  /** An exec whose connection vanished reports no exit status: say so rather than "exited null". */
  const execResult = (r: { code: number | null; signal: string | null; stdout: string; stderr: string }, host: string): StepResult => {
    const dropped = r.code === null && r.signal === null;
    return emptyResult({ exit: r.code, stdout: r.stdout, stderr: dropped ? `${r.stderr}the SSH connection to ${host} dropped before the command reported its exit status\n` : r.stderr });
  };

  return {
    rehearsal: false,

    reveal: (keyPath, value) => (hasSecretRef(value) ? resolveConfigSecret(deps.configPath, keyPath, value, deps.env) : value),

    async ssh(host, command, io) {
      const conn = await sshTo(host, io);
      const r = await execKillable(conn, command, {
        signal: io.signal,
        onKill,
        onStdout: (c) => io.output('stdout', c.toString('utf8')),
        onStderr: (c) => io.output('stderr', c.toString('utf8')),
      });
      if (r.code === null && r.signal === null) ssh.delete(host);
      return execResult(r, host);
    },

    async sql(target, session, statements, io) {
      const held = session ? sessions.get(session) : undefined;
      if (held && held.target !== target) throw new OpsError('USAGE', `session ${session} is open on ${held.target}, not ${target}`);
      const conn = held?.conn ?? (await mysqlTo(target));
      if (session && !held) sessions.set(session, { conn, target, since: Date.now() });
      const onAbort = (): void => conn.destroy();
      io.signal.addEventListener('abort', onAbort, { once: true });
      let rows: Record<string, unknown>[] = [];
      let out = '';
      try {
        for (const st of statements) {
          io.signal.throwIfAborted();
          let res: unknown;
          try {
            // No statement timeout of its own: the step's deadline aborts the signal, which destroys the connection.
            [res] = await conn.query({ sql: st.sql, values: st.values });
          } catch (e) {
            const t = deps.inventory.mysql[target];
            throw mysqlError(e, { host: t?.host ?? target, port: t?.port ?? 0, user: t?.user ?? '?' }, `${st.sql} as`);
          }
          if (Array.isArray(res)) {
            rows = res as Record<string, unknown>[];
            out += `${rows.length} row${rows.length === 1 ? '' : 's'}\n`;
            for (const r of rows.slice(0, 50)) out += `${Object.entries(r).map(([k, v]) => `${k}=${v === null ? 'NULL' : String(v)}`).join(' ')}\n`;
          } else {
            const affected = (res as { affectedRows?: number }).affectedRows;
            out += `ok${affected ? ` (${affected} row${affected === 1 ? '' : 's'} affected)` : ''}\n`;
          }
        }
        io.output('stdout', out);
        return emptyResult({ stdout: out, rows });
      } finally {
        io.signal.removeEventListener('abort', onAbort);
        if (!session) conn.destroy();
      }
    },

    async mysql(target, operation, args, io) {
      const waits = { sleep: deps.sleep ?? sleepFor };
      // "cannot connect" is the answer of these, not their failure
      if (operation === 'alive') {
        const l = await liveness(() => mysqlTo(target));
        const text = `${target} ${l.alive === true ? 'answers' : l.alive === false ? 'does not answer' : `cannot tell: ${l.why}`}\n`;
        return emptyResult({ stdout: text, fields: { alive: l.alive ?? 'unknown' } });
      }
      if (operation === 'acceptsLogin') {
        const as = args['as'];
        if (!as) throw new OpsError('USAGE', 'mysql acceptsLogin needs the argument as (the mysql target whose account to try)');
        try {
          (await mysqlTo(target, as)).destroy();
        } catch (e) {
          throw new OpsError('REFUSED', `${target} does not let ${as}'s account (${targetOf(as).user}) in: ${e instanceof Error ? e.message : String(e)}`, {
            hint: `a whole-datadir copy gives ${as} the accounts of ${target}: make ${as}'s configured user and password valid on ${target} first`,
          });
        }
        const text = `${target} lets ${as}'s account (${targetOf(as).user}) in\n`;
        return emptyResult({ stdout: text });
      }
      if (operation === 'waitDown' || operation === 'waitUp') return waitForState(() => mysqlTo(target), operation === 'waitDown' ? 'down' : 'up', io, waits);
      if (operation === 'waitReplicating') {
        const { samples, intervalMs } = replicatingArgs(args);
        const status = async (): Promise<ReplicaSample> => {
          const conn = await mysqlTo(target);
          try {
            return sampleOf((await mysqlOperation(conn, 'replicaStatus', {})).fields);
          } finally {
            conn.destroy();
          }
        };
        return waitReplicating(status, io, { ...waits, samples, intervalMs });
      }
      if (operation === 'checksumsEqual') {
        const against = args['against'];
        if (!against) throw new OpsError('USAGE', 'mysql checksumsEqual needs the argument against (the other mysql target)');
        const [a, b] = await Promise.all([mysqlTo(target), mysqlTo(against)]);
        try {
          return await checksumsEqual(a, b, { source: target, other: against }, io, waits);
        } catch (e) {
          if (e instanceof OpsError || io.signal.aborted) throw e;
          throw mysqlError(e, { host: deps.inventory.mysql[target]?.host ?? target, port: deps.inventory.mysql[target]?.port ?? 0, user: deps.inventory.mysql[target]?.user ?? '?' }, 'checksums as');
        } finally {
          a.destroy();
          b.destroy();
        }
      }
      // `{{ inputs.x.password }}` renders the config's value, which may be a ${env:}/${file:} reference: resolved here, at use
      const pw = args['password'];
      const resolved = pw !== undefined && hasSecretRef(pw) ? { ...args, password: resolveConfigSecret(deps.configPath, `${operation}.password`, pw, deps.env) } : args;
      const conn = await mysqlTo(target);
      const onAbort = (): void => conn.destroy();
      io.signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await mysqlOperation(conn, operation, resolved);
      } catch (e) {
        if (e instanceof OpsError) throw e;
        const t = deps.inventory.mysql[target];
        throw mysqlError(e, { host: t?.host ?? target, port: t?.port ?? 0, user: t?.user ?? '?' }, `${operation} as`);
      } finally {
        io.signal.removeEventListener('abort', onAbort);
        conn.destroy();
      }
    },

    async closeSession(name) {
      const s = sessions.get(name);
      sessions.delete(name);
      if (s) await s.conn.end().catch(() => s.conn.destroy());
    },

    openSessions: () => [...sessions.keys()],

    async stream(from, to, sizeBytes, io) {
      const [a, b] = await Promise.all([sshTo(from.host, io), sshTo(to.host, io)]);
      // the recent rate (core/progress.ts), so a copy that slows down on the last big file says so in its ETA
      const meter = new ProgressMeter('streaming', sizeBytes, io.progress, Date.now, undefined, 'bytes');
      let last = 0;
      const r = await pipeBetween(
        { conn: a, command: from.command },
        { conn: b, command: to.command },
        {
          signal: io.signal,
          onKill,
          onBytes: (n) => {
            const t = Date.now();
            if (t - last < 200) return;
            last = t;
            meter.reach(n);
          },
        },
      );
      // The failure comes last: the step's error is the last line of stderr, and must name the end that broke.
      const failure = pipeFailure(r, { from: from.host, to: to.host });
      const stderr = [r.from.stderr && `${from.host}: ${r.from.stderr}`, r.to.stderr && `${to.host}: ${r.to.stderr}`, failure && `${failure}\n`].filter(Boolean).join('');
      const code = r.failed ? r[r.failed].code : 0;
      const exit = r.failed && (code === 0 || code === null) ? 1 : code;
      io.output('stdout', `${r.bytes} bytes streamed ${from.host} → ${to.host}\n`);
      return emptyResult({ exit, stdout: r.to.stdout, stderr, bytes: r.bytes, fields: { bytes: r.bytes } });
    },

    aws: async (op, args, io) => awsStep(await deps.cloud(), op, args, io, { sleep: deps.sleep ?? sleepFor }),
    sleep: deps.sleep ?? sleepFor,
    haproxy: async (action, server, io) => haproxyStep(deps.haproxy, action, server, io),

    async close() {
      const released: string[] = [];
      for (const [name, s] of sessions) {
        released.push(`released SQL session "${name}" on ${s.target} (held ${Math.round((Date.now() - s.since) / 1000)}s): any lock it held (FLUSH TABLES WITH READ LOCK) is gone`);
        s.conn.destroy();
      }
      sessions.clear();
      // A cancelled command's kill must reach its host before the connection goes.
      await Promise.all(kills.splice(0));
      for (const c of ssh.values()) c.then((x) => x.close()).catch(() => undefined);
      ssh.clear();
      return released;
    },
  };
}

