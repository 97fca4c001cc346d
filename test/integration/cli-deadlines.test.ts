import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overrideProcessEnv } from '../services/env.js';
import { main } from '../../src/cli/main.js';
import { connectMysql, queryRows } from '../../src/mysql/connection.js';
import { ensureMariaDb } from '../services/mariadb.js';
import { connectSsh } from '../../src/remote/ssh.js';
import { closedPort, startStalledServer, type StalledServer } from '../services/stalled.js';

/**
 * Nothing waits forever: every batch command against an AWS endpoint that
 * accepts connections and never answers ends by its deadline, says what
 * timed out, exits 1 and leaves its lock free for the next cron run. The SDK
 * is the real one (no mock): only the endpoint misbehaves.
 */
let dir: string;
let stalled: StalledServer;
let reset: StalledServer;
let restoreEnv: (() => void) | undefined;

/** readTimeout: the SDK's idle timeout; the deadline tests keep it above their --timeout so the deadline is what ends them. */
function writeConfig(name: string, endpoint: string, extra = '', readTimeout = 10): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `aws:
  region: us-east-1
  endpoint: ${endpoint}
  connectTimeoutSeconds: 1
  readTimeoutSeconds: ${readTimeout}
${extra}fleet:
  discovery:
    tags:
      role: web
haproxy:
  template: ${path.join(dir, 'haproxy.cfg.tmpl')}
  configPath: ${path.join(dir, 'haproxy.cfg')}
`,
  );
  return file;
}

async function cli(config: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string; ms: number }> {
  let out = '';
  let err = '';
  const t0 = Date.now();
  const code = await main(['--config', config, '--batch', ...args], {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    isTTY: false,
    env: { ...process.env, XDG_STATE_HOME: path.join(dir, 'state'), ...env },
  });
  return { code, out, err, ms: Date.now() - t0 };
}

const lockFile = (name: string): string => path.join(dir, 'state', 'opsdeck', 'locks', `${name}.lock`);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-deadline-'));
  writeFileSync(path.join(dir, 'haproxy.cfg.tmpl'), 'global\n  log stdout local0\ndefaults\n  mode http\nbackend www_farm\n  balance roundrobin\n');
  stalled = await startStalledServer('silent');
  reset = await startStalledServer('reset');
  // the SDK reads credentials from the process environment; no shared files from this machine
  restoreEnv = overrideProcessEnv({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_CONFIG_FILE: path.join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'), AWS_PROFILE: undefined, AWS_ENDPOINT_URL: undefined });
});
afterAll(async () => {
  restoreEnv?.();
  await stalled?.stop();
  await reset?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a stalled AWS endpoint', { timeout: 60_000 }, () => {
  it.each([
    ['instances', ['instances']],
    ['haproxy sync', ['haproxy', 'sync']],
    ['snapshots plan', ['snapshots', 'plan']],
    ['snapshots rotate', ['snapshots', 'rotate', '--yes']],
  ])('%s ends at its --timeout with exit 1, says what timed out and frees its lock', async (name, args) => {
    const config = writeConfig('stalled.yaml', stalled.url);
    const before = stalled.connections();
    // 8 s, not 2 or 4: on a loaded 2-core machine (a full run beside other work) loading the
    // SDK took 2 s and more, and the deadline ended the command before its first request
    // (which the test must see)
    const r = await cli(config, [...args, '--timeout', '8s']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`opsdeck ${name} did not finish within 8s`);
    expect(r.err).toMatch(/hint: .*endpoint/);
    expect(r.ms).toBeLessThan(20_000);
    // it did reach the endpoint: the deadline, not a config error, ended it
    expect(stalled.connections()).toBeGreaterThan(before);
    expect(existsSync(lockFile('haproxy-sync'))).toBe(false);
    expect(existsSync(lockFile('snapshots-rotate'))).toBe(false);
  });

  it('--json says TIMEOUT and retryable', async () => {
    const r = await cli(writeConfig('stalled.yaml', stalled.url), ['instances', '--json', '--timeout', '1500ms']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { ok: boolean; error: { code: string; retryable: boolean; message: string } };
    expect(doc).toMatchObject({ ok: false, error: { code: 'TIMEOUT', retryable: true } });
    expect(doc.error.message).toContain('within 1.5s');
  });

  it('three overlapping syncs: one runs into its deadline, two exit 4 at once', async () => {
    const config = writeConfig('stalled.yaml', stalled.url);
    const first = cli(config, ['haproxy', 'sync', '--timeout', '3s']);
    // the first one holds the lock before it calls out
    for (let i = 0; i < 100 && !existsSync(lockFile('haproxy-sync')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(lockFile('haproxy-sync'))).toBe(true);
    const [second, third] = await Promise.all([cli(config, ['haproxy', 'sync', '--timeout', '3s']), cli(config, ['haproxy', 'sync', '--timeout', '3s'])]);
    for (const r of [second, third]) {
      expect(r.code).toBe(4);
      expect(r.err).toMatch(/another run holds the lock "haproxy-sync"/);
      expect(r.ms).toBeLessThan(2_000);
    }
    const done = await first;
    expect(done.code).toBe(1);
    expect(done.err).toContain('did not finish within 3s');
    expect(existsSync(lockFile('haproxy-sync'))).toBe(false);
  });

  it('the SDK read timeout alone ends a call with ETIMEDOUT, retryable', async () => {
    const r = await cli(writeConfig('stalled-1s.yaml', stalled.url, '', 1), ['instances', '--json', '--timeout', '30s'], { AWS_MAX_ATTEMPTS: '1' });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { error: { code: string; retryable: boolean } };
    expect(doc.error).toMatchObject({ code: 'ETIMEDOUT', retryable: true });
    expect(r.ms).toBeLessThan(15_000);
  });
});

describe('network errors carry their real code', { timeout: 60_000 }, () => {
  it('a refused connection is ECONNREFUSED, retryable, in text and --json', async () => {
    const config = writeConfig('refused.yaml', `http://127.0.0.1:${await closedPort()}`);
    const text = await cli(config, ['instances'], { AWS_MAX_ATTEMPTS: '1' });
    expect(text.code).toBe(1);
    expect(text.err).toMatch(/^error: ECONNREFUSED: /m);
    expect(text.err).toMatch(/^hint: no answer from the AWS endpoint/m);
    const json = await cli(config, ['instances', '--json'], { AWS_MAX_ATTEMPTS: '1' });
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, exitCode: 1, error: { code: 'ECONNREFUSED', retryable: true } });
  });

  it('a reset connection is ECONNRESET (or EPIPE), retryable', async () => {
    const r = await cli(writeConfig('reset.yaml', reset.url), ['instances', '--json'], { AWS_MAX_ATTEMPTS: '1' });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { error: { code: string; retryable: boolean } };
    expect(['ECONNRESET', 'EPIPE']).toContain(doc.error.code);
    expect(doc.error.retryable).toBe(true);
  });
});

describe('SSH and MySQL against an endpoint that never answers', { timeout: 30_000 }, () => {
  it('SSH gives up at its ready timeout and says so', async () => {
    const known = path.join(dir, 'known_hosts');
    writeFileSync(known, '');
    const t0 = Date.now();
    const key = utils.generateKeyPairSync('ed25519').private;
    const e = await connectSsh({ host: '127.0.0.1', port: stalled.port, user: 'ops', privateKey: key, knownHostsPath: known, readyTimeoutMs: 1000 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'SSH_TIMEOUT' });
    expect((e as Error).message).toContain(`127.0.0.1:${stalled.port} timed out`);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('MySQL gives up at its connect timeout and says what to check', async () => {
    const t0 = Date.now();
    const e = await connectMysql({ host: '127.0.0.1', port: stalled.port, user: 'root', connectTimeoutMs: 1000 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'MYSQL' });
    expect((e as Error).message).toMatch(/root@127\.0\.0\.1:\d+ failed/);
    expect((e as { hint?: string }).hint).toMatch(/no answer from 127\.0\.0\.1/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a MySQL statement that outlives its timeout ends with a clear error, and so does its connection', async () => {
    const db = await ensureMariaDb();
    try {
      const conn = await connectMysql(db);
      const t0 = Date.now();
      const e = await queryRows(conn, 'SELECT SLEEP(3)', 500).catch((x: unknown) => x);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(e).toMatchObject({ code: 'MYSQL' });
      expect((e as Error).message).toMatch(/SELECT SLEEP\(3\) as .* failed: .*timeout/i);
      expect((e as { hint?: string }).hint).toMatch(/SHOW PROCESSLIST/);
      conn.destroy();
    } finally {
      await db.stop();
    }
  });
});
