import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sshTargetFromHost } from '../../../src/remote/target.js';

let home: string | undefined;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

describe('sshTargetFromHost', () => {
  it('expands ~ in configured paths against HOME', () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-home-'));
    const t = sshTargetFromHost({ host: 'db1.lan', port: 2222, user: 'ops', identityFile: '~/keys/ops', knownHosts: '~/kh' }, { HOME: home });
    expect(t).toEqual({ host: 'db1.lan', port: 2222, user: 'ops', privateKeyPath: path.join(home, 'keys/ops'), knownHostsPath: path.join(home, 'kh') });
  });

  it('falls back like ssh: ~/.ssh/known_hosts and the first key that exists', () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-home-'));
    const env = { HOME: home };
    const base = { host: 'db1.lan', port: 22, user: 'ops' };
    expect(sshTargetFromHost(base, env).privateKeyPath).toBe(path.join(home, '.ssh/id_ed25519'));
    mkdirSync(path.join(home, '.ssh'));
    writeFileSync(path.join(home, '.ssh/id_rsa'), 'x');
    const t = sshTargetFromHost(base, env);
    expect(t.privateKeyPath).toBe(path.join(home, '.ssh/id_rsa'));
    expect(t.knownHostsPath).toBe(path.join(home, '.ssh/known_hosts'));
  });
});
