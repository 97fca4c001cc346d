import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { removeScratchDir, scratchDir, startDaemon } from './daemon.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface SshdHandle {
  host: '127.0.0.1';
  port: number;
  /** The user running the tests: sshd without PAM only lets that user in. */
  user: string;
  clientKeyPath: string;
  knownHostsPath: string;
  /** `SHA256:...` of the server's ed25519 host key, as ssh-keygen -l prints it. */
  hostKeyFingerprint: string;
  /** The host key line as it appears in known_hosts, without the host field. */
  hostKeyLine: string;
  dir: string;
  /** What sshd logged so far (-e sends it to stderr): read it when a test fails. */
  logs(): string;
  stop(): Promise<void>;
}

const FIX =
  'as root: apt-get install -y openssh-server openssh-client && mkdir -p /run/sshd ' +
  '(or run `bash test/services/prepare.sh`)';

async function keygen(file: string): Promise<void> {
  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'opsdeck-test', '-f', file]);
  } catch (e) {
    throw new Error(`ssh-keygen failed: ${(e as Error).message}\nfix: ${FIX}`);
  }
}

/**
 * A private OpenSSH server on 127.0.0.1 with its own host key and one
 * authorized client key, all in a temp dir; nothing of the system's sshd is used.
 */
export async function startSshd(): Promise<SshdHandle> {
  const dir = scratchDir('opsdeck-sshd-');
  const hostKey = path.join(dir, 'host_ed25519');
  const clientKey = path.join(dir, 'client_ed25519');
  await keygen(hostKey);
  await keygen(clientKey);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));

  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
  const hostKeyLine = `${hostPub[0]} ${hostPub[1]}`;
  const { stdout: fp } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]);
  const hostKeyFingerprint = fp.split(/\s+/)[1] ?? '';

  const port = await freePort();
  const knownHostsPath = path.join(dir, 'known_hosts');
  writeFileSync(knownHostsPath, `[127.0.0.1]:${port} ${hostKeyLine}\n`);

  const cfg = path.join(dir, 'sshd_config');
  writeFileSync(
    cfg,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      // The temp dir is world-traversable /tmp: StrictModes would refuse the keys.
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'LogLevel VERBOSE',
      'MaxStartups 100',
      'MaxSessions 50',
      // in-process SFTP: no sftp-server binary needed; webcam delivery uploads through it
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );

  // Privilege separation needs this dir; it lives on a tmpfs that a reboot empties.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });

  let daemon;
  try {
    daemon = await startDaemon({
      name: 'sshd',
      command: '/usr/sbin/sshd',
      args: ['-D', '-e', '-f', cfg],
      port,
      timeoutMs: 30_000,
      fix: FIX,
    });
  } catch (e) {
    removeScratchDir(dir);
    throw e;
  }

  return {
    host: '127.0.0.1',
    port,
    user: os.userInfo().username,
    clientKeyPath: clientKey,
    knownHostsPath,
    hostKeyFingerprint,
    hostKeyLine,
    dir,
    logs: () => daemon.output(),
    async stop() {
      await daemon.stop();
      removeScratchDir(dir);
    },
  };
}
