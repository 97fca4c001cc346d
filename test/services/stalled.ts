import net from 'node:net';

/**
 * Misbehaving endpoints on loopback, for deadline and error tests:
 * - `silent`: accepts connections and never answers (a stalled proxy, a
 *   black-holed VPC endpoint, a half-open NAT);
 * - `reset`: accepts and resets at once (a dying load balancer).
 * Connections are counted so a test can see a client really tried.
 */
export interface StalledServer {
  port: number;
  url: string;
  /** connections accepted so far */
  connections(): number;
  stop(): Promise<void>;
}

export async function startStalledServer(mode: 'silent' | 'reset' = 'silent'): Promise<StalledServer> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const srv = net.createServer((sock) => {
    count++;
    sock.on('error', () => {});
    if (mode === 'reset') {
      sock.resetAndDestroy();
      return;
    }
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    // read and drop whatever arrives, answer nothing
    sock.on('data', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = srv.address() as net.AddressInfo;
  return {
    port: addr.port,
    url: `http://127.0.0.1:${addr.port}`,
    connections: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then closed): connecting is refused. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
