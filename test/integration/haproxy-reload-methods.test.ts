import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HaproxyConfig } from '../../src/haproxy/config.js';
import { iid } from '../unit/fleet-fixtures.js';
import { startPoolRig, type PoolRig } from './haproxy-pool-rig.js';

let pool: PoolRig;
beforeAll(async () => {
  pool = await startPoolRig();
});
afterAll(async () => {
  await pool?.stop();
});

describe('reload methods', () => {
  it('kill -USR2 of the master pid (pid file), verified through the runtime API', async () => {
    const { rig } = pool;
    const cfg: HaproxyConfig = { ...rig.config, reload: { method: 'signal', pidFile: path.join(rig.dir, 'haproxy.pid') } };
    const r = await pool.syncTo([0, 1], cfg);
    expect(r.reload).toMatch(/^sent SIGUSR2 to \d+$/);
    expect(await pool.names()).toEqual([iid(1), iid(2)]);
  });

  it('a custom command; when it fails the backup is restored and reloaded through the same command', async () => {
    const { rig } = pool;
    const good: HaproxyConfig = { ...rig.config, reload: { method: 'command', command: `kill -USR2 $(cat ${path.join(rig.dir, 'haproxy.pid')})` } };
    await pool.syncTo([0, 1, 2], good);
    expect(await pool.names()).toEqual([iid(1), iid(2), iid(3)]);
    const before = await readFile(rig.configPath, 'utf8');
    // The first call fails, later ones work: the rollback reload must go through.
    const flag = path.join(rig.dir, 'failed-once');
    const flaky: HaproxyConfig = {
      ...rig.config,
      reload: { method: 'command', command: `if [ ! -e ${flag} ]; then touch ${flag}; echo boom >&2; exit 7; fi; kill -USR2 $(cat ${path.join(rig.dir, 'haproxy.pid')})` },
    };
    await expect(pool.syncTo([0], flaky)).rejects.toMatchObject({ code: 'RELOAD_FAILED', message: expect.stringContaining('exited 7: boom'), details: ['previous config restored and reloaded'] });
    expect(await readFile(rig.configPath, 'utf8')).toBe(before);
    expect(await pool.names()).toEqual([iid(1), iid(2), iid(3)]);
    expect(await rig.request()).toMatch(/^app-/);
  });

  it('a master-CLI sync right after another reload waits for the master CLI instead of rolling back a good config', async () => {
    const { rig } = pool;
    await pool.syncTo([0, 1, 2]);
    // Someone else reloads (a package upgrade, a person): the master re-executes and its CLI goes away for a moment.
    process.kill(Number((await readFile(path.join(rig.dir, 'haproxy.pid'), 'utf8')).trim()), 'SIGUSR2');
    const r = await pool.syncTo([0, 1]);
    expect(r.reload).toMatch(/^new worker \d+ serving$/);
    expect(await pool.names()).toEqual([iid(1), iid(2)]);
  });

  it('a runtime API that answers but cannot confirm the servers (another socket) is rolled back, and the message says which part failed', async () => {
    const { rig } = pool;
    await pool.syncTo([0, 1, 2]);
    const before = await readFile(rig.configPath, 'utf8');
    // The master CLI answers, but it is not this haproxy's stats socket: no server list comes back.
    const elsewhere: HaproxyConfig = { ...rig.config, runtimeSocket: rig.config.reload.method === 'master-cli' ? rig.config.reload.masterSocket : '' };
    const err = await pool.syncTo([0, 1], elsewhere).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'RELOAD_FAILED',
      message: expect.stringMatching(/reloaded \(new worker \d+ serving\) but the runtime API at .*did not confirm the planned servers/),
      hint: expect.stringContaining('haproxy.runtimeSocket'),
    });
    expect(await readFile(rig.configPath, 'utf8')).toBe(before);
    expect(await pool.names()).toEqual([iid(1), iid(2), iid(3)]);
    expect(await rig.request()).toMatch(/^app-/);
  }, 30_000);

  it('a socket that does not answer at all is found before anything is written, in seconds, and named by its config key', async () => {
    const { rig } = pool;
    await pool.syncTo([0, 1, 2]);
    const before = await readFile(rig.configPath, 'utf8');
    const cases: [HaproxyConfig, RegExp][] = [
      [{ ...rig.config, runtimeSocket: path.join(rig.dir, 'no-such.sock') }, /^haproxy\.runtimeSocket .*no-such\.sock does not answer \(ENOENT\): nothing was written$/],
      [{ ...rig.config, reload: { method: 'master-cli', masterSocket: path.join(rig.dir, 'no-master.sock') } }, /^haproxy\.reload\.masterSocket .*no-master\.sock does not answer .*: nothing was written$/],
      [{ ...rig.config, reload: { method: 'signal', pidFile: path.join(rig.dir, 'no-such.pid') } }, /^haproxy\.reload\.pidFile .*no-such\.pid: .*ENOENT.*: nothing was written$/],
    ];
    for (const [cfg, message] of cases) {
      const t0 = Date.now();
      const err = await pool.syncTo([0, 1], cfg).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'RELOAD_UNREACHABLE', message: expect.stringMatching(message) });
      // not the 30 s a reload would wait, even on a loaded machine
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(await readFile(rig.configPath, 'utf8')).toBe(before);
    }
    expect(await pool.names()).toEqual([iid(1), iid(2), iid(3)]);
  }, 60_000);
});
