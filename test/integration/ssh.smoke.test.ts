import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOpsError, type OpsError } from '../../src/core/errors.js';
import { connectSsh, type SshTarget } from '../../src/remote/ssh.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';

let sshd: SshdHandle;
let target: SshTarget;

beforeAll(async () => {
  sshd = await startSshd();
  target = {
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKeyPath: sshd.clientKeyPath,
    knownHostsPath: sshd.knownHostsPath,
  };
});

afterAll(async () => {
  await sshd?.stop();
});

async function refusal(t: SshTarget): Promise<OpsError> {
  try {
    const c = await connectSsh(t);
    c.close();
  } catch (e) {
    if (isOpsError(e)) return e;
    throw e;
  }
  throw new Error('connection was accepted');
}

describe('ssh against a real sshd', () => {
  it('runs a command with the client key after checking the host key', async () => {
    const conn = await connectSsh(target);
    try {
      expect(conn.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint);
      const r = await conn.exec('echo hello && id -un');
      expect(r).toMatchObject({ code: 0, signal: null, stdout: `hello\n${sshd.user}\n`, stderr: '' });
    } finally {
      conn.close();
    }
  });

  it('returns exit code and stderr of a failing command, and streams output', async () => {
    const conn = await connectSsh(target);
    try {
      const seen: string[] = [];
      const r = await conn.exec('echo out; echo oops >&2; exit 7', { onStdout: (c) => seen.push(c.toString()) });
      expect(r.code).toBe(7);
      expect(r.stdout).toBe('out\n');
      expect(r.stderr).toBe('oops\n');
      expect(seen.join('')).toBe('out\n');
    } finally {
      conn.close();
    }
  });

  it('bounds captured output and stops a command that runs past its timeout', async () => {
    const conn = await connectSsh(target);
    try {
      const big = await conn.exec('head -c 300000 /dev/zero', { maxCaptureBytes: 1000 });
      expect(big.code).toBe(0);
      expect(big.stdout.length).toBe(1000);
      expect(big.truncated).toBe(true);
      const t0 = Date.now();
      await expect(conn.exec('sleep 20', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'SSH_TIMEOUT' });
      expect(Date.now() - t0).toBeLessThan(5000);
      // The connection stays usable after a timed-out command.
      expect((await conn.exec('echo again')).stdout).toBe('again\n');
    } finally {
      conn.close();
    }
  });

  it('accepts a hashed known_hosts entry (ssh-keygen -H)', async () => {
    const hashed = path.join(sshd.dir, 'known_hosts.hashed');
    copyFileSync(sshd.knownHostsPath, hashed);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    const conn = await connectSsh({ ...target, knownHostsPath: hashed });
    expect((await conn.exec('echo ok')).stdout).toBe('ok\n');
    conn.close();
  });

  it('refuses a host whose key differs from known_hosts with HOSTKEY_MISMATCH', async () => {
    const wrong = path.join(sshd.dir, 'known_hosts.wrong');
    const other = path.join(sshd.dir, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherPub = execFileSync('cat', [`${other}.pub`], { encoding: 'utf8' }).split(' ').slice(0, 2).join(' ');
    writeFileSync(wrong, `# rebuilt host\n[127.0.0.1]:${sshd.port} ${otherPub}\n`);
    const e = await refusal({ ...target, knownHostsPath: wrong });
    expect(e.code).toBe('HOSTKEY_MISMATCH');
    expect(e.details.join('\n')).toContain(sshd.hostKeyFingerprint);
    expect(e.details.join('\n')).toContain('line 2');
    expect(e.hint).toContain('ssh-keygen -R');
  });

  it('refuses a host missing from known_hosts with HOSTKEY_UNKNOWN (no trust on first use)', async () => {
    const other = path.join(sshd.dir, 'known_hosts.other-port');
    // Same key recorded for another port: OpenSSH treats [host]:port as a different host.
    writeFileSync(other, `[127.0.0.1]:${sshd.port + 1} ${sshd.hostKeyLine}\n`);
    const e = await refusal({ ...target, knownHostsPath: other });
    expect(e.code).toBe('HOSTKEY_UNKNOWN');
    expect(e.details.join('\n')).toContain(sshd.hostKeyFingerprint);
    expect(e.hint).toContain(`ssh-keyscan -p ${sshd.port}`);
    const missing = await refusal({ ...target, knownHostsPath: path.join(sshd.dir, 'nope') });
    expect(missing.code).toBe('HOSTKEY_UNKNOWN');
  });

  it('reports a key that sshd does not accept as SSH_AUTH', async () => {
    const stranger = path.join(sshd.dir, 'stranger_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const e = await refusal({ ...target, privateKeyPath: stranger });
    expect(e.code).toBe('SSH_AUTH');
  });
});
