import { PassThrough } from 'node:stream';
import { execKillable } from './killable.js';
import type { ExecResult, SshConnection } from './ssh.js';

export interface PipeEnd {
  conn: SshConnection;
  /** Already shell-quoted by the caller. */
  command: string;
}

export interface PipeEndResult extends ExecResult {
  /** Killed by the relay because the other end failed first (its result is the one that says why). */
  stopped: boolean;
}

export interface PipeResult {
  from: PipeEndResult;
  to: PipeEndResult;
  bytes: number;
  /** Both commands exited 0 and the receiver read to the end. */
  ok: boolean;
  /** The end that failed first (the other one, if still running, was stopped); undefined when ok. */
  failed: 'from' | 'to' | undefined;
}

/** Bytes of stderr kept for an end the relay stops (its exec throws, so the result's stderr is lost). */
const STOPPED_TAIL = 64 * 1024;

/**
 * `from.command | to.command` across two hosts, streamed through this process
 * with backpressure (e.g. mysqldump on the primary into mysql on the replica):
 * nothing lands on local disk and memory stays bounded whatever the size.
 *
 * Like `set -o pipefail` and more: when either end fails the other is killed on
 * its host (a receiver that died would otherwise leave the sender blocked on a
 * full window for ever; a sender that died must not hand its receiver a clean
 * EOF, or a half dump is loaded as if it were whole). The receiver gets EOF only
 * once the sender exited 0.
 */
export async function pipeBetween(
  from: PipeEnd,
  to: PipeEnd,
  opts: { onBytes?: (total: number) => void; signal?: AbortSignal; timeoutMs?: number; onKill?: (sent: Promise<unknown>) => void } = {},
): Promise<PipeResult> {
  let senderEof = false;
  let senderOk = false;
  let releaseEof: (() => void) | undefined;
  // The gate holds the sender's EOF back until its exit status is known. Either may come first: the
  // status usually follows the output, but behind a slow receiver the output still sits in this
  // relay (and in the channel's buffer) when the status arrives.
  const channel = new PassThrough({
    highWaterMark: 1024 * 1024,
    flush(cb) {
      senderEof = true;
      if (senderOk) cb();
      else releaseEof = () => cb();
    },
  });
  let bytes = 0;
  const stop = { from: new AbortController(), to: new AbortController() };
  const settled = { from: false, to: false };
  let failed: 'from' | 'to' | undefined;
  const cancel = (): void => {
    stop.from.abort(opts.signal?.reason);
    stop.to.abort(opts.signal?.reason);
  };
  if (opts.signal?.aborted) cancel();
  else opts.signal?.addEventListener('abort', cancel, { once: true });
  const common = {
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    ...(opts.onKill === undefined ? {} : { onKill: opts.onKill }),
  };
  const other = (side: 'from' | 'to'): 'from' | 'to' => (side === 'from' ? 'to' : 'from');
  /** `side` failed: it is the cause unless the other failed first, and the other end goes if still running. */
  const fail = (side: 'from' | 'to'): void => {
    failed ??= side;
    const o = other(side);
    if (!settled[o]) stop[o].abort(new Error(`the ${side === 'from' ? 'sender' : 'receiver'} failed`));
  };

  // Killable: a stopped or cancelled end must stop tar/mysqldump on its host, not only tear down the channel.
  const run = (side: 'from' | 'to', end: PipeEnd, extra: Parameters<typeof execKillable>[2]): Promise<PipeEndResult> => {
    let tail = '';
    return execKillable(end.conn, end.command, {
      ...common,
      ...extra,
      signal: stop[side].signal,
      onStderr: (c) => {
        tail = (tail + c.toString('utf8')).slice(-STOPPED_TAIL);
      },
    }).then(
      (r) => {
        settled[side] = true;
        return { ...r, stopped: false };
      },
      (e: unknown) => {
        settled[side] = true;
        // Stopped because the other end failed (not cancelled by the caller): a result, the other end has the error.
        if (stop[side].signal.aborted && !opts.signal?.aborted && failed === other(side)) {
          return { code: null, signal: null, stdout: '', stderr: tail, truncated: false, stopped: true };
        }
        fail(side);
        throw e;
      },
    );
  };

  const sink = run('to', to, { stdin: channel }).then((r) => {
    // A receiver that exits before the sender's output ended quit early even with 0: the sender would block for ever.
    if (!r.stopped && (r.code !== 0 || (!settled.from && !senderEof))) fail('to');
    return r;
  });
  const source = run('from', from, {
    stdout: channel,
    onStdout: (c) => {
      bytes += c.length;
      opts.onBytes?.(bytes);
    },
  }).then((r) => {
    if (r.stopped) return r;
    if (r.code === 0) {
      // Sender done and fine: the receiver may see EOF once it has read what is still buffered. Not
      // channel.end() here: the sender's output may not all be in the relay yet; its pipe ends it.
      senderOk = true;
      releaseEof?.();
    } else fail('from');
    return r;
  });

  try {
    const [f, t] = await Promise.allSettled([source, sink]);
    if (f.status === 'rejected' || t.status === 'rejected') {
      // The first failure's error names its end; a cancel rejects both.
      const first = failed === 'to' ? [t, f] : [f, t];
      const err = first.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      throw err?.reason;
    }
    const ok = failed === undefined && f.value.code === 0 && t.value.code === 0;
    return { from: f.value, to: t.value, bytes, ok, failed: ok ? undefined : (failed ?? (f.value.code !== 0 ? 'from' : 'to')) };
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
    // Nothing reads the relay any more (the receiver is gone): drop what it still buffers.
    if (!channel.destroyed) channel.destroy();
  }
}

/**
 * One line naming the end that failed first and what became of the other, for
 * a step's error: `names` are the hosts as the user knows them (inventory names).
 */
export function pipeFailure(r: PipeResult, names: { from: string; to: string }): string | undefined {
  if (!r.failed) return undefined;
  const side = r.failed;
  const end = r[side];
  const o = side === 'from' ? r.to : r.from;
  const role = side === 'from' ? 'sender' : 'receiver';
  const lastErr = end.stderr.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
  const how =
    end.code === 0 && side === 'to'
      ? 'exited 0 before reading all of the sender\'s output'
      : end.code === null
        ? `ended without an exit status${end.signal ? ` (signal ${end.signal})` : ''}`
        : `exited ${end.code}`;
  const otherName = side === 'from' ? `receiver on ${names.to}` : `sender on ${names.from}`;
  const after = o.stopped ? `; the ${otherName} was stopped` : o.code === 0 ? '' : `; the ${otherName} exited ${o.code ?? 'without a status'}`;
  return `the ${role} on ${names[side]} ${how}${lastErr ? `: ${lastErr}` : ''}${after}`;
}
