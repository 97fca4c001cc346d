import {
  AttachVolumeCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DeleteVolumeCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEc2Compute } from '../../src/cloud/aws/compute.js';
import type { CloudPorts } from '../../src/cloud/ports.js';
import { compareData } from '../../src/database/checksum.js';
import { connectMysql, type MysqlConnection } from '../../src/mysql/connection.js';
import { replicationStatus } from '../../src/mysql/replication.js';
import type { RunEvent } from '../../src/runbooks/engine.js';
import type { Inventory } from '../../src/runbooks/inputs.js';
import { readRun } from '../../src/runbooks/journal.js';
import { loadRunbookFile, shippedRunbookDir, type LoadedRunbook } from '../../src/runbooks/load.js';
import { startMariaDbInstance, type MariaDbInstance } from '../services/mariadb.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';
import { coldServer, type ColdServer } from './mysql-cold-rig.js';
import { RunbookRig } from './runbook-rig.js';

/**
 * The shipped mysql-resync-ebs against mocked EC2, a real MariaDB source (A,
 * binary logs named binlog.N as MySQL 8 names them) and a real target (B)
 * stopped and started over a real sshd. The "snapshot" is A's datadir copied
 * under the read lock into an ext4 image; "attaching" it makes the device
 * name the runbook mounts point at that image, so the copy, the restart on
 * it and the replication from the recorded coordinates are all real.
 */
const run = promisify(execFile);
const ec2 = mockClient(EC2Client);
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };
const VOL = 'vol-0123456789abcdef0';
const TEMP = 'vol-0bbbbbbbbbbbbbbb2';
const SNAP = 'snap-0aaaaaaaaaaaaaaa1';
const INST = 'i-0fedcba9876543210';
const DEVICE = `/dev/opsdeckebs${process.pid}`;

let a: MariaDbInstance;
let b: ColdServer;
let sshd: SshdHandle;
let rig: RunbookRig;
let loaded: LoadedRunbook;

const login = (d: MariaDbInstance) => ({ host: d.host, port: d.port, user: d.user, password: a.password });
const connect = (d: MariaDbInstance): Promise<MysqlConnection> => connectMysql(login(d));
async function q<T = Record<string, unknown>>(d: MariaDbInstance, sql: string): Promise<T[]> {
  const c = await connect(d);
  try {
    return (await c.query(sql))[0] as T[];
  } finally {
    c.destroy();
  }
}

beforeAll(async () => {
  const [x, y, d, r] = await Promise.all([
    startMariaDbInstance({ serverId: 801, extraArgs: ['--log-bin=binlog'] }),
    startMariaDbInstance({ serverId: 802 }),
    startSshd(),
    RunbookRig.create(),
  ]);
  [a, sshd, rig] = [x, d, r];
  b = coldServer(y);
  loaded = await loadRunbookFile(path.join(shippedRunbookDir(), 'mysql-resync-ebs.yaml'), 'shipped');
  // the copy gives B A's accounts: one password on both
  const cb = await connectMysql(y);
  await cb.query('SET SESSION sql_log_bin = 0');
  await cb.query("ALTER USER 'opsdeck'@'127.0.0.1' IDENTIFIED BY ?", [x.password]);
  await cb.query('CREATE DATABASE shop');
  await cb.query('CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40)) ENGINE=InnoDB');
  await cb.query("INSERT INTO shop.orders VALUES (1, 'stale on B')");
  cb.destroy();
  const ca = await connectMysql(x);
  await ca.query('CREATE DATABASE shop');
  await ca.query('CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40)) ENGINE=InnoDB');
  await ca.query("INSERT INTO shop.orders SELECT seq, CONCAT('item ', seq) FROM shop.seq_1_to_5000");
  await ca.query('FLUSH BINARY LOGS');
  // nothing left in memory to write: a file copy under the read lock is what a volume snapshot would hold
  await ca.query('SET GLOBAL innodb_max_dirty_pages_pct = 0');
  ca.destroy();
}, 120_000);

afterAll(async () => {
  ec2.restore();
  rmSync(DEVICE, { force: true });
  await Promise.all([a?.stop(), b?.stop(), sshd?.stop(), rig?.stop()]);
});
beforeEach(() => ec2.reset());

/**
 * EC2 as the runbook sees it. The snapshot is A's volume: its datadir at
 * mysql/ with what a MySQL replica's datadir also holds (replication state
 * files, a relay log, the server UUID), none of which may reach B.
 */
function ebs(opts: { onSnapshot?: () => Promise<void> } = {}): { img: string } {
  const stage = path.join(rig.dir, `stage-${Date.now()}`);
  const img = `${stage}.img`;
  let state = 'available';
  ec2.on(CreateSnapshotCommand).callsFake(async () => {
    await opts.onSnapshot?.();
    mkdirSync(stage);
    await run('cp', ['-a', a.dataDir, path.join(stage, 'mysql')]);
    for (const f of ['auto.cnf', 'master.info', 'relay-log.info', 'multi-master.info', 'mysqld-relay-bin.000001']) writeFileSync(path.join(stage, 'mysql', f), `from the source's volume\n`);
    await run('truncate', ['-s', '256M', img]);
    await run('mkfs.ext4', ['-q', '-d', stage, img]);
    return { SnapshotId: SNAP, VolumeId: VOL, State: 'pending', Progress: '0%', VolumeSize: 1 };
  });
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: SNAP, VolumeId: VOL, State: 'completed', Progress: '100%' }] });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INST, State: { Name: 'running' }, Placement: { AvailabilityZone: 'us-east-1b' } }] }] });
  ec2.on(CreateVolumeCommand).resolves({ VolumeId: TEMP, State: 'creating', AvailabilityZone: 'us-east-1b', Size: 1 });
  ec2.on(DescribeVolumesCommand).callsFake(() => ({
    Volumes: [{ VolumeId: TEMP, State: state, AvailabilityZone: 'us-east-1b', Size: 1, ...(state === 'in-use' ? { Attachments: [{ InstanceId: INST, State: 'attached' }] } : {}) }],
  }));
  ec2.on(AttachVolumeCommand).callsFake(() => {
    symlinkSync(img, DEVICE);
    state = 'in-use';
    return {};
  });
  ec2.on(DetachVolumeCommand).callsFake(() => {
    rmSync(DEVICE, { force: true });
    state = 'available';
    return {};
  });
  ec2.on(DeleteVolumeCommand).callsFake(() => {
    rmSync(img, { force: true });
    return {};
  });
  return { img };
}

function inventory(): Inventory {
  const host = { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath };
  return { hosts: { alpha: host, beta: { ...host, mysqld: b.mysqld } }, mysql: { dbA: login(a), dbB: login(b.inst) } };
}

async function resync(inputs: Record<string, string> = {}, onEvent?: (e: RunEvent) => void) {
  const cloud = { kind: 'aws', compute: createEc2Compute(new EC2Client({ region: 'us-east-1', credentials: creds, maxAttempts: 1 })) } as unknown as CloudPorts; // only compute is used
  return rig.run(loaded, inventory(), {
    cloud,
    inputs: { source: 'dbA', target: 'dbB', sourceVolume: VOL, targetInstance: INST, targetHost: 'beta', device: DEVICE, datadir: b.inst.dataDir, ...inputs },
    approve: (s) => (typeof s.confirm === 'object' ? { by: 'test', via: 'tui', typed: s.confirm.typed } : { by: 'test', via: 'yes' }),
    ...(onEvent ? { onEvent } : {}),
  });
}

const writes = (): string[] => ec2.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')).filter((n) => !n.startsWith('Describe'));
const mountedHere = (): string[] => readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes('/tmp/opsdeck-resync.'));

describe('mysql-resync-ebs', () => {
  it('unfreezes the source once the snapshot started; a failed attach still deletes the temporary volume and fails the run', async () => {
    const probe = await connect(a);
    let lockedWhenSnapshotStarted: boolean | undefined;
    const writable = async (): Promise<boolean> => {
      await probe.query('SET SESSION lock_wait_timeout = 1');
      return probe.query('CREATE DATABASE IF NOT EXISTS probe_db').then(() => true, () => false);
    };
    ebs({ onSnapshot: async () => void (lockedWhenSnapshotStarted = !(await writable())) });
    ec2.on(AttachVolumeCommand).rejects(new EC2ServiceException({ name: 'InvalidVolume.ZoneMismatch', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'The volume is not in the same availability zone as the instance' }));
    const r = await resync();
    expect(lockedWhenSnapshotStarted).toBe(true);
    expect(await writable()).toBe(true);
    await probe.query('DROP DATABASE IF EXISTS probe_db');
    probe.destroy();
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/^attach: AttachVolume: The volume is not in the same availability zone as the instance.* \(the steps from detach on ran to clean up\)$/);
    // detached first: an attach EC2 accepted but never finished would keep DeleteVolume failing
    expect(writes()).toEqual(['CreateSnapshot', 'CreateVolume', 'AttachVolume', 'DetachVolume', 'DeleteVolume']);
    expect(ec2.commandCalls(DeleteVolumeCommand)[0]?.args[0].input).toEqual({ VolumeId: TEMP });
    // nothing touched the target: its mysqld was never stopped
    expect(r.outcome.steps.get('stop-target')).toBe('pending');
    expect(b.running()).toBe(true);
  }, 120_000);

  it('rebuilds B from the snapshot: snapshot, volume, attach, copy, B replicating from the coordinates, verified, detach, delete', async () => {
    ebs();
    const r = await resync();
    expect(r.outcome.status, `${r.outcome.message}\n${r.output.slice(-3000)}`).toBe('done');
    expect(writes()).toEqual(['CreateSnapshot', 'CreateVolume', 'AttachVolume', 'DetachVolume', 'DeleteVolume']);
    expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ 'target-down': 'done', copy: 'done', 'forget-target': 'done', point: 'done', replicating: 'done', 'heartbeat-arrived': 'done', checksums: 'done' });
    expect(r.output).toMatch(/the server does not answer/);
    expect(existsSync(DEVICE)).toBe(false);
    expect(mountedHere()).toEqual([]);

    // B has A's data, and none of A's binary logs (binlog.N), replication state or identity
    expect(await q(b.inst, 'SELECT COUNT(*) AS n FROM shop.orders')).toEqual([{ n: '5000' }]);
    const files = readdirSync(b.inst.dataDir);
    expect(files.filter((f) => /^binlog\./.test(f) || ['auto.cnf', 'mysqld-relay-bin.000001'].includes(f))).toEqual([]);
    // B writes its own replication state files once it replicates: none is the source's
    const planted = files.filter((f) => ['master.info', 'relay-log.info', 'multi-master.info'].includes(f) && readFileSync(path.join(b.inst.dataDir, f), 'utf8').includes("from the source's volume"));
    expect(planted).toEqual([]);
    expect(existsSync(`${b.inst.dataDir}.opsdeck-old-${r.outcome.runId}`)).toBe(true);
    // B replicates from A, and a new write on A arrives with the data equal
    const [ca, cb] = await Promise.all([connect(a), connect(b.inst)]);
    expect(await replicationStatus(cb)).toMatchObject({ ioRunning: true, sqlRunning: true, sourcePort: a.port });
    await ca.query("INSERT INTO shop.orders VALUES (5001, 'after the resync')");
    for (let i = 0; i < 100 && (await q(b.inst, 'SELECT COUNT(*) AS n FROM shop.orders WHERE id = 5001'))[0]?.['n'] !== '1'; i++) await new Promise((res) => setTimeout(res, 100));
    expect((await compareData(ca, cb)).mismatches).toEqual([]);
    ca.destroy();
    cb.destroy();
  }, 180_000);

  /** B's own datadir before a run that fails: it must be back in place afterwards */
  const mark = (): void => writeFileSync(path.join(b.inst.dataDir, 'opsdeck-test-marker'), 'the datadir before the run\n');
  const rolledBack = async (r: Awaited<ReturnType<typeof resync>>): Promise<void> => {
    expect(writes()).toEqual(['CreateSnapshot', 'CreateVolume', 'AttachVolume', 'DetachVolume', 'DeleteVolume']);
    expect(ec2.commandCalls(DeleteVolumeCommand)[0]?.args[0].input).toEqual({ VolumeId: TEMP });
    expect(existsSync(DEVICE)).toBe(false);
    expect(mountedHere()).toEqual([]);
    expect(readFileSync(path.join(b.inst.dataDir, 'opsdeck-test-marker'), 'utf8')).toBe('the datadir before the run\n');
    expect(existsSync(`${b.inst.dataDir}.opsdeck-old-${r.outcome.runId}`)).toBe(false);
    expect(b.running()).toBe(true);
    expect(await q(b.inst, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect((await readRun(r.outcome.journal)).status).toBe('failed');
  };

  it('a copy that fails puts B back as it was, running, and still detaches and deletes the volume; the run is journaled failed', async () => {
    mark();
    ebs();
    const r = await resync({ datadirOnVolume: 'not-on-the-volume' });
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/^copy: beta: the command exited 1: copy failed .*the old datadir is back in place \(the steps from rollback-stop-target on ran to clean up\)$/);
    expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ copy: 'failed', 'start-target': 'pending', 'rollback-datadir': 'done', 'rollback-start-target': 'done', detach: 'done', 'delete-volume': 'done' });
    await rolledBack(r);
  }, 120_000);

  it('a failure after B started on the copy (differing data caught by the checksums) rolls B back and still detaches and deletes the volume', async () => {
    mark();
    ebs();
    const r = await resync({}, (e) => {
      if (e.t === 'step' && e.id === 'replicating' && e.status === 'done') {
        // a write on B only: replication stays healthy, the data does not
        void connect(b.inst).then(async (c) => {
          await c.query('SET SESSION sql_log_bin = 0');
          await c.query("UPDATE shop.orders SET item = 'written on the replica' WHERE id = 42");
          c.destroy();
        });
      }
    });
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/^checksums: data differs between dbA and dbB in shop\.orders .*\(the steps from rollback-stop-target on ran to clean up\)$/);
    expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ checksums: 'failed', 'rollback-stop-target': 'done', 'rollback-target-down': 'done', 'rollback-datadir': 'done', 'rollback-target-up': 'done', detach: 'done', 'delete-volume': 'done' });
    expect(r.output).toContain('the old datadir is back at');
    await rolledBack(r);
  }, 180_000);

  describe('with dataMount: the source\'s data filesystem frozen as ec2-consistent-snapshot does', () => {
    const mount = (): string => path.join(rig.dir, 'source-data');
    /** Freezing a frozen filesystem fails (EBUSY): the only way to ask whether it is frozen. */
    const frozen = async (): Promise<boolean> => {
      const ok = await run('fsfreeze', ['-f', mount()]).then(() => true, () => false);
      if (ok) await run('fsfreeze', ['-u', mount()]);
      return !ok;
    };
    beforeAll(async () => {
      mkdirSync(mount());
      await run('truncate', ['-s', '16M', `${mount()}.img`]);
      await run('mkfs.ext4', ['-q', `${mount()}.img`]);
      await run('mount', ['-o', 'loop', `${mount()}.img`, mount()]);
    });
    afterAll(async () => {
      await run('fsfreeze', ['-u', mount()]).catch(() => undefined);
      await run('umount', [mount()]).catch(() => undefined);
    });
    const failsafe = (runId: string): string => `/tmp/opsdeck-thaw-${runId}.pid`;

    it('is frozen while the snapshot starts and unfrozen right after it, its 5-minute failsafe gone', async () => {
      let frozenAtSnapshot: boolean | undefined;
      let failsafePid: string | undefined;
      ebs({
        onSnapshot: async () => {
          frozenAtSnapshot = await frozen();
          const pidFile = readdirSync('/tmp').find((f) => /^opsdeck-thaw-.*mysql-resync-ebs.*\.pid$/.test(f));
          failsafePid = pidFile ? readFileSync(path.join('/tmp', pidFile), 'utf8').trim() : undefined;
        },
      });
      ec2.on(AttachVolumeCommand).rejects(new EC2ServiceException({ name: 'IncorrectState', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'stop here' }));
      const r = await resync({ sourceHost: 'alpha', dataMount: mount() });
      expect(r.outcome.message).toMatch(/^attach: /);
      expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ freezable: 'done', 'freeze-fs': 'done', snapshot: 'done', 'unfreeze-fs': 'done', thaw: 'done', 'unfreeze-after-failure': 'skipped' });
      expect(frozenAtSnapshot).toBe(true);
      expect(await frozen()).toBe(false);
      expect(failsafePid).toMatch(/^\d+$/);
      // gone (a zombie counts: this container's init may not reap it)
      const state = existsSync(`/proc/${failsafePid}/stat`) ? readFileSync(`/proc/${failsafePid}/stat`, 'utf8').split(' ')[2] : 'gone';
      expect(['gone', 'Z']).toContain(state);
      expect(existsSync(failsafe(r.outcome.runId))).toBe(false);
    }, 120_000);

    it('is unfrozen, and the source writable, when the snapshot does not start', async () => {
      ebs();
      ec2.on(CreateSnapshotCommand).rejects(new EC2ServiceException({ name: 'SnapshotCreationPerVolumeRateExceeded', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'The maximum per volume CreateSnapshot request rate has been exceeded' }));
      const r = await resync({ sourceHost: 'alpha', dataMount: mount() });
      expect(r.outcome.status).toBe('failed');
      expect(r.outcome.message).toMatch(/^snapshot: .*\(the steps from unfreeze-after-failure on ran to clean up\)$/);
      expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ 'freeze-fs': 'done', snapshot: 'failed', 'unfreeze-fs': 'pending', 'unfreeze-after-failure': 'done', 'thaw-after-failure': 'done' });
      expect(await frozen()).toBe(false);
      expect(existsSync(failsafe(r.outcome.runId))).toBe(false);
      await q(a, 'CREATE DATABASE IF NOT EXISTS probe_db');
      await q(a, 'DROP DATABASE probe_db');
    }, 120_000);

    it('refuses before the lock when dataMount is not a mount point there', async () => {
      ebs();
      const r = await resync({ sourceHost: 'alpha', dataMount: rig.dir });
      expect(r.outcome.status).toBe('refused');
      expect(r.output).toContain(`${rig.dir} is not a mount point`);
      expect(r.outcome.steps.get('freeze')).toBe('pending');
      expect(writes()).toEqual([]);
    }, 60_000);
  });
});
