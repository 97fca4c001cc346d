/**
 * The camera host's delivery queue, seen from the server: frames the camera
 * took but could not deliver wait in its queue/ folder, and a growing queue
 * is the first sign that delivery is broken (the ingest side just sees
 * nothing arrive). The status reads it over SFTP (readdir only: one round
 * trip after login) with one deadline for the whole read, so a camera host
 * that is off, refuses, or black-holes packets shows as "unreachable" with
 * the reason instead of holding the status or the pane.
 */
import type { FileEntry } from 'ssh2';
import type { HostConfig } from '../config/schema.js';
import { OpsError } from '../core/errors.js';
import type { SshConnection, SshTarget } from '../remote/ssh.js';
import { sshTargetFromHost } from '../remote/target.js';
import type { WebcamConfig } from './config.js';
import { isJpegName, isPartial } from './paths.js';

/** Why the queue could not be read, in the words the pane shows. */
export type UnreachableReason = 'auth failed' | 'timeout' | 'refused' | 'host key' | 'no such folder' | 'config' | 'error';

export type CameraHostQueue =
  | {
      state: 'ok';
      /** sftp://user@host:port/dir */
      where: string;
      /** frames waiting for delivery (dot-names and .part files being written are not counted) */
      count: number;
      /** ms since the oldest waiting frame was written (by the camera host's mtime); undefined when none waits */
      oldestAgeMs: number | undefined;
      oldest: string | undefined;
    }
  | { state: 'unreachable'; where: string; reason: UnreachableReason; message: string };

/** Reads the camera host's queue at `now`; never throws, never takes longer than its deadline (plus a tick). */
export type CameraQueueReader = (now: Date) => Promise<CameraHostQueue>;

export interface CameraQueueSource {
  target: SshTarget;
  dir: string;
  timeoutMs: number;
  /** injected by tests; default connectSsh */
  connect?: (t: SshTarget) => Promise<SshConnection>;
}

export function whereOf(t: Pick<SshTarget, 'user' | 'host' | 'port'>, dir: string): string {
  const d = dir.replace(/\/+$/, '') || '/';
  return `sftp://${t.user}@${t.host}:${t.port ?? 22}${d.startsWith('/') ? '' : '/~/'}${d}`;
}

/** ssh2's SFTP status codes (draft-ietf-secsh-filexfer): 2 no such file, 3 permission denied. */
const SFTP_NO_SUCH_FILE = 2;

export function classify(e: unknown): { reason: UnreachableReason; message: string } {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof OpsError) {
    if (e.code === 'SSH_AUTH') return { reason: 'auth failed', message };
    if (e.code === 'SSH_TIMEOUT' || e.code === 'TIMEOUT') return { reason: 'timeout', message };
    if (e.code === 'HOSTKEY_UNKNOWN' || e.code === 'HOSTKEY_MISMATCH' || e.code === 'SSH_KNOWN_HOSTS') return { reason: 'host key', message };
    if (e.code === 'USAGE' || e.code === 'SSH_KEY') return { reason: 'config', message };
    if (e.code === 'SSH_CONNECT' && /ECONNREFUSED/.test(message)) return { reason: 'refused', message };
  }
  if ((e as { code?: unknown }).code === SFTP_NO_SUCH_FILE) return { reason: 'no such folder', message };
  return { reason: 'error', message };
}

/** The queue's frames, oldest first by the camera host's clock. */
function summarize(list: FileEntry[], now: Date, where: string): CameraHostQueue {
  const frames = list.filter((f) => isJpegName(f.filename) && !isPartial(f.filename)).sort((a, b) => a.attrs.mtime - b.attrs.mtime || a.filename.localeCompare(b.filename));
  const first = frames[0];
  return {
    state: 'ok',
    where,
    count: frames.length,
    // a camera clock ahead of ours must not make a negative age
    oldestAgeMs: first ? Math.max(0, now.getTime() - first.attrs.mtime * 1000) : undefined,
    oldest: first?.filename,
  };
}

export async function readCameraQueue(src: CameraQueueSource, now: Date): Promise<CameraHostQueue> {
  const where = whereOf(src.target, src.dir);
  // Closed whenever it arrives: a login that completes after the deadline must not leak a connection.
  let conn: SshConnection | undefined;
  let finished = false;
  const work = (async (): Promise<FileEntry[]> => {
    const connect = src.connect ?? (await import('../remote/ssh.js')).connectSsh;
    // ssh2's own ready timeout as well, so the socket is torn down, not just abandoned
    const c = await connect({ ...src.target, readyTimeoutMs: src.timeoutMs });
    if (finished) {
      c.close();
      throw new OpsError('TIMEOUT', 'too late');
    }
    conn = c;
    const sftp = await c.sftp();
    return new Promise<FileEntry[]>((resolve, reject) => sftp.readdir(src.dir, (err, list) => (err ? reject(err) : resolve(list))));
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OpsError('TIMEOUT', `reading ${where} did not finish within ${src.timeoutMs / 1000}s`)), src.timeoutMs);
  });
  try {
    return summarize(await Promise.race([work, deadline]), now, where);
  } catch (e) {
    const c = classify(e);
    // SFTP's own words ("No such file") do not say which folder
    if (c.reason === 'no such folder') c.message = `no folder ${src.dir} on ${src.target.user}@${src.target.host}: ${c.message}`;
    return { state: 'unreachable', where, ...c };
  } finally {
    finished = true;
    clearTimeout(timer);
    work.catch(() => {});
    conn?.close();
  }
}

/** The reader for `webcam.cameraHost`, or undefined when none is configured. A host missing from `hosts:` reads as unreachable (config). */
export function cameraQueueReader(config: WebcamConfig, hosts: Record<string, HostConfig>): CameraQueueReader | undefined {
  const ch = config.cameraHost;
  if (!ch) return undefined;
  const h = hosts[ch.host];
  const timeoutMs = ch.timeoutSeconds * 1000;
  if (!h) {
    const where = `${ch.host}:${ch.queueDir}`;
    return async () => ({ state: 'unreachable', where, reason: 'config', message: `webcam.cameraHost.host names ${ch.host}, which is not under hosts:` });
  }
  return (now) => readCameraQueue({ target: sshTargetFromHost(h), dir: ch.queueDir, timeoutMs }, now);
}

/** "3 queued, oldest 12m" / "unreachable (timeout)": the short form for a status line. */
export function describeCameraQueue(q: CameraHostQueue, age: (ms: number) => string): string {
  if (q.state === 'unreachable') return `unreachable (${q.reason})`;
  return q.count === 0 ? '0 queued' : `${q.count} queued, oldest ${age(q.oldestAgeMs ?? 0)}`;
}
