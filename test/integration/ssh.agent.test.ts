import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh } from '../../src/remote/ssh.js';
import { sshTargetFromHost } from '../../src/remote/target.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';

/**
 * Keys from a real ssh-agent when the config names no key file, and
 * trust-on-first-use only for a host the config marks, never for a changed key.
 */
let sshd: SshdHandle;
let dir: string;
let agent: ChildProcess;
let sock: string;

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-agent-'));
  sock = path.join(dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
  if (!existsSync(sock)) throw new Error('ssh-agent did not start.\nfix: apt-get install openssh-client (test/services/prepare.sh installs it)');
  execFileSync('ssh-add', [sshd.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
});
afterAll(async () => {
  agent?.kill();
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ssh keys and host keys', () => {
  it('logs in with the agent’s key when the config names no key file and none is in ~/.ssh', async () => {
    const home = mkdtempSync(path.join(dir, 'home-'));
    const t = sshTargetFromHost({ host: sshd.host, port: sshd.port, user: sshd.user, knownHosts: sshd.knownHostsPath }, { HOME: home, SSH_AUTH_SOCK: sock });
    expect(t.agent).toBe(sock);
    const c = await connectSsh(t);
    expect((await c.exec('echo via-agent')).stdout).toBe('via-agent\n');
    c.close();
    // without the agent the same host entry has no key to offer: a clear error naming the key it looked for
    await expect(connectSsh(sshTargetFromHost({ host: sshd.host, port: sshd.port, user: sshd.user, knownHosts: sshd.knownHostsPath }, { HOME: home }))).rejects.toThrow(/cannot read SSH private key .*id_ed25519/);
  });

  it('trusts an unknown host key on first use only when the host says so, records it, and still refuses a changed one', async () => {
    const kh = path.join(dir, 'known_hosts_tofu');
    writeFileSync(kh, '');
    const base = { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: kh };
    await expect(connectSsh(sshTargetFromHost(base, {}))).rejects.toThrow(/is not in .*known_hosts_tofu/);
    const warnings: string[] = [];
    const c = await connectSsh({ ...sshTargetFromHost({ ...base, trustOnFirstUse: true }, {}), onWarning: (w) => warnings.push(w) });
    c.close();
    expect(warnings[0]).toMatch(/trusted the host key of \[127\.0\.0\.1\]:\d+ on first use \(SHA256:/);
    expect(readFileSync(kh, 'utf8')).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 AAAA`));
    // recorded: the next connection verifies without the flag
    (await connectSsh(sshTargetFromHost(base, {}))).close();
    // a different key on record is a mismatch, whatever the flag says
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`);
    await expect(connectSsh(sshTargetFromHost({ ...base, trustOnFirstUse: true }, {}))).rejects.toThrow(/does not match/);
  });
});
