/**
 * Where captured frames go: the incoming folder on this host, or the
 * ingest server's incoming folder over SFTP. Either way a frame appears
 * under its final name whole or not at all: it is written to a dot-name
 * ending in .part (which ingest never takes), then renamed, over SFTP with
 * posix-rename@openssh.com (an atomic rename(2) on the server, which the
 * plain SFTP rename is not: it refuses to replace and is not atomic on every
 * server). Or to an S3 incoming prefix: a PUT is atomic (the object appears
 * whole or not at all), and it carries Content-MD5 so a body damaged on the
 * way is refused (BadDigest) rather than stored. A frame that fails stays in
 * the local queue.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import type { ObjectStorePort } from '../cloud/ports.js';
import { deadline, raceSignal } from '../core/deadline.js';
import { ensureDir } from '../core/dirs.js';
import { OpsError } from '../core/errors.js';
import type { SshConnection, SshTarget } from '../remote/ssh.js';
import { md5Base64 } from './images.js';

export interface FrameSink {
  /** Delivers `file` as `name`, atomically; throws when it did not arrive. */
  put(name: string, file: string): Promise<void>;
  close(): Promise<void>;
}

/** Opened only when there is something to deliver: a down server costs nothing on a run with an empty queue. */
export interface SinkOpener {
  /** for messages: a folder, or sftp://user@host:port/dir */
  where: string;
  open(): Promise<FrameSink>;
}

export const partName = (name: string): string => `.${name}.part`;

export function localSink(incoming: string): SinkOpener {
  const open = async (): Promise<FrameSink> => {
    await ensureDir(incoming, { what: 'the webcam incoming folder' });
    return {
      async put(name, file) {
        const tmp = path.join(incoming, partName(name));
        await fsp.copyFile(file, tmp);
        await fsp.rename(tmp, path.join(incoming, name));
      },
      close: async () => {},
    };
  };
  return { where: incoming, open };
}

/** One SFTP call with a deadline: a server that stops answering fails the frame instead of hanging the cron job. */
function call<T>(what: string, timeoutMs: number, fn: (cb: (err: Error | undefined | null, v?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new OpsError('TIMEOUT', `SFTP ${what} did not finish within ${timeoutMs / 1000}s`)), timeoutMs);
    fn((err, v) => {
      clearTimeout(timer);
      if (err) reject(new OpsError('SSH_SFTP', `SFTP ${what} failed: ${err.message}`));
      else resolve(v as T);
    });
  });
}

export interface SftpDelivery {
  target: SshTarget;
  /** the ingest server's incoming folder (absolute, or relative to the login's home) */
  remoteDir: string;
  /** per file, upload and rename together */
  timeoutMs: number;
  /** injected by tests; default connectSsh */
  connect?: (t: SshTarget) => Promise<SshConnection>;
}

export function sftpSink(d: SftpDelivery): SinkOpener {
  const dir = d.remoteDir.replace(/\/+$/, '') || '/';
  const where = `sftp://${d.target.user}@${d.target.host}:${d.target.port ?? 22}${dir.startsWith('/') ? '' : '/~/'}${dir}`;
  const open = async (): Promise<FrameSink> => {
    const connect = d.connect ?? (await import('../remote/ssh.js')).connectSsh;
    const conn = await connect(d.target);
    let sftp: SFTPWrapper;
    try {
      sftp = await conn.sftp();
    } catch (e) {
      conn.close();
      throw e;
    }
    const remote = (n: string): string => path.posix.join(dir, n);
    return {
      async put(name, file) {
        const tmp = remote(partName(name));
        await call<void>(`upload of ${name} to ${tmp}`, d.timeoutMs, (cb) => sftp.fastPut(file, tmp, (err) => cb(err)));
        try {
          await call<void>(`posix-rename of ${tmp}`, d.timeoutMs, (cb) => sftp.ext_openssh_rename(tmp, remote(name), (err) => cb(err)));
        } catch (e) {
          // leave no dot-file behind; the frame is still queued here and goes again whole
          await call<void>(`removal of ${tmp}`, d.timeoutMs, (cb) => sftp.unlink(tmp, (err) => cb(err))).catch(() => {});
          throw e;
        }
      },
      async close() {
        sftp.end();
        conn.close();
      },
    };
  };
  return { where, open };
}

export interface S3Delivery {
  /** resolved when there is something to deliver */
  objects: () => Promise<ObjectStorePort>;
  bucket: string;
  /** ends in / */
  prefix: string;
  /** per PUT attempt: a stalled endpoint fails the frame (it stays queued) instead of holding the capture lock */
  timeoutMs: number;
}

export function s3Sink(d: S3Delivery): SinkOpener {
  const open = async (): Promise<FrameSink> => {
    const objects = await d.objects();
    return {
      async put(name, file) {
        const body = await fsp.readFile(file);
        const key = `${d.prefix}${name}`;
        const limit = deadline(d.timeoutMs, `S3 upload of ${name} to s3://${d.bucket}/${key}`, 'the endpoint may be stalled; the frame stays queued and goes with the next run (webcam.delivery.timeoutSeconds)');
        try {
          // the SDK stops on the signal; raceSignal covers a socket that ignores it
          const put = objects.putObject(d.bucket, key, body, { contentType: 'image/jpeg', contentMd5: md5Base64(body), signal: limit.signal });
          await raceSignal(put, limit.signal);
        } finally {
          limit.dispose();
        }
      },
      close: async () => {},
    };
  };
  return { where: `s3://${d.bucket}/${d.prefix}`, open };
}
