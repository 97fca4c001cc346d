import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitForPort } from './ports.js';

export interface Daemon {
  readonly child: ChildProcess;
  /** What the daemon wrote to stderr and stdout so far (bounded, newest kept). */
  output(): string;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;

// Daemons and temp dirs still there when the test worker exits (a test forgot
// stop(), a hook timed out, a beforeAll half failed) would keep ports and disk:
// kill and remove them on the way out.
const live = new Set<ChildProcess>();
const scratch = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  });
}
function track(child: ChildProcess): void {
  installExitHook();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** A fresh temp dir for one service, removed at worker exit if nobody removed it before. */
export function scratchDir(prefix: string): string {
  installExitHook();
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.add(dir);
  return dir;
}

export function removeScratchDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  scratch.delete(dir);
}

/**
 * Spawns a foreground daemon and waits until it accepts TCP on 127.0.0.1:port.
 * On failure the thrown Error carries the daemon's own output plus `fix`, so a
 * test that cannot get its service fails with something a person can act on.
 */
export async function startDaemon(opts: {
  name: string;
  command: string;
  args: string[];
  port: number;
  timeoutMs: number;
  fix: string;
}): Promise<Daemon> {
  let out = '';
  const child = spawn(opts.command, opts.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const collect = (b: Buffer) => {
    out += b.toString('utf8');
    if (out.length > OUTPUT_LIMIT) out = out.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (e) => {
      spawnError = e;
      exited = true;
      resolve();
    });
  });

  const daemon: Daemon = {
    child,
    output: () => out,
    async stop(graceMs = 5000) {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, graceMs);
      await exitPromise;
      clearTimeout(timer);
    },
  };

  try {
    await waitForPort(opts.port, opts.timeoutMs, { alive: () => !exited });
  } catch (e) {
    await daemon.stop(1000);
    const why = spawnError ? spawnError.message : (e as Error).message;
    const tail = out.trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `${opts.name} did not start: ${why}\n` +
        `command: ${opts.command} ${opts.args.join(' ')}\n` +
        (tail ? `${opts.name} said:\n${tail}\n` : '') +
        `fix: ${opts.fix}`,
    );
  }
  return daemon;
}
