import net from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('freePort: no TCP address'));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Resolves once host:port accepts a TCP connection; rejects after timeoutMs,
 * or as soon as `alive()` says the process that should listen has died.
 */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  opts: { host?: string; alive?: () => boolean } = {},
): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await tryConnect(port, host)) return;
    if (opts.alive && !opts.alive()) throw new Error(`process exited before ${host}:${port} accepted connections`);
    if (Date.now() > deadline) throw new Error(`${host}:${port} did not accept connections within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
