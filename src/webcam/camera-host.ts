/**
 * The camera host's delivery queue and capture record, seen from the server:
 * frames the camera took but could not deliver wait in its queue/ folder, and
 * a growing queue is the first sign that delivery is broken (the ingest side
 * just sees nothing arrive); the record (capture-state.json) is the only
 * place a camera fault or a capture that stopped is written down. The status
 * reads both over one SFTP session (a readdir and a read, side by side) with
 * one deadline for the whole read, so a camera host that is off, refuses, or
 * black-holes packets shows as "unreachable" with the reason instead of
 * holding the status or the pane.
 */
import path from 'node:path';
import type { FileEntry, SFTPWrapper } from 'ssh2';
import type { HostConfig } from '../config/schema.js';
import { OpsError } from '../core/errors.js';
import type { SshConnection, SshTarget } from '../remote/ssh.js';
import { sshTargetFromHost } from '../remote/target.js';
import { parseCaptureState, type CaptureState } from './capture.js';
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

/** The camera host's capture record, or why there is none to go by. */
export type CameraHostRecord =
  | { state: 'ok'; where: string; record: CaptureState }
  /** the host answered and has no record (it never captured, or another spool): "no capture record" */
  | { state: 'missing'; where: string }
  /** the host answered but the file could not be read (permissions, not JSON) */
  | { state: 'unreadable'; where: string; message: string }
  /** the queue line says why */
  | { state: 'unreachable'; where: string };

export interface CameraHostRead {
  queue: CameraHostQueue;
  capture: CameraHostRecord;
}

/** Reads the camera host's queue and record at `now`; never throws, never takes longer than its deadline (plus a tick). */
export type CameraHostReader = (now: Date) => Promise<CameraHostRead>;

export interface CameraHostSource {
  target: SshTarget;
  dir: string;
  /** the capture record's path on the camera host */
  stateFile: string;
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

function readRecord(sftp: SFTPWrapper, file: string, where: string): Promise<CameraHostRecord> {
  return new Promise((resolve) =>
    sftp.readFile(file, (err, data) => {
      if (!err) {
        const record = parseCaptureState(data.toString('utf8'));
        return resolve(record ? { state: 'ok', where, record } : { state: 'unreadable', where, message: 'not a capture record (not JSON)' });
      }
      if ((err as { code?: unknown }).code === SFTP_NO_SUCH_FILE) return resolve({ state: 'missing', where });
      resolve({ state: 'unreadable', where, message: err.message });
    }),
  );
}

/** capture-state.json beside the queue folder: capture keeps both in its spool. */
export function defaultStateFile(queueDir: string): string {
  return path.posix.join(path.posix.dirname(queueDir.replace(/\/+$/, '') || '/'), 'capture-state.json');
}

export async function readCameraHost(src: CameraHostSource, now: Date): Promise<CameraHostRead> {
  const where = whereOf(src.target, src.dir);
  const recordWhere = whereOf(src.target, src.stateFile);
  // Closed whenever it arrives: a login that completes after the deadline must not leak a connection.
  let conn: SshConnection | undefined;
  let finished = false;
  // a queue folder that is not there must not hide the record beside it: the readdir's error travels as a value
  const work = (async (): Promise<[FileEntry[] | { failed: unknown }, CameraHostRecord]> => {
    const connect = src.connect ?? (await import('../remote/ssh.js')).connectSsh;
    // ssh2's own ready timeout as well, so the socket is torn down, not just abandoned
    const c = await connect({ ...src.target, readyTimeoutMs: src.timeoutMs });
    if (finished) {
      c.close();
      throw new OpsError('TIMEOUT', 'too late');
    }
    conn = c;
    const sftp = await c.sftp();
    return Promise.all([
      new Promise<FileEntry[] | { failed: unknown }>((resolve) => sftp.readdir(src.dir, (err, list) => resolve(err ? { failed: err } : list))),
      readRecord(sftp, src.stateFile, recordWhere),
    ]);
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OpsError('TIMEOUT', `reading ${where} did not finish within ${src.timeoutMs / 1000}s`)), src.timeoutMs);
  });
  const unreachable = (e: unknown): CameraHostQueue => {
    const c = classify(e);
    // SFTP's own words ("No such file") do not say which folder
    if (c.reason === 'no such folder') c.message = `no folder ${src.dir} on ${src.target.user}@${src.target.host}: ${c.message}`;
    return { state: 'unreachable', where, ...c };
  };
  try {
    const [list, capture] = await Promise.race([work, deadline]);
    return { queue: Array.isArray(list) ? summarize(list, now, where) : unreachable(list.failed), capture };
  } catch (e) {
    return { queue: unreachable(e), capture: { state: 'unreachable', where: recordWhere } };
  } finally {
    finished = true;
    clearTimeout(timer);
    work.catch(() => {});
    conn?.close();
  }
}

/** The reader for `webcam.cameraHost`, or undefined when none is configured. A host missing from `hosts:` reads as unreachable (config). */
export function cameraHostReader(config: WebcamConfig, hosts: Record<string, HostConfig>): CameraHostReader | undefined {
  const ch = config.cameraHost;
  if (!ch) return undefined;
  const h = hosts[ch.host];
  const timeoutMs = ch.timeoutSeconds * 1000;
  const stateFile = ch.captureState ?? defaultStateFile(ch.queueDir);
  if (!h) {
    const where = `${ch.host}:${ch.queueDir}`;
    const message = `webcam.cameraHost.host names ${ch.host}, which is not under hosts:`;
    return async () => ({ queue: { state: 'unreachable', where, reason: 'config', message }, capture: { state: 'unreachable', where: `${ch.host}:${stateFile}` } });
  }
  return (now) => readCameraHost({ target: sshTargetFromHost(h), dir: ch.queueDir, stateFile, timeoutMs }, now);
}

/** "3 queued, oldest 12m" / "unreachable (timeout)": the short form for a status line. */
export function describeCameraQueue(q: CameraHostQueue, age: (ms: number) => string): string {
  if (q.state === 'unreachable') return `unreachable (${q.reason})`;
  return q.count === 0 ? '0 queued' : `${q.count} queued, oldest ${age(q.oldestAgeMs ?? 0)}`;
}
