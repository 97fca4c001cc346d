import { PassThrough } from 'node:stream';
import { execKillable } from './killable.js';
import type { ExecResult, SshConnection } from './ssh.js';

export interface PipeEnd {
  conn: SshConnection;
  /** Already shell-quoted by the caller. */
  command: string;
}

export interface PipeResult {
  from: ExecResult;
  to: ExecResult;
  bytes: number;
  /** Both commands exited 0. */
  ok: boolean;
}

/**
 * `from.command | to.command` across two hosts, streamed through this process
 * with backpressure (e.g. mysqldump on the primary into mysql on the replica):
 * nothing lands on local disk and memory stays bounded whatever the size.
 */
export async function pipeBetween(
  from: PipeEnd,
  to: PipeEnd,
  opts: { onBytes?: (total: number) => void; signal?: AbortSignal; timeoutMs?: number; onKill?: (sent: Promise<unknown>) => void } = {},
): Promise<PipeResult> {
  const channel = new PassThrough({ highWaterMark: 1024 * 1024 });
  let bytes = 0;
  const common = {
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    ...(opts.onKill === undefined ? {} : { onKill: opts.onKill }),
  };
  // Killable: a cancelled stream must stop tar/mysqldump on both hosts, not only tear down the channels.
  const sink = execKillable(to.conn, to.command, { ...common, stdin: channel });
  const source = execKillable(from.conn, from.command, {
    ...common,
    stdout: channel,
    onStdout: (c) => {
      bytes += c.length;
      opts.onBytes?.(bytes);
    },
  }).finally(() => {
    // The receiving side must see EOF even when the sender failed, or it waits forever.
    if (!channel.writableEnded) channel.end();
  });
  const [fromResult, toResult] = await Promise.all([source, sink]);
  return { from: fromResult, to: toResult, bytes, ok: fromResult.code === 0 && toResult.code === 0 };
}
