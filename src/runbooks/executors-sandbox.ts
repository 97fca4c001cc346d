import path from 'node:path';
import type { CloudPorts } from '../cloud/ports.js';
import type { AuditLog } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { applySync } from '../haproxy/apply.js';
import { planSync } from '../haproxy/plan.js';
import { sandboxLiveServers } from '../haproxy/sandbox-state.js';
import type { Config } from '../config/schema.js';
import type { SyncSettings } from '../haproxy/sandbox.js';
import { emptyResult, sleepFor, type Executors, type StepIO, type StepResult } from './executors.js';
import type { Inventory } from './inputs.js';
import { awsStep } from './aws-steps.js';
import { haproxyStep } from './world-steps.js';

/**
 * A rehearsal: every step rendered and journaled exactly as in a real run;
 * AWS and HAProxy steps act on the simulated world (the sandbox's group and
 * haproxy record), SSH and SQL steps are answered here with plausible output.
 * Nothing leaves the machine: the sandbox hosts live under `.sandbox.invalid`,
 * a name that can never resolve.
 */
const SANDBOX_HOSTS = {
  'mysql-primary': { host: 'mysql-primary.sandbox.invalid', port: 22, user: 'ops' },
  'mysql-replica': { host: 'mysql-replica.sandbox.invalid', port: 22, user: 'ops' },
  'haproxy-1': { host: 'haproxy-1.sandbox.invalid', port: 22, user: 'ops' },
};

export function sandboxInventory(config: Config, ids: { volume: string; instance: string }): Inventory {
  return {
    hosts: { ...SANDBOX_HOSTS, ...config.hosts },
    mysql: {
      primary: { host: 'mysql-primary.sandbox.invalid', port: 3306, user: 'opsdeck', password: 'rehearsal', role: 'primary', sshHost: 'mysql-primary' },
      replica: { host: 'mysql-replica.sandbox.invalid', port: 3306, user: 'opsdeck', password: 'rehearsal', role: 'replica', sshHost: 'mysql-replica' },
      ...config.mysql,
    },
    defaults: { host: 'mysql-replica', mysql: 'replica', group: 'web-asg', volume: ids.volume, instance: ids.instance },
  };
}

/** Rows a MySQL server would answer to the statements runbooks use; anything else is "ok". */
function sqlAnswer(sql: string): { rows: Record<string, unknown>[] | undefined; text: string } {
  const s = sql.trim().toUpperCase();
  if (/^SHOW (MASTER|BINARY LOG) STATUS/.test(s)) {
    const rows = [{ File: 'mysql-bin.000042', Position: '73581', Binlog_Do_DB: '', Binlog_Ignore_DB: '' }];
    return { rows, text: 'File=mysql-bin.000042 Position=73581' };
  }
  if (/^SHOW (SLAVE|REPLICA) STATUS/.test(s)) {
    const rows = [{ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Seconds_Behind_Master: '0', Master_Log_File: 'mysql-bin.000042', Read_Master_Log_Pos: '73581', Exec_Master_Log_Pos: '73581', Last_Error: '' }];
    return { rows, text: 'Slave_IO_Running=Yes Slave_SQL_Running=Yes Seconds_Behind_Master=0' };
  }
  if (/^SELECT/.test(s)) return { rows: [{ result: '1' }], text: 'result=1' };
  return { rows: undefined, text: 'ok' };
}

export interface SandboxExecutorDeps {
  cloud: () => Promise<CloudPorts>;
  haproxy: () => Promise<SyncSettings>;
  clock: Clock;
  audit: AuditLog;
  /** a pause per answered step so a rehearsal in the TUI can be watched; 0 in tests */
  latencyMs?: number;
}

export function sandboxExecutors(deps: SandboxExecutorDeps): Executors {
  const sessions = new Set<string>();
  const pause = (io: StepIO, ms = deps.latencyMs ?? 0): Promise<void> => (ms <= 0 ? Promise.resolve() : sleepFor(ms, io.signal));
  /** The simulated world's clock moves on instead of the wall clock: a 30-minute wait rehearses in moments. */
  const sleep = async (ms: number, signal: AbortSignal): Promise<void> => {
    const world = (await deps.cloud()) as Partial<{ advance(ms: number): void }>;
    if (typeof world.advance !== 'function') return sleepFor(ms, signal);
    await sleepFor(Math.min(ms, Math.max(0, deps.latencyMs ?? 0)), signal);
    world.advance(ms);
  };
  let poolChecked = false;
  /** A fresh sandbox haproxy has an empty pool until a sync: fill it as the cron's sync would, once, and say so. */
  const settings = async (io: StepIO): Promise<SyncSettings> => {
    const s = await deps.haproxy();
    if (poolChecked) return s;
    poolChecked = true;
    if ((await sandboxLiveServers(s)).length > 0) return s;
    const plan = await planSync({ cloud: await deps.cloud(), fleet: s.fleet, haproxy: s.haproxy, clock: deps.clock, options: { sandbox: true, force: true, signal: io.signal } });
    await applySync(plan, { haproxy: s.haproxy, audit: deps.audit, clock: deps.clock, sandbox: true, lockDir: path.join(path.dirname(s.haproxy.configPath), 'locks') });
    io.output('stdout', `sandbox: the pool was empty; filled it from the simulated fleet as \`opsdeck haproxy sync\` would (${plan.summary.after} servers)\n`);
    return s;
  };
  const say = (io: StepIO, text: string): StepResult => {
    io.output('stdout', text);
    return emptyResult({ stdout: text });
  };
  return {
    rehearsal: true,
    async ssh(host, command, io) {
      await pause(io);
      io.signal.throwIfAborted();
      const c = command.trim();
      if (/^hostname\b/.test(c)) return say(io, `${host}\n`);
      if (/^(true|:)$/.test(c)) return emptyResult();
      return say(io, `rehearsal: ${host} would run: ${c}\n`);
    },
    async sql(target, session, statements, io) {
      await pause(io);
      if (session) sessions.add(session);
      let rows: Record<string, unknown>[] = [];
      let out = '';
      for (const st of statements) {
        io.signal.throwIfAborted();
        const a = sqlAnswer(st.sql);
        if (a.rows) rows = a.rows;
        out += `rehearsal: ${target}> ${a.text}\n`;
      }
      io.output('stdout', out);
      return emptyResult({ stdout: out, rows });
    },
    async mysql(target, operation, _args, io) {
      await pause(io);
      // a healthy simulated pair: the replica runs both threads, the source has coordinates
      const fields: Record<string, unknown> =
        operation === 'replicaStatus' || operation === 'waitReplicating'
          ? { configured: true, io: 'Yes', sql: 'Yes', behind: 0, lastError: '' }
          : operation === 'binlogStatus'
            ? { file: 'mysql-bin.000042', position: '73581', gtid: '0-1-73' }
            : operation === 'alive' || operation === 'waitUp'
              ? { alive: true }
              : operation === 'waitDown'
                ? { alive: false }
                : operation === 'checksumsEqual'
                  ? { tables: 12, chunks: 40, mismatches: 0 }
                  : {};
      const text = `rehearsal: ${target}> ${operation}${Object.keys(fields).length ? ` ${Object.entries(fields).map(([k, v]) => `${k}=${String(v)}`).join(' ')}` : ': ok'}\n`;
      return emptyResult({ stdout: text, fields });
    },
    async closeSession(name) {
      sessions.delete(name);
    },
    openSessions: () => [...sessions],
    async stream(from, to, sizeBytes, io) {
      // A rehearsal moves no data: it shows the progress a real stream would, in a few ticks.
      const total = sizeBytes ?? 64 * 1024 * 1024;
      for (let k = 1; k <= 4; k++) {
        await pause(io, Math.max(0, (deps.latencyMs ?? 0) / 4));
        io.signal.throwIfAborted();
        io.progress({ phase: 'streaming', done: (total * k) / 4, total, rate: total / 4, unit: 'bytes' });
      }
      return say(io, `rehearsal: ${from.host} | ${to.host}: ${total} bytes would stream\n`);
    },
    aws: async (op, args, io) => {
      await pause(io);
      return awsStep(await deps.cloud(), op, args, io, { sleep });
    },
    haproxy: async (action, server, io) => haproxyStep(() => settings(io), action, server, io),
    sleep,
    async close() {
      const released = [...sessions].map((s) => `released rehearsal SQL session "${s}"`);
      sessions.clear();
      return released;
    },
  };
}
