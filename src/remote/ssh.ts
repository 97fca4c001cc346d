import { REMOTE_DEFAULTS } from '../core/deadline.js';
import { appendFileSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { OpsError } from '../core/errors.js';
import {
  entriesFor,
  fingerprintSha256,
  hostKeyAlgorithmsFor,
  keyTypeOfBlob,
  knownHostsName,
  parseKnownHosts,
  verifyHostKey,
  type HostKeyVerdict,
} from './known-hosts.js';

export interface SshTarget {
  host: string;
  port?: number;
  user: string;
  privateKeyPath?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  knownHostsPath: string;
  /** an ssh-agent socket (SSH_AUTH_SOCK): its keys are offered as well as, or instead of, a key file */
  agent?: string;
  /**
   * Accept an unknown host key once and record it in knownHostsPath. Off by
   * default: only for a host the config explicitly marks, never a changed key.
   */
  trustOnFirstUse?: boolean;
  /** told when a key was recorded on first use */
  onWarning?: (text: string) => void;
  readyTimeoutMs?: number;
  /** default REMOTE_DEFAULTS.sshKeepaliveIntervalMs; tests shorten it */
  keepaliveIntervalMs?: number;
}

export interface ExecOptions {
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Bytes of stdout and of stderr kept in the result (the callbacks see everything). */
  maxCaptureBytes?: number;
  /** Fed to the command's stdin, then EOF. Without it stdin is closed at once, so `cat` cannot hang. */
  stdin?: string | Buffer | Readable;
  /** Stdout goes here with backpressure instead of into the result (for dumps and pipes between hosts). */
  stdout?: Writable;
}

export interface ExecResult {
  /** Exit status; null when the command died of a signal or gave none. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when output beyond maxCaptureBytes was dropped from stdout/stderr. */
  truncated: boolean;
}

export interface SshConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** `SHA256:...` of the host key that was checked against known_hosts. */
  readonly hostKeyFingerprint: string;
  /** `command` is run by the remote shell as is: callers quote values with shellQuote. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** An SFTP session on this connection (the server's sftp subsystem). */
  sftp(): Promise<SFTPWrapper>;
  close(): void;
}

const DEFAULT_CAPTURE = 1024 * 1024;

async function loadKnownHosts(path: string) {
  try {
    return parseKnownHosts(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new OpsError('SSH_KNOWN_HOSTS', `cannot read known_hosts file ${path}: ${(e as Error).message}`);
  }
}

async function loadPrivateKey(t: SshTarget): Promise<string | Buffer | undefined> {
  if (t.privateKey !== undefined) return t.privateKey;
  // With an agent, a missing default key file is fine: the agent's keys are offered instead.
  if (t.agent && (!t.privateKeyPath || !existsSync(t.privateKeyPath))) return undefined;
  if (!t.privateKeyPath) {
    throw new OpsError('USAGE', `no SSH private key given for ${t.user}@${t.host}`, {
      hint: 'set privateKeyPath (e.g. ~/.ssh/id_ed25519) in the ssh section of the config',
    });
  }
  try {
    return await readFile(t.privateKeyPath);
  } catch (e) {
    throw new OpsError('SSH_KEY', `cannot read SSH private key ${t.privateKeyPath}: ${(e as Error).message}`, {
      hint: 'check the path and that this user may read the file',
    });
  }
}

function hostKeyError(v: Exclude<HostKeyVerdict, { kind: 'ok' }>, t: Required<Pick<SshTarget, 'host' | 'port' | 'knownHostsPath'>>, blob: Buffer): OpsError {
  const name = knownHostsName(t.host, t.port);
  const fp = fingerprintSha256(blob);
  const type = keyTypeOfBlob(blob);
  const scan = `ssh-keyscan -p ${t.port} -t ${type} ${t.host} >> ${t.knownHostsPath}`;
  const details = [`presented ${type} key ${fp}`];
  if (v.kind === 'unknown') {
    return new OpsError('HOSTKEY_UNKNOWN', `host key of ${name} is not in ${t.knownHostsPath}`, {
      details,
      hint: `check ${fp} out of band (on the host: ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-/, '')}_key.pub), then add it: ${scan}`,
    });
  }
  if (v.kind === 'revoked') {
    return new OpsError('HOSTKEY_MISMATCH', `host key of ${name} is marked @revoked in ${t.knownHostsPath} (line ${v.entry.line})`, {
      details,
      hint: 'do not connect: the host presents a key that was revoked; ask whoever manages the host',
    });
  }
  for (const e of v.expected) details.push(`known_hosts line ${e.line} has ${e.keyType} ${fingerprintSha256(Buffer.from(e.keyBase64, 'base64'))}`);
  return new OpsError('HOSTKEY_MISMATCH', `host key of ${name} does not match ${t.knownHostsPath}: it may have been rebuilt, or someone is in the middle`, {
    details,
    hint: `if the host was really rebuilt, check ${fp} out of band, then: ssh-keygen -R '${name}' -f ${t.knownHostsPath} && ${scan}`,
  });
}

function connectError(e: Error & { level?: string; code?: string }, t: SshTarget, port: number): OpsError {
  const where = `${t.user}@${t.host}:${port}`;
  if (e.level === 'client-authentication') {
    return new OpsError('SSH_AUTH', `SSH login as ${where} was refused: ${e.message}`, {
      hint: `check that the public key of ${t.privateKeyPath ?? 'the configured key'} is in ~${t.user}/.ssh/authorized_keys on the host`,
    });
  }
  if (e.level === 'client-timeout' || /timed out/i.test(e.message)) {
    return new OpsError('SSH_TIMEOUT', `SSH connection to ${where} timed out`, {
      hint: 'check that the host is up and that port is reachable (security group, firewall)',
    });
  }
  return new OpsError('SSH_CONNECT', `cannot connect to ${where}: ${e.message}`, {
    hint: e.code === 'ECONNREFUSED' ? `nothing listens on port ${port}: is sshd running?` : 'check host, port and network',
  });
}

export async function connectSsh(t: SshTarget): Promise<SshConnection> {
  const port = t.port ?? 22;
  const entries = await loadKnownHosts(t.knownHostsPath);
  const privateKey = await loadPrivateKey(t);
  const algos = hostKeyAlgorithmsFor(entriesFor(entries, t.host, port));
  const client = new Client();
  let refusal: OpsError | undefined;
  let fingerprint = '';

  const cfg: ConnectConfig = {
    host: t.host,
    port,
    username: t.user,
    ...(privateKey === undefined ? {} : { privateKey }),
    ...(t.agent ? { agent: t.agent } : {}),
    readyTimeout: t.readyTimeoutMs ?? REMOTE_DEFAULTS.sshReadyTimeoutMs,
    // A peer that vanished (a dropped link, a NAT that forgot us) ends the connection in about a minute, never hangs a step.
    keepaliveInterval: t.keepaliveIntervalMs ?? REMOTE_DEFAULTS.sshKeepaliveIntervalMs,
    keepaliveCountMax: REMOTE_DEFAULTS.sshKeepaliveCountMax,
    hostVerifier: (blob: Buffer) => {
      fingerprint = fingerprintSha256(blob);
      const v = verifyHostKey(entries, t.host, port, blob);
      if (v.kind === 'ok') return true;
      if (v.kind === 'unknown' && t.trustOnFirstUse) {
        const line = `${knownHostsName(t.host, port)} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}\n`;
        try {
          appendFileSync(t.knownHostsPath, line, { mode: 0o600 });
        } catch (e) {
          refusal = new OpsError('SSH_KNOWN_HOSTS', `cannot record the host key of ${knownHostsName(t.host, port)} in ${t.knownHostsPath}: ${(e as Error).message}`);
          return false;
        }
        t.onWarning?.(`trusted the host key of ${knownHostsName(t.host, port)} on first use (${fingerprint}); recorded in ${t.knownHostsPath}`);
        return true;
      }
      refusal = hostKeyError(v, { host: t.host, port, knownHostsPath: t.knownHostsPath }, blob);
      return false;
    },
  };
  if (t.passphrase !== undefined) cfg.passphrase = t.passphrase;
  // Offer only the key types on record (see hostKeyAlgorithmsFor).
  if (algos.length > 0) cfg.algorithms = { serverHostKey: algos as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] };

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => {
      client.removeListener('ready', onReady);
      // ssh2 may still report the socket's end after giving up: an 'error' with no listener would crash the process.
      client.on('error', () => {});
      client.end();
      reject(refusal ?? connectError(e, t, port));
    };
    const onReady = () => {
      client.removeListener('error', onError);
      // Without it Nagle holds back the small window-adjust packets behind delayed ACKs,
      // and a stream between two hosts stalls in 40 ms steps (it ran at a third of the speed).
      client.setNoDelay(true);
      // Later errors (dropped connection) surface through exec; keep the process alive-safe.
      client.on('error', () => {});
      resolve();
    };
    client.once('error', onError);
    client.once('ready', onReady);
    try {
      client.connect(cfg);
    } catch (e) {
      // ssh2 throws synchronously for an unparsable or encrypted key.
      reject(new OpsError('SSH_KEY', `cannot use SSH private key ${t.privateKeyPath ?? '(inline)'}: ${(e as Error).message}`, {
        hint: 'use an unencrypted OpenSSH/PEM key, or give its passphrase',
      }));
    }
  });

  return {
    host: t.host,
    port,
    user: t.user,
    hostKeyFingerprint: fingerprint,
    exec: (command, opts = {}) => execOn(client, command, opts, `${t.user}@${t.host}:${port}`),
    sftp: () =>
      new Promise<SFTPWrapper>((resolve, reject) => {
        try {
          client.sftp((err, sftp) => {
            if (err) reject(new OpsError('SSH_SFTP', `cannot open SFTP on ${t.user}@${t.host}:${port}: ${err.message}`, { hint: 'the server needs an sftp Subsystem in sshd_config (Subsystem sftp internal-sftp)' }));
            else resolve(sftp);
          });
        } catch (e) {
          reject(new OpsError('SSH_SFTP', `cannot open SFTP on ${t.user}@${t.host}:${port}: ${(e as Error).message}`, { hint: 'the SSH connection was closed; reconnect' }));
        }
      }),
    close: () => client.end(),
  };
}

function execOn(client: Client, command: string, opts: ExecOptions, where: string): Promise<ExecResult> {
  const limit = opts.maxCaptureBytes ?? DEFAULT_CAPTURE;
  return new Promise<ExecResult>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new OpsError('ABORTED', `command on ${where} was cancelled before it started`));
      return;
    }
    const started = (err: Error | undefined, stream: ClientChannel) => {
      if (err) {
        reject(new OpsError('SSH_EXEC', `cannot start a command on ${where}: ${err.message}`));
        return;
      }
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let truncated = false;
      let failure: OpsError | undefined;
      const keep = (bufs: Buffer[], len: number, chunk: Buffer): number => {
        const room = limit - len;
        if (room <= 0) {
          truncated = true;
          return len;
        }
        if (chunk.length > room) truncated = true;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        bufs.push(part);
        return len + part.length;
      };
      stream.on('data', (c: Buffer) => {
        if (!opts.stdout) outLen = keep(out, outLen, c);
        opts.onStdout?.(c);
      });
      if (opts.stdout) stream.pipe(opts.stdout);
      stream.stderr.on('data', (c: Buffer) => {
        errLen = keep(errs, errLen, c);
        opts.onStderr?.(c);
      });

      const stopRemote = (why: OpsError) => {
        if (failure) return;
        failure = why;
        // sshd honours signal requests only for privilege-separated (non-root)
        // sessions, and answers a channel close only once the command exits:
        // so ask, close, and give up waiting now instead of hanging the caller.
        try {
          stream.signal('TERM');
          stream.close();
        } catch {
          /* channel already closing */
        }
        settle();
        reject(failure);
      };
      const settle = () => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => stopRemote(new OpsError('ABORTED', `command on ${where} was cancelled`, { hint: 'it may still be running on the host' }));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      // Cancelled while the channel was opening: the listener came too late to hear it.
      if (opts.signal?.aborted) onAbort();
      const timer =
        opts.timeoutMs === undefined
          ? undefined
          : setTimeout(() => stopRemote(new OpsError('SSH_TIMEOUT', `command on ${where} did not finish within ${opts.timeoutMs} ms`, { hint: 'it may still be running on the host' })), opts.timeoutMs);

      const input = opts.stdin;
      if (input === undefined) stream.end();
      else if (typeof input === 'string' || Buffer.isBuffer(input)) stream.end(input);
      else {
        input.once('error', (e: Error) => stopRemote(new OpsError('SSH_EXEC', `reading input for the command on ${where} failed: ${e.message}`)));
        input.pipe(stream);
      }

      let code: number | null = null;
      let sig: string | null = null;
      stream.on('exit', (c: number | null, s?: string) => {
        code = typeof c === 'number' ? c : null;
        sig = s ?? null;
      });
      stream.on('close', () => {
        settle();
        if (failure) return;
        resolve({
          code,
          signal: sig,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(errs).toString('utf8'),
          truncated,
        });
      });
    };
    try {
      client.exec(command, started);
    } catch (e) {
      // ssh2 throws synchronously once the connection is gone.
      reject(new OpsError('SSH_EXEC', `cannot start a command on ${where}: ${(e as Error).message}`, { hint: 'the SSH connection was closed; reconnect' }));
    }
  });
}
