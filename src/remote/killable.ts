import { OpsError } from '../core/errors.js';
import type { ExecOptions, ExecResult, SshConnection } from './ssh.js';

/**
 * sshd delivers a channel's signal request only to privilege-separated
 * (non-root) sessions, and closing the channel does not stop a command that
 * is not writing: a cancelled `sleep`, `tar` or `mysqldump` as root would go
 * on after the step says "cancelled". So the command first reports its
 * process group (sshd makes each session's shell a session leader, so its pid
 * is the group of everything it starts) on stderr, and a cancel signals that
 * group over a second channel: TERM, then KILL after a grace period.
 */
const MARK = 'opsdeck-pgid:';
const GRACE_SECONDS = 3;
/** A cancel that comes before the command reported its group waits this long for it. */
const MARK_WAIT_MS = 2_000;

export function killableCommand(command: string): string {
  return `printf '${MARK}%s\\n' "$$" >&2; ${command}`;
}

export interface KillableOptions extends ExecOptions {
  /** the kill sent on cancel: whoever closes the connection must wait for it, or it never reaches the host */
  onKill?: (sent: Promise<unknown>) => void;
}

export async function execKillable(conn: SshConnection, command: string, opts: KillableOptions = {}): Promise<ExecResult & { pgid: number | undefined }> {
  const { onKill, signal, ...execOpts } = opts;
  let pgid: number | undefined;
  let head = '';
  let headDone = false;
  // The channel stays open after a cancel until the kill is on its way: closing it first
  // would lose the group id of a command cancelled the moment it started.
  const inner = new AbortController();
  let killWanted = false;
  let killing = false;
  const kill = (): void => {
    if (killing || inner.signal.aborted) return;
    killing = true;
    if (pgid !== undefined && pgid > 1) {
      const g = pgid;
      // The KILL runs in the background on the host, so this channel closes at once and the connection can go.
      const sent = conn
        .exec(`kill -TERM -- -${g} 2>/dev/null; (sleep ${GRACE_SECONDS}; kill -KILL -- -${g} 2>/dev/null) >/dev/null 2>&1 </dev/null & true`, { timeoutMs: 5_000 })
        .catch(() => undefined);
      onKill?.(sent);
      // The channel closes once the TERM is delivered: closed first, sshd would hand the command EOF on its
      // stdin, and a receiver fed by a failed sender could finish "cleanly" on half its input.
      void sent.then(() => inner.abort(signal?.reason));
      return;
    }
    inner.abort(signal?.reason);
  };
  const onStderr = (c: Buffer): void => {
    if (headDone) {
      opts.onStderr?.(c);
      return;
    }
    // The mark is the first line on stderr; hold stderr until it is complete.
    head += c.toString('utf8');
    const nl = head.indexOf('\n');
    if (nl < 0) return;
    headDone = true;
    const first = head.slice(0, nl);
    const rest = head.slice(nl + 1);
    if (first.startsWith(MARK)) pgid = Number(first.slice(MARK.length)) || undefined;
    else opts.onStderr?.(Buffer.from(`${first}\n`));
    if (rest) opts.onStderr?.(Buffer.from(rest));
    if (killWanted) kill();
  };
  const onAbort = (): void => {
    if (pgid !== undefined || headDone) return kill();
    killWanted = true;
    setTimeout(kill, MARK_WAIT_MS).unref();
  };
  if (signal?.aborted) inner.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await conn.exec(killableCommand(command), { ...execOpts, signal: inner.signal, onStderr });
    // The TERM may end the command before the channel is closed: still a cancel, not a result.
    if (killing) throw new OpsError('ABORTED', `command on ${conn.user}@${conn.host}:${conn.port} was cancelled`);
    const stderr = r.stderr.startsWith(MARK) ? r.stderr.slice(r.stderr.indexOf('\n') + 1) : r.stderr;
    return { ...r, stderr, pgid };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
