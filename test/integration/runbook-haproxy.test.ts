import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetConfigSchema } from '../../src/fleet/config.js';
import { liveServers } from '../../src/haproxy/runtime.js';
import { loadRunbookFile, shippedRunbookDir } from '../../src/runbooks/load.js';
import { startPoolRig, type PoolRig, withMaintenancePage } from './haproxy-pool-rig.js';
import { RunbookRig } from './runbook-rig.js';

/**
 * The shipped haproxy-maintenance runbook against a real haproxy: with every
 * server in maint the frontend's nbsrv rule answers with the maintenance
 * page; `mode=off` brings the pool back. Runtime API only: no reload.
 */
let pool: PoolRig;
let rig: RunbookRig;


function get(port: number): Promise<{ status: number; body: string }> {
  return fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } }).then(async (r) => ({ status: r.status, body: await r.text() }));
}

beforeAll(async () => {
  pool = await startPoolRig({ initialConfig: withMaintenancePage });
  writeFileSync(pool.rig.templatePath, withMaintenancePage(readFileSync(pool.rig.templatePath, 'utf8')));
  await pool.syncTo([0, 1, 2]);
  rig = await RunbookRig.create();
}, 60_000);
afterAll(async () => {
  await Promise.all([pool?.stop(), rig?.stop()]);
});

describe('haproxy-maintenance on a real haproxy', () => {
  it('puts the site behind the maintenance page and takes it off again', async () => {
    const loaded = await loadRunbookFile(path.join(shippedRunbookDir(), 'haproxy-maintenance.yaml'), 'shipped');
    const settings = { fleet: fleetConfigSchema.parse({}), haproxy: pool.rig.config, sandbox: false };
    const inv = { hosts: {}, mysql: {} };
    // Wait for the health checks to mark the servers up before judging the page.
    for (let i = 0; i < 50 && (await get(pool.rig.frontendPort)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await get(pool.rig.frontendPort)).body).toMatch(/^app-[abc]$/);

    const on = await rig.run(loaded, inv, { haproxy: settings });
    expect(on.outcome.status).toBe('done');
    expect((await liveServers(pool.rig.adminSocket, ['www_farm'])).map((s) => s.admin)).toEqual(['maint', 'maint', 'maint']);
    expect(await get(pool.rig.frontendPort)).toEqual({ status: 503, body: 'down for maintenance' });
    expect(on.output).toMatch(/www_farm\/i-\S+: ready -> drain\n/);

    const off = await rig.run(loaded, inv, { haproxy: settings, inputs: { mode: 'off' } });
    expect(off.outcome.status).toBe('done');
    expect(Object.fromEntries(off.outcome.steps)).toMatchObject({ drain: 'skipped', maint: 'skipped', ready: 'done', after: 'done' });
    expect((await liveServers(pool.rig.adminSocket, ['www_farm'])).map((s) => s.admin)).toEqual(['ready', 'ready', 'ready']);
    let page = await get(pool.rig.frontendPort);
    for (let i = 0; i < 50 && page.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      page = await get(pool.rig.frontendPort);
    }
    expect(page.body).toMatch(/^app-[abc]$/);
  });
});
