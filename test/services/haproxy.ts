/**
 * A real Debian haproxy (2.6+) in master-worker mode in a temp dir, in front
 * of tiny HTTP backends on 127.0.0.1 that answer their own name. Everything
 * binds loopback; a crashed test never leaves haproxy running (exit hook).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { haproxyConfigSchema, type HaproxyConfig } from '../../src/haproxy/config.js';
import { removeScratchDir, scratchDir, startDaemon, type Daemon } from './daemon.js';
import { freePort } from './ports.js';

export const HAPROXY_BIN = '/usr/sbin/haproxy';
const FIX = 'run test/services/prepare.sh as root (installs Debian haproxy), or: apt-get install -y --no-install-recommends haproxy';

export interface Backend {
  name: string;
  port: number;
  /** requests this backend answered */
  hits(): number;
  stop(): Promise<void>;
}

export async function startBackend(name: string): Promise<Backend> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    res.end(name);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // port 0: the kernel picks, so no other process can take it between a check and the bind
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    port,
    hits: () => hits,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The recipe's "default config" shape for tests: pool backend without servers, admin socket, seamless reloads. */
export function rigTemplate(dir: string, frontendPort: number, extra = ''): string {
  return `global
    stats socket ${dir}/admin.sock mode 600 level admin expose-fd listeners
    hard-stop-after 10s
${extra}
defaults
    mode http
    retries 3
    option redispatch
    timeout connect 2s
    timeout client 10s
    timeout server 10s

frontend www
    bind 127.0.0.1:${frontendPort}
    default_backend www_farm

backend www_farm
    balance roundrobin
`;
}

export interface HaproxyRig {
  dir: string;
  frontendPort: number;
  templatePath: string;
  configPath: string;
  masterSocket: string;
  adminSocket: string;
  /** a haproxy: section pointing at this rig (master CLI reload) */
  config: HaproxyConfig;
  child: ChildProcess;
  output(): string;
  /** GET / through haproxy, no keep-alive: resolves with the backend's name, rejects on any error */
  request(): Promise<string>;
  stop(): Promise<void>;
}

export async function startHaproxyRig(opts: { initialConfig?: (template: string) => string; templateExtra?: string } = {}): Promise<HaproxyRig> {
  if (!existsSync(HAPROXY_BIN)) throw new Error(`${HAPROXY_BIN} is missing.\nfix: ${FIX}`);
  // The shared daemon rig kills haproxy and removes the dir when the worker exits, whatever happens to the test.
  const dir = scratchDir('opsdeck-haproxy-');
  const frontendPort = await freePort();
  const template = rigTemplate(dir, frontendPort, opts.templateExtra ?? '');
  const templatePath = path.join(dir, 'template.cfg');
  const configPath = path.join(dir, 'haproxy.cfg');
  await writeFile(templatePath, template);
  await writeFile(configPath, opts.initialConfig ? opts.initialConfig(template) : template);
  const masterSocket = path.join(dir, 'master.sock');
  const adminSocket = path.join(dir, 'admin.sock');
  let daemon: Daemon;
  try {
    daemon = await startDaemon({
      name: 'haproxy',
      command: HAPROXY_BIN,
      args: ['-W', '-S', masterSocket, '-f', configPath, '-p', path.join(dir, 'haproxy.pid')],
      port: frontendPort,
      timeoutMs: 10_000,
      fix: FIX,
    });
  } catch (e) {
    removeScratchDir(dir);
    throw e;
  }
  for (let i = 0; i < 200 && !existsSync(adminSocket); i++) await new Promise((r) => setTimeout(r, 50));
  const stop = async (): Promise<void> => {
    await daemon.stop();
    removeScratchDir(dir);
  };
  if (!existsSync(adminSocket)) {
    const output = daemon.output().slice(-2000);
    await stop();
    throw new Error(`haproxy answered on its port but did not create ${adminSocket} within 10 s\n${output}\nfix: ${FIX}`);
  }
  const config = haproxyConfigSchema.parse({
    template: templatePath,
    configPath,
    backends: ['www_farm'],
    serverOptions: 'check inter 500 maxconn 100',
    binary: HAPROXY_BIN,
    reload: { method: 'master-cli', masterSocket },
    runtimeSocket: adminSocket,
    backupDir: path.join(dir, 'backups'),
    keepBackups: 3,
  });
  const request = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: frontendPort, path: '/', agent: false, timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body.slice(0, 100)}`))));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  return { dir, frontendPort, templatePath, configPath, masterSocket, adminSocket, config, child: daemon.child, output: daemon.output, request, stop };
}
