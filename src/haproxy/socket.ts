import net from 'node:net';
import { OpsError } from '../core/errors.js';

/**
 * One command on an HAProxy UNIX socket (stats socket or master CLI) in
 * non-interactive mode: send the line, read until HAProxy closes.
 */
export function socketCommand(path: string, command: string, opts: { timeoutMs?: number } = {}): Promise<string> {
  if (/[\r\n;]/.test(command)) {
    // ';' chains commands on the HAProxy CLI: a server name must never smuggle a second one in.
    return Promise.reject(new OpsError('INTERNAL', `refusing to send a multi-command line to ${path}`));
  }
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.createConnection({ path });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new OpsError('IO', `no answer from ${path} to "${command}" within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.end(`${command}\n`));
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new OpsError('IO', `cannot talk to the HAProxy socket ${path}: ${e.code ?? e.message}`, {
          hint: 'check that haproxy runs and that the path matches the stats socket / master socket (-S) in its config',
          cause: e,
        }),
      );
    });
  });
}
