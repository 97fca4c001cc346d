import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { removeScratchDir, scratchDir, startDaemon } from './daemon.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface MariaDbHandle {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

export interface MariaDbInstance extends MariaDbHandle {
  serverId: number;
  dataDir: string;
  socketPath: string;
  /** What mariadbd logged so far: read it when a test fails. */
  logs(): string;
}

const FIX =
  'as root: apt-get install -y mariadb-server mariadb-client (or run `bash test/services/prepare.sh`); ' +
  'the test rig needs /usr/sbin/mariadbd and mariadb-install-db';

const isRoot = process.getuid?.() === 0;

/**
 * mariadbd listens on TCP a moment before its Unix socket accepts, so the
 * first socket connection can be refused: retry while the server is alive.
 */
async function rootOverSocket(socketPath: string, alive: () => boolean): Promise<mysql.Connection> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await mysql.createConnection({ socketPath, user: 'root' });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if ((code !== 'ECONNREFUSED' && code !== 'ENOENT') || !alive() || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * An independent MariaDB server on a spare loopback port with its own temp
 * datadir, binary log and server id, so replication tests can wire two of
 * them together. Auth stays real: the returned account has a random password.
 */
export async function startMariaDbInstance(opts: { serverId?: number; extraArgs?: string[] } = {}): Promise<MariaDbInstance> {
  const serverId = opts.serverId ?? 1;
  const dir = scratchDir(`opsdeck-mariadb-${serverId}-`);
  const dataDir = path.join(dir, 'data');
  const socketPath = path.join(dir, 'mariadb.sock');
  // A private tmpdir: bootstraps running side by side (parallel test files)
  // otherwise trip over each other's temporary tables in the shared /tmp.
  const tmpDir = path.join(dir, 'tmp');
  mkdirSync(tmpDir);
  const asUser = isRoot ? ['--user=root'] : [];
  try {
    await run(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        // A fresh container may have no /etc/hosts: without these the script
        // refuses because `hostname` does not resolve; we use IPs and a socket only.
        '--skip-name-resolve',
        '--force',
        `--tmpdir=${tmpDir}`,
        ...asUser,
      ],
      { timeout: 60_000, env: { ...process.env, TMPDIR: tmpDir } },
    );
  } catch (e) {
    removeScratchDir(dir);
    const err = e as { message: string; stderr?: string };
    throw new Error(`mariadb-install-db failed: ${err.message}\n${err.stderr ?? ''}\nfix: ${FIX}`);
  }

  const port = await freePort();
  let daemon;
  try {
    daemon = await startDaemon({
      name: 'mariadbd',
      command: '/usr/sbin/mariadbd',
      args: [
        '--no-defaults',
        ...asUser,
        `--datadir=${dataDir}`,
        `--tmpdir=${tmpDir}`,
        `--socket=${socketPath}`,
        `--pid-file=${path.join(dir, 'mariadbd.pid')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--server-id=${serverId}`,
        '--log-bin=mysql-bin',
        '--binlog-format=ROW',
        // Small and quick: these are throwaway test servers on a 2-core box.
        '--innodb-buffer-pool-size=32M',
        '--innodb-log-file-size=16M',
        '--skip-name-resolve',
        ...(opts.extraArgs ?? []),
      ],
      port,
      // Generous: a dying mariadbd fails at once anyway (startDaemon watches it).
      timeoutMs: 60_000,
      fix: FIX,
    });
  } catch (e) {
    removeScratchDir(dir);
    throw e;
  }

  const user = 'opsdeck';
  const password = randomBytes(12).toString('hex');
  try {
    // Root is reachable over the socket only without a password; the tests get
    // a TCP account with a password so authentication is exercised for real.
    const root = await rootOverSocket(socketPath, () => daemon.child.exitCode === null);
    // Kept out of the binary log: a replica of this server has its own account
    // already, and replaying the CREATE USER there would stop replication.
    await root.query('SET SESSION sql_log_bin = 0');
    await root.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    await root.query(`GRANT ALL PRIVILEGES ON *.* TO '${user}'@'127.0.0.1' WITH GRANT OPTION`);
    await root.end();
  } catch (e) {
    await daemon.stop();
    removeScratchDir(dir);
    throw new Error(`mariadbd started on port ${port} but creating the test account failed: ${(e as Error).message}\nfix: ${FIX}`);
  }

  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    serverId,
    dataDir,
    socketPath,
    logs: () => daemon.output(),
    async stop() {
      await daemon.stop(15_000);
      removeScratchDir(dir);
    },
  };
}

async function machineServerWorks(): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', connectTimeout: 2000 });
    await c.query('SELECT 1');
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * A MariaDB to test against: the machine's own server on 127.0.0.1:3306 when
 * root without a password gets in over TCP (its stop() leaves it running),
 * else a private instance in a temp datadir. OPSDECK_TEST_MARIADB_FORCE_TEMP=1
 * forces the private instance, to rehearse a machine without a server.
 */
export async function ensureMariaDb(): Promise<MariaDbHandle> {
  if (process.env['OPSDECK_TEST_MARIADB_FORCE_TEMP'] !== '1' && (await machineServerWorks())) {
    return { host: '127.0.0.1', port: 3306, user: 'root', password: '', stop: async () => {} };
  }
  return startMariaDbInstance({ serverId: 1 });
}

/**
 * Several instances at once (e.g. a source and a replica). If one cannot
 * start, the others are stopped before the error is thrown, so a failed
 * beforeAll leaves no server behind.
 */
export async function startMariaDbInstances(serverIds: number[]): Promise<MariaDbInstance[]> {
  const settled = await Promise.allSettled(serverIds.map((serverId) => startMariaDbInstance({ serverId })));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return settled.map((r) => (r as PromiseFulfilledResult<MariaDbInstance>).value);
  await Promise.all(settled.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
  throw failed.reason;
}
