import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fleetConfigSchema } from '../../src/fleet/config.js';
import { connectMysql } from '../../src/mysql/connection.js';
import { realExecutors } from '../../src/runbooks/executors-real.js';
import type { Inventory } from '../../src/runbooks/inputs.js';
import { readRun } from '../../src/runbooks/journal.js';
import { loadRunbookFile, shippedRunbookDir } from '../../src/runbooks/load.js';
import { startPoolRig, withMaintenancePage } from '../integration/haproxy-pool-rig.js';
import { coldServer } from '../integration/mysql-cold-rig.js';
import { startMariaDbInstances } from '../services/mariadb.js';
import { startSshd } from '../services/sshd.js';
import { runBenchRunbook } from './loopback.js';

/**
 * The shipped mysql-resync end to end on two real MariaDB servers (stopped and
 * started over a real sshd, behind a real haproxy's maintenance page) whose
 * source holds `mib` MiB of InnoDB data: the whole run's wall time, and the
 * copy step's share of it, once with transfer=relay and once with
 * transfer=direct. Poll pauses are the engine's real ones.
 */
export interface ResyncRunFigures {
  datadirBytes: number;
  relay: { ms: number; copyMs: number };
  direct: { ms: number; copyMs: number };
}

export async function measureResyncRunbook(mib: number): Promise<ResyncRunFigures> {
  const [servers, sshd, pool] = await Promise.all([startMariaDbInstances([731, 732]), startSshd(), startPoolRig({ initialConfig: withMaintenancePage })]);
  const [x, y] = servers;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-resync-run-'));
  if (!x || !y) throw new Error('the rig started fewer than two MariaDB servers');
  const [a, b] = [coldServer(x), coldServer(y)];
  try {
    await writeFile(pool.rig.templatePath, withMaintenancePage(await readFile(pool.rig.templatePath, 'utf8')));
    await pool.syncTo([0, 1, 2]);
    // one account on both: the whole-datadir copy gives the target the source's accounts
    const onB = await connectMysql(y);
    await onB.query('SET SESSION sql_log_bin = 0');
    await onB.query("ALTER USER 'opsdeck'@'127.0.0.1' IDENTIFIED BY ?", [x.password]);
    onB.destroy();
    const onA = await connectMysql(x);
    // not binlogged: the copy never takes binary logs, and a GiB of them would only fill the disk
    await onA.query('SET SESSION sql_log_bin = 0');
    await onA.query('CREATE DATABASE shop');
    await onA.query('CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40), note VARCHAR(1000)) ENGINE=InnoDB');
    // ~1.1 KiB a row on disk; in slices so no single transaction is a GiB
    const rows = Math.ceil((mib * 1024 * 1024) / 1150);
    for (let from = 1; from <= rows; from += 100_000) {
      const to = Math.min(rows, from + 99_999);
      await onA.query(`INSERT INTO shop.orders SELECT seq, CONCAT('item ', seq), REPEAT(MD5(seq), 30) FROM shop.seq_${from}_to_${to}`);
    }
    onA.destroy();
    const datadirBytes = Number(execFileSync('du', ['-sb', '--exclude=mysql-bin.*', x.dataDir], { encoding: 'utf8' }).split('\t')[0]);

    const host = { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath };
    const login = (s: typeof x) => ({ host: s.host, port: s.port, user: s.user, password: x.password });
    const inventory: Inventory = { hosts: { alpha: { ...host, mysqld: a.mysqld }, beta: { ...host, mysqld: b.mysqld } }, mysql: { dbA: login(x), dbB: login(y) } };
    const loaded = await loadRunbookFile(path.join(shippedRunbookDir(), 'mysql-resync.yaml'), 'shipped');
    const haproxy = { fleet: fleetConfigSchema.parse({}), haproxy: pool.rig.config, sandbox: false };
    const once = async (inputs: Record<string, string>): Promise<{ ms: number; copyMs: number }> => {
      const executors = realExecutors({ inventory, configPath: undefined, env: process.env, haproxy: async () => haproxy, cloud: async () => Promise.reject(new Error('unused in this bench')) });
      const t0 = performance.now();
      const out = await runBenchRunbook(loaded, executors, inventory, dir, {
        source: 'dbA',
        target: 'dbB',
        sourceHost: 'alpha',
        targetHost: 'beta',
        sourceDatadir: x.dataDir,
        targetDatadir: y.dataDir,
        primaryAfter: 'source',
        keepBackup: 'false',
        ...inputs,
      });
      const ms = performance.now() - t0;
      const rec = await readRun(out.journal);
      const copyMs = (rec.finished.get('copy')?.durationMs ?? 0) + (rec.finished.get('copy-direct')?.durationMs ?? 0);
      return { ms, copyMs };
    };
    const relay = await once({ transfer: 'relay' });
    const direct = await once({
      transfer: 'direct',
      directSshOptions: `-i ${sshd.clientKeyPath} -o UserKnownHostsFile=${sshd.knownHostsPath} -o IdentitiesOnly=yes`,
    });
    return { datadirBytes, relay, direct };
  } finally {
    await Promise.all([a.stop(), b.stop(), sshd.stop(), pool.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node --import tsx test/bench/resync-runbook.ts` prints the figures (BENCH_RESYNC_MIB sets the size).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const r = await measureResyncRunbook(Number(process.env.BENCH_RESYNC_MIB ?? 1024));
  for (const [name, f] of [['relay', r.relay], ['direct', r.direct]] as const) {
    console.log(`mysql-resync ${name}, ${(r.datadirBytes / 2 ** 20).toFixed(0)} MiB datadir: ${(f.ms / 1000).toFixed(1)} s, copy ${(f.copyMs / 1000).toFixed(1)} s`);
  }
  process.exit(0);
}
