import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * runTui under a real pseudo-terminal (util-linux `script`), because the
 * alternate screen and raw-mode keys only exist on a TTY: the terminal must
 * be given back on quit, on SIGTERM and on a crash.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const ENTER_ALT = '\x1b[?1049h';
const LEAVE_ALT = '\x1b[?1049l';

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  pidFile: string;
}

const runs: Run[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

beforeAll(() => {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error('util-linux `script` is needed to give the TUI a pseudo-terminal: apt-get install -y bsdutils');
});

function start(env: Record<string, string> = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-tui-'));
  dirs.push(dir);
  const pidFile = join(dir, 'pid');
  const cmd = 'stty rows 24 cols 80; exec node --import tsx test/views/fixtures/run-tui.ts';
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    cwd: root,
    env: { ...process.env, ...env, FIXTURE_PIDFILE: pidFile, TERM: 'xterm-256color' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const run = { child, output: () => out, exited, pidFile };
  runs.push(run);
  return run;
}

async function until(run: Run, text: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (Date.now() > end) throw new Error(`no "${text}" from the TUI within ${timeoutMs} ms; output:\n${JSON.stringify(run.output().slice(-2000))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runTui on a real terminal', () => {
  it('draws on the alternate screen and gives the terminal back when q is pressed', async () => {
    const run = start();
    await until(run, 'app-004');
    run.child.stdin!.write('q');
    await until(run, 'runTui returned 0');
    const out = run.output();
    expect(out.indexOf(ENTER_ALT)).toBeGreaterThanOrEqual(0);
    expect(out.lastIndexOf(LEAVE_ALT)).toBeGreaterThan(out.lastIndexOf('app-004'));
    expect(out).toContain('\x1b[?25h');
    expect(await run.exited).toBe(0);
  });

  it('restores the terminal on SIGTERM', async () => {
    const run = start();
    await until(run, 'app-004');
    const pid = Number(readFileSync(run.pidFile, 'utf8'));
    process.kill(pid, 'SIGTERM');
    await run.exited;
    const out = run.output();
    expect(out.lastIndexOf(LEAVE_ALT)).toBeGreaterThan(out.lastIndexOf('app-004'));
    expect(out).not.toContain('runTui returned');
  });

  it('restores the terminal and prints the error (no stack) on an uncaught exception', async () => {
    const run = start({ FIXTURE_MODE: 'crash' });
    await until(run, 'the fixture crashed on purpose');
    await run.exited;
    const out = run.output();
    expect(out.lastIndexOf(LEAVE_ALT)).toBeLessThan(out.indexOf('error: the fixture crashed on purpose'));
    expect(out.lastIndexOf(LEAVE_ALT)).toBeGreaterThan(out.indexOf(ENTER_ALT));
    expect(out).toContain('hint: nothing to do: this is a test');
    expect(out).not.toMatch(/at .*run-tui\.ts/);
  });

  it('restores the terminal on an unhandled rejection and calls it a bug', async () => {
    const run = start({ FIXTURE_MODE: 'rejection' });
    await until(run, 'hint: this is a bug in opsdeck');
    expect(await run.exited).toBe(1);
    const out = run.output();
    expect(out.lastIndexOf(LEAVE_ALT)).toBeLessThan(out.indexOf('error: undefined is not a function (on purpose)'));
    expect(out.lastIndexOf(LEAVE_ALT)).toBeGreaterThan(out.indexOf(ENTER_ALT));
  });

  it('refuses an unknown pane with exit 2 before taking the screen', async () => {
    const run = start({ FIXTURE_PANE: 'bogus' });
    expect(await run.exited).toBe(2);
    const out = run.output();
    expect(out).toContain('error: no pane called "bogus"');
    expect(out).toContain('hint: the panes are fleet, snapshots, runbooks, webcam, scaling, database (or 1-6)');
    expect(out).not.toContain(ENTER_ALT);
  });

  it('opens on the pane given by the caller', async () => {
    // the Database pane on the sandbox: it draws at once and writes nothing (the Webcam pane would play back sandbox frames)
    const run = start({ FIXTURE_PANE: 'database' });
    await until(run, '3 servers');
    run.child.stdin!.write('q');
    await until(run, 'runTui returned 0');
  });
});
