import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { memoryAuditLog } from '../../src/core/audit.js';
import { systemClock } from '../../src/core/clock.js';
import { runRunbook, type RunOutcome } from '../../src/runbooks/engine.js';
import type { Executors } from '../../src/runbooks/executors.js';
import { realExecutors } from '../../src/runbooks/executors-real.js';
import { resolveInputs, type Inventory } from '../../src/runbooks/inputs.js';
import { parseRunbook, stepHash, type LoadedRunbook } from '../../src/runbooks/load.js';
import type { SshdHandle } from '../services/sshd.js';
import { timeProcess } from './process.js';

/**
 * What the transfer benches share: two "hosts" on one loopback sshd, runbooks
 * run through the real engine, the OpenSSH reference pipeline, and fair
 * alternating rounds (page cache and writeback favour no side).
 */

export function loadedFrom(text: string): LoadedRunbook {
  const runbook = parseRunbook(text, 'bench.yaml');
  return { runbook, file: 'bench.yaml', origin: 'user', hash: 'bench', stepHashes: runbook.steps.map(stepHash), overrides: undefined };
}

/** Hosts `a` and `b` in a config inventory, both the loopback sshd: the bytes still cross two SSH connections. */
export function loopbackInventory(sshd: SshdHandle): Inventory {
  const host = { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath };
  return { hosts: { a: host, b: host }, mysql: {} };
}

export function loopbackExecutors(sshd: SshdHandle): Executors {
  const unused = async (): Promise<never> => Promise.reject(new Error('unused in this bench'));
  return realExecutors({ inventory: loopbackInventory(sshd), configPath: undefined, env: process.env, haproxy: unused, cloud: unused });
}

/** One run of a runbook (its text or a loaded file) through the engine with its fsynced journal, every confirmation given; throws unless it ends done. */
export async function runBenchRunbook(runbook: string | LoadedRunbook, executors: Executors, inventory: Inventory, dir: string, inputs: Record<string, string> = {}): Promise<RunOutcome> {
  const loaded = typeof runbook === 'string' ? loadedFrom(runbook) : runbook;
  const out = await runRunbook(
    { loaded, inputs: resolveInputs(loaded.runbook, inputs, inventory) },
    {
      executors,
      inventory,
      audit: memoryAuditLog(),
      clock: systemClock,
      signal: new AbortController().signal,
      lockDir: path.join(dir, 'locks'),
      runsDir: path.join(dir, 'runs'),
      approve: async (step) => (typeof step.confirm === 'object' ? { by: 'bench', via: 'tui', typed: step.confirm.typed } : { by: 'bench', via: 'yes' }),
      settleUnknown: async () => 'abort',
      onEvent: () => undefined,
    },
  );
  if (out.status !== 'done') throw new Error(`the bench run ended ${out.status}: ${out.message ?? ''}`);
  return out;
}

/** OpenSSH client arguments for the loopback sshd, host key checked; `key` defaults to the rig's client key. */
export function sshArgs(s: SshdHandle, key = s.clientKeyPath): string[] {
  return ['-p', String(s.port), '-i', key, '-o', `UserKnownHostsFile=${s.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `${s.user}@${s.host}`];
}

/** Arguments as one shell word each (the bench's own paths and options, no user input). */
export function shellWords(args: string[]): string {
  return args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}

/** Wall time of `ssh a '<from>' | ssh b '<to>'` with OpenSSH: the reference for every transfer figure. */
export function timeOpensshPipe(sshd: SshdHandle, from: string, to: string): Promise<number> {
  const ssh = `ssh ${shellWords(sshArgs(sshd))}`;
  return timeProcess('bash', ['-o', 'pipefail', '-c', `${ssh} ${shellWords([from])} | ${ssh} ${shellWords([to])}`]);
}

/**
 * Each runner `rounds` times, the order rotated every round, `out` emptied and
 * everything flushed to disk before each run; the median wall time of each.
 */
export async function alternatingMedians<K extends string>(rounds: number, out: string, runners: Record<K, () => Promise<number>>): Promise<Record<K, number>> {
  const names = Object.keys(runners) as K[];
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as K;
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      execFileSync('sync');
      times[name].push(await runners[name]());
    }
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return Object.fromEntries(names.map((n) => [n, median(times[n])])) as Record<K, number>;
}
