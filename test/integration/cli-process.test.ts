import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The CLI as cron sees it: a real process, no TTY, run from source. Each run
 * gets its own HOME / XDG dirs and working directory so no config on this
 * machine leaks in.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repo, 'views', 'main.ts');
const tsx = import.meta.resolve('tsx');
const root = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function sandboxHome(): { cwd: string; env: NodeJS.ProcessEnv } {
  const dir = path.join(root, `run${n++}`);
  const cwd = path.join(dir, 'work');
  for (const d of [cwd, path.join(dir, 'config'), path.join(dir, 'state')]) rmSync(d, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', cwd, path.join(dir, 'config'), path.join(dir, 'state')]);
  return {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      XDG_STATE_HOME: path.join(dir, 'state'),
      TMPDIR: dir,
    },
  };
}

function opsdeck(args: string[], home = sandboxHome(), extraEnv: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', tsx, entry, ...args], {
    cwd: home.cwd,
    env: { ...home.env, ...extraEnv },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    // each spawn starts tsx with a cold cache in its own TMPDIR: 10-15 s on a loaded 2-core machine
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (s: string): void => expect(s).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);

describe('opsdeck as a process (no TTY)', { timeout: 180_000 }, () => {
  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    const r = opsdeck(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--help lists the global flags, the commands and the exit codes', () => {
    const r = opsdeck(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--sandbox', '--read-only', '--config', '--profile', '--region', '--batch', '--json', '--yes']) expect(r.stdout).toContain(flag);
    for (const cmd of ['instances', 'haproxy', 'snapshots', 'config', 'init', 'tui']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    expect(r.stdout).toContain('4 another run holds the lock');
  });

  it('an unknown flag is a one-line error, a hint and exit 2, without a stack trace', () => {
    const r = opsdeck(['instances', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown option '--frobnicate'/);
    expect(r.stderr).toContain('opsdeck --help');
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    noStack(r.stderr);
  });

  it('an unknown command and a bad option value exit 2', () => {
    const unknown = opsdeck(['snapshotz']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command 'snapshotz' \(did you mean snapshots\?\)\nhint: .*opsdeck --help/);
    const bad = opsdeck(['instances', '--state', 'sleeping']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('running');
  });

  it('bare opsdeck without a terminal prints a short usage and exits 2', () => {
    const r = opsdeck([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^usage: opsdeck/);
    expect(r.stdout).toBe('');
  });

  it('instances --batch --json --sandbox lists the sandbox fleet as stable JSON', () => {
    const r = opsdeck(['instances', '--batch', '--json', '--sandbox']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const { instances } = JSON.parse(r.stdout) as { instances: Record<string, unknown>[] };
    expect(instances.length).toBeGreaterThanOrEqual(6);
    for (const i of instances) {
      expect(Object.keys(i)).toEqual(['id', 'name', 'state', 'availabilityZone', 'instanceType', 'imageId', 'privateIp', 'publicIp', 'launchTime']);
      expect(i.id).toMatch(/^i-[0-9a-f]+$/);
      if (i.launchTime !== null) expect(new Date(i.launchTime as string).toISOString()).toBe(i.launchTime);
      expect(Object.values(i)).not.toContain(undefined);
    }
    expect(instances.some((i) => i.state === 'running')).toBe(true);
  });

  it('with no config anywhere it runs on the sandbox and says so on stderr', () => {
    const r = opsdeck(['instances', '--state', 'running']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('no config found: using the sandbox\n');
    expect(r.stdout).toMatch(/^ID\s+NAME\s+STATE/);
    expect(r.stdout).toMatch(/running \(sandbox\)\n$/);
    expect(r.stdout).not.toContain('stopped');
  });

  it('an unreachable AWS endpoint is one error line and exit 1, never a stack trace', () => {
    const home = sandboxHome();
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    writeFileSync(path.join(home.cwd, 'opsdeck.yaml'), 'aws:\n  region: us-east-1\n  endpoint: http://127.0.0.1:9\n');
    const r = opsdeck(['instances'], home, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-secret', AWS_MAX_ATTEMPTS: '1' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: ECONNREFUSED: .*\nhint: no answer from the AWS endpoint.*\n$/);
    noStack(r.stderr);
  });

  it('a bad config exits 2 with file:line:col, key path and expectation per problem', () => {
    const home = sandboxHome();
    writeFileSync(path.join(home.cwd, 'opsdeck.yaml'), 'fleet:\n  port: http\n  adress: public\n');
    const r = opsdeck(['config', 'check'], home);
    expect(r.code).toBe(2);
    const file = path.join(home.cwd, 'opsdeck.yaml');
    expect(r.stderr).toContain(`${file}:2:9  fleet.port  expected number, got "http"`);
    expect(r.stderr).toContain(`${file}:3:3  fleet.adress  unknown key "adress": did you mean "address"?`);
    noStack(r.stderr);
    // Every command refuses to run on a bad config, not just `config check`.
    expect(opsdeck(['instances', '--json'], home).code).toBe(2);
  });

  it('a missing --config file exits 2 and suggests opsdeck init', () => {
    const r = opsdeck(['--config', '/nonexistent/opsdeck.yaml', 'instances']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config file not found: /nonexistent/opsdeck.yaml');
    expect(r.stderr).toContain('opsdeck init');
  });

  it('init writes a starter config that config check accepts, and refuses to overwrite it', () => {
    const home = sandboxHome();
    const init = opsdeck(['init'], home);
    expect(init.code).toBe(0);
    const file = path.join(home.cwd, 'opsdeck.yaml');
    expect(init.stdout).toContain(file);
    // the starter leaves the region to the environment: without one, check says so
    const noRegion = opsdeck(['config', 'check'], home);
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain('region: not set');
    const check = opsdeck(['config', 'check'], home, { AWS_REGION: 'eu-west-1' });
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`${file}: valid`);

    const again = opsdeck(['init'], home);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(opsdeck(['init', '--force'], home).code).toBe(0);

    const elsewhere = opsdeck(['init', '--path', 'conf/other.yaml'], home);
    expect(elsewhere.code).toBe(0);
    expect(opsdeck(['--config', 'conf/other.yaml', 'config', 'check', '--json'], home, { AWS_REGION: 'eu-west-1' }).code).toBe(0);
  });

  it('config check never prints secret values, only references and whether they resolve', () => {
    const home = sandboxHome();
    writeFileSync(path.join(home.cwd, 'pw.txt'), 'file-secret-42\n');
    writeFileSync(
      path.join(home.cwd, 'opsdeck.yaml'),
      'aws:\n  region: us-east-1\nmysql:\n  primary:\n    password: ${env:OPS_DB_PW}\n  replica:\n    password: ${file:pw.txt}\n  legacy:\n    password: literal-hunter2\n',
    );
    const env = { OPS_DB_PW: 'env-secret-17' };
    for (const args of [['config', 'check'], ['config', 'check', '--json']]) {
      const r = opsdeck(args, home, env);
      expect(r.code).toBe(0);
      const all = r.stdout + r.stderr;
      for (const secret of ['env-secret-17', 'file-secret-42', 'literal-hunter2']) expect(all).not.toContain(secret);
      expect(all).toContain('${env:OPS_DB_PW}');
      expect(r.stderr).toContain('mysql.legacy.password holds a literal secret');
    }
    const json = JSON.parse(opsdeck(['config', 'check', '--json'], home, env).stdout);
    expect(json.secrets).toEqual([
      { keyPath: 'mysql.primary.password', refs: ['${env:OPS_DB_PW}'], resolvable: true },
      { keyPath: 'mysql.replica.password', refs: ['${file:pw.txt}'], resolvable: true },
    ]);
    expect(json.config.mysql.legacy.password).toBe('[redacted]');

    const unset = opsdeck(['config', 'check'], home);
    expect(unset.code).toBe(0);
    // file:line:column first, as errors do: the key's line, so an editor can jump there
    expect(unset.stderr).toContain(`warning: ${path.join(home.cwd, 'opsdeck.yaml')}:5:5  cannot resolve \${env:OPS_DB_PW} for mysql.primary.password`);
  });

  it('config check warns about a secret file others can read, and is quiet once it is 0600', () => {
    const home = sandboxHome();
    const pw = path.join(home.cwd, 'pw.txt');
    writeFileSync(pw, 'file-secret-42\n', { mode: 0o644 });
    chmodSync(pw, 0o644);
    writeFileSync(path.join(home.cwd, 'opsdeck.yaml'), 'aws:\n  region: us-east-1\nmysql:\n  replica:\n    password: ${file:pw.txt}\n');
    const open = opsdeck(['config', 'check'], home);
    expect(open.code).toBe(0);
    expect(open.stderr).toBe(`warning: ${path.join(home.cwd, 'opsdeck.yaml')}:5:5  ${pw} (mysql.replica.password) is readable by others (mode 644): chmod 600 ${pw}\n`);
    chmodSync(pw, 0o600);
    expect(opsdeck(['config', 'check'], home).stderr).toBe('');
  });

  it('config show prints the effective config with defaults, literal secrets hidden', () => {
    const home = sandboxHome();
    writeFileSync(path.join(home.cwd, 'opsdeck.yaml'), 'mysql:\n  a:\n    password: plain-hunter2\n  b:\n    password: ${env:B_PW}\n');
    const text = opsdeck(['config', 'show'], home, { B_PW: 'env-secret-99' });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('password: "[redacted]"');
    expect(text.stdout).toContain('password: ${env:B_PW}');
    expect(text.stdout).toMatch(/^ {2}backends:\n {4}- www_farm$/m);
    const json = JSON.parse(opsdeck(['config', 'show', '--json'], home).stdout);
    expect(json.config.mysql).toEqual({
      a: { host: '127.0.0.1', port: 3306, user: 'root', password: '[redacted]' },
      b: { host: '127.0.0.1', port: 3306, user: 'root', password: '${env:B_PW}' },
    });
    expect(text.stdout + text.stderr).not.toMatch(/hunter2|env-secret-99/);
  });

  it('config check --json reports problems as JSON on a bad config', () => {
    const home = sandboxHome();
    writeFileSync(path.join(home.cwd, 'opsdeck.yaml'), 'fleet:\n  address: elastic\n');
    const r = opsdeck(['config', 'check', '--json'], home);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json.valid).toBe(false);
    expect(json.problems[0]).toMatch(/opsdeck\.yaml:2:12 {2}fleet\.address {2}expected one of/);
  });
});
