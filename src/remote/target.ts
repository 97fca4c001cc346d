import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostConfig } from '../config/schema.js';
import type { SshTarget } from './ssh.js';

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

/** The keys `ssh` itself tries first, in its order, when the config names none. */
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/**
 * The SshTarget for a `hosts:` entry of the config, with OpenSSH's defaults:
 * ~/.ssh/known_hosts, and the first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa
 * that exists (id_ed25519 when none does, so the error names a real path),
 * plus the ssh-agent when SSH_AUTH_SOCK is set and no key file is configured.
 */
export function sshTargetFromHost(h: HostConfig, env: NodeJS.ProcessEnv = process.env): SshTarget {
  const home = env['HOME'] || os.homedir();
  const ssh = path.join(home, '.ssh');
  const key = h.identityFile
    ? expandHome(h.identityFile, home)
    : (DEFAULT_KEYS.map((k) => path.join(ssh, k)).find((p) => existsSync(p)) ?? path.join(ssh, 'id_ed25519'));
  // A key file named in the config is what the person chose: no agent then. Otherwise, as ssh does, the agent too.
  const agent = h.identityFile ? undefined : env['SSH_AUTH_SOCK'] || undefined;
  return {
    host: h.host,
    port: h.port,
    user: h.user,
    privateKeyPath: key,
    knownHostsPath: h.knownHosts ? expandHome(h.knownHosts, home) : path.join(ssh, 'known_hosts'),
    ...(agent ? { agent } : {}),
    ...(h.trustOnFirstUse ? { trustOnFirstUse: true } : {}),
  };
}
