import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveServers, setServerState } from '../../src/haproxy/runtime.js';
import { iid } from '../unit/fleet-fixtures.js';
import { startPoolRig, type PoolRig } from './haproxy-pool-rig.js';

let pool: PoolRig;
beforeAll(async () => {
  // The global line names the state file; the defaults line makes a new worker read it back.
  pool = await startPoolRig({ templateExtra: '    server-state-file STATE' });
  const { rig } = pool;
  const stateFile = path.join(rig.dir, 'server-state');
  for (const p of [rig.templatePath, rig.configPath]) {
    const t = (await readFile(p, 'utf8')).replace('server-state-file STATE', `server-state-file ${stateFile}`).replace('defaults\n', 'defaults\n    load-server-state-from-file global\n');
    await writeFile(p, t);
  }
  rig.config.serverStateFile = stateFile;
});
afterAll(async () => {
  await pool?.stop();
});

describe('server-state-file', () => {
  it('keeps a drained server drained across the reload of a sync', async () => {
    const { rig } = pool;
    await pool.syncTo([0, 1]);
    await setServerState(rig.adminSocket, 'www_farm', iid(2), 'drain');
    await pool.syncTo([0, 1, 2]);
    const servers = await liveServers(rig.adminSocket, ['www_farm']);
    expect(servers.map((s) => `${s.name}:${s.admin}`)).toEqual([`${iid(1)}:ready`, `${iid(2)}:drain`, `${iid(3)}:ready`]);
  });
});
