import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStalledServer, type StalledServer } from '../services/stalled.js';

/**
 * Ctrl-C and SIGTERM as a shell or a cron wrapper sends them to a real
 * process: the command cancels cleanly (a rotation lets the deletions in
 * flight finish and frees its lock), then exits 130 / 143.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repo, 'views', 'main.ts');
const tsx = import.meta.resolve('tsx');
let root: string;
let stalled: StalledServer;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-signals-'));
  stalled = await startStalledServer('silent');
});
afterAll(async () => {
  await stalled?.stop();
  rmSync(root, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  home: string;
}

/** Starts opsdeck, sends `sig` once `ready(stderr)` holds, and resolves when the process has ended. */
function runUntil(args: string[], ready: (stderr: string) => boolean, sig: NodeJS.Signals, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  const home = mkdtempSync(path.join(root, 'run-'));
  mkdirSync(path.join(home, 'work'));
  const child = spawn(process.execPath, ['--import', tsx, entry, ...args], {
    cwd: path.join(home, 'work'),
    env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, XDG_STATE_HOME: path.join(home, 'state'), TMPDIR: home, ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let sent = false;
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`opsdeck ${args.join(' ')} did not end; stderr:\n${stderr}`));
    }, 90_000);
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const poll = setInterval(() => {
      if (!sent && ready(stderr)) {
        sent = true;
        child.kill(sig);
      }
    }, 25);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      clearInterval(poll);
      resolve({ code, signal, stderr, home });
    });
  });
}

describe('signals end a batch run cleanly', { timeout: 120_000 }, () => {
  it('Ctrl-C during a rotation stops after the deletions in flight, frees the lock and exits 130', async () => {
    const r = await runUntil(['--sandbox', 'snapshots', 'rotate', '--batch', '--yes'], (e) => /deleting snapshots: [1-9]/.test(e), 'SIGINT');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('cancelling: waiting for the deletions in flight');
    expect(r.stderr).toMatch(/^error: stopped by SIGINT$/m);
    const sandbox = path.join(r.home, `opsdeck-sandbox-${process.getuid!()}`);
    expect(existsSync(path.join(sandbox, 'state', 'locks', 'snapshots-rotate.lock'))).toBe(false);
    // what was deleted before the cancel is on record
    const audit = readFileSync(path.join(sandbox, 'audit.log'), 'utf8').trim().split('\n');
    expect(audit.length).toBeGreaterThan(0);
  });

  it('SIGTERM while a call hangs on a silent endpoint exits 143 at once, not at the deadline', async () => {
    const cfg = path.join(root, 'stalled.yaml');
    writeFileSync(cfg, `aws:\n  region: us-east-1\n  endpoint: ${stalled.url}\n`);
    const before = stalled.connections();
    let sentAt = 0;
    const r = await runUntil(
      ['--config', cfg, 'instances', '--batch', '--timeout', '10m'],
      () => stalled.connections() > before && (sentAt = Date.now()) > 0,
      'SIGTERM',
      { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_CONFIG_FILE: path.join(root, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'none') },
    );
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/^error: stopped by SIGTERM$/m);
    // the hung call is abandoned after a short grace, never held until the 10-minute deadline
    expect(Date.now() - sentAt).toBeLessThan(15_000);
  });

  it.each([
    ['Ctrl-C', 130, '\x03'],
    ['q', 0, 'q'],
  ] as const)('the TUI in a real terminal: %s exits %i', async (_name, code, key) => {
    // script(1) gives the TUI a pseudo-terminal; what we write to its stdin is typed there
    const home = mkdtempSync(path.join(root, 'tui-'));
    const cmd = `${JSON.stringify(process.execPath)} --import ${JSON.stringify(tsx)} ${JSON.stringify(entry)} --sandbox`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      cwd: home,
      env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, XDG_STATE_HOME: path.join(home, 'state'), TMPDIR: home, TERM: 'xterm-256color' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (c: Buffer) => (screen += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const t0 = Date.now();
    while (!screen.includes('Fleet') && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
    expect(screen).toContain('Fleet');
    child.stdin.write(key);
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    expect(await exited).toBe(code);
    clearTimeout(guard);
  });
});

