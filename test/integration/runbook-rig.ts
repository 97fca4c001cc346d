import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CloudPorts } from '../../src/cloud/ports.js';
import { memoryAuditLog } from '../../src/core/audit.js';
import { systemClock } from '../../src/core/clock.js';
import type { SyncSettings } from '../../src/haproxy/sandbox.js';
import { runRunbook, type Approval, type RunDeps, type RunEvent, type RunOutcome } from '../../src/runbooks/engine.js';
import { sleepFor } from '../../src/runbooks/executors.js';
import { realExecutors } from '../../src/runbooks/executors-real.js';
import { resolveInputs, type Inventory } from '../../src/runbooks/inputs.js';
import type { RunRecord } from '../../src/runbooks/journal.js';
import { loadRunbookFile, type LoadedRunbook } from '../../src/runbooks/load.js';
import type { StepSpec } from '../../src/runbooks/schema.js';
import type { MariaDbHandle } from '../services/mariadb.js';
import type { SshdHandle } from '../services/sshd.js';

/** Config inventory entries pointing at the test rig's real sshd and MariaDB. */
export function rigInventory(sshd: SshdHandle, db?: MariaDbHandle): Inventory {
  const host = { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath };
  return {
    hosts: { alpha: host, beta: host },
    mysql: db ? { db: { host: db.host, port: db.port, user: db.user, ...(db.password ? { password: db.password } : {}) } } : {},
  };
}

export interface RigRun {
  outcome: RunOutcome;
  events: RunEvent[];
  audit: ReturnType<typeof memoryAuditLog>;
  output: string;
}

export class RunbookRig {
  constructor(readonly dir: string) {}

  static async create(): Promise<RunbookRig> {
    return new RunbookRig(await mkdtemp(path.join(os.tmpdir(), 'opsdeck-runbook-')));
  }

  async load(yaml: string): Promise<LoadedRunbook> {
    const name = /^name: (\S+)/m.exec(yaml)?.[1] ?? 'test';
    const file = path.join(this.dir, 'runbooks', `${name}.yaml`);
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(file), { recursive: true }));
    await writeFile(file, yaml);
    return loadRunbookFile(file, 'user');
  }

  async run(
    loaded: LoadedRunbook,
    inv: Inventory,
    opts: {
      inputs?: Record<string, string>;
      approve?: (s: StepSpec) => Approval | undefined | Promise<Approval | undefined>;
      settle?: RunDeps['settleUnknown'];
      signal?: AbortSignal;
      resume?: RunRecord;
      haproxy?: SyncSettings;
      cloud?: CloudPorts;
      onEvent?: (e: RunEvent) => void;
    } = {},
  ): Promise<RigRun> {
    const events: RunEvent[] = [];
    const audit = memoryAuditLog();
    const outcome = await runRunbook(
      { loaded, inputs: opts.resume ? resolveInputs(loaded.runbook, Object.fromEntries(Object.entries(opts.resume.head.inputs).map(([k, v]) => [k, String(v)])), inv) : resolveInputs(loaded.runbook, opts.inputs ?? {}, inv), ...(opts.resume ? { resume: opts.resume } : {}) },
      {
        executors: realExecutors({
          inventory: inv,
          configPath: undefined,
          env: process.env,
          haproxy: async () => {
            if (!opts.haproxy) throw new Error('no haproxy in this test');
            return opts.haproxy;
          },
          // Polls (waits, busy AWS calls) in milliseconds: the behaviour is the same, the test is not slow.
          sleep: (_ms, signal) => sleepFor(5, signal),
          cloud: async () => {
            if (!opts.cloud) throw new Error('no cloud in this test');
            return opts.cloud;
          },
        }),
        inventory: inv,
        audit,
        clock: systemClock,
        signal: opts.signal ?? new AbortController().signal,
        lockDir: path.join(this.dir, 'locks'),
        runsDir: path.join(this.dir, 'runs'),
        approve: async (s) => (opts.approve ? await opts.approve(s) : { by: 'test', via: 'yes' }),
        settleUnknown: opts.settle ?? (async () => 'abort'),
        onEvent: (e) => {
          events.push(e);
          opts.onEvent?.(e);
        },
      },
    );
    const output = events.map((e) => (e.t === 'output' ? e.text : '')).join('');
    return { outcome, events, audit, output };
  }

  async stop(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
