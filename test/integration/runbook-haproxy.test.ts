import { readFileSync, writeFileSync } from 'node:fs';
import {
  AutoScalingClient,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  DescribeScheduledActionsCommand,
  DescribeWarmPoolCommand,
  ResumeProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { createAutoScaling } from '../../src/cloud/aws/scaling.js';
import type { CloudPorts } from '../../src/cloud/ports.js';
import { setServerState } from '../../src/haproxy/runtime.js';
import { iid } from '../unit/fleet-fixtures.js';
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

  it('asg-shutdown drains the group\'s instances the pool holds before min = desired = 0, and no other server', async () => {
    const loaded = await loadRunbookFile(path.join(shippedRunbookDir(), 'asg-shutdown.yaml'), 'shipped');
    const settings = { fleet: fleetConfigSchema.parse({}), haproxy: pool.rig.config, sandbox: false };
    const asg = pool.aws.asg;
    const instance = (id: string) => ({ InstanceId: id, LifecycleState: 'InService', HealthStatus: 'Healthy', AvailabilityZone: 'us-east-1a', ProtectedFromScaleIn: false });
    let members = [instance(iid(1)), instance(iid(2)), instance(iid(7))];
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames?: string[] }) => ({
      AutoScalingGroups: input.AutoScalingGroupNames ? [{ AutoScalingGroupName: 'web', MinSize: 0, MaxSize: 4, DesiredCapacity: members.length, DefaultCooldown: 300, AvailabilityZones: ['us-east-1a'], HealthCheckType: 'EC2', CreatedTime: new Date('2026-01-01T00:00:00Z'), Instances: members }] : [],
    }));
    asg.on(DescribeScheduledActionsCommand).resolves({ ScheduledUpdateGroupActions: [] });
    asg.on(DescribePoliciesCommand).resolves({ ScalingPolicies: [] });
    asg.on(ResumeProcessesCommand).resolves({});
    asg.on(DescribeWarmPoolCommand).resolves({});
    let atResize: string[] = [];
    asg.on(UpdateAutoScalingGroupCommand).callsFake(async () => {
      atResize = (await liveServers(pool.rig.adminSocket, ['www_farm'])).map((x) => `${x.name} ${x.admin}`);
      members = [];
      return {};
    });
    asg.on(DeleteAutoScalingGroupCommand).resolves({});
    // an operator's MAINT stays MAINT (DRAIN would let traffic back in)
    await setServerState(pool.rig.adminSocket, 'www_farm', iid(2), 'maint');
    const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };
    // only the scaling port is used by this runbook
    const cloud = { kind: 'aws', scaling: createAutoScaling(new AutoScalingClient({ region: 'us-east-1', credentials: creds, maxAttempts: 1 }), async () => new EC2Client({ region: 'us-east-1', credentials: creds, maxAttempts: 1 })) } as unknown as CloudPorts;
    try {
      const r = await rig.run(loaded, { hosts: {}, mysql: {} }, { cloud, haproxy: settings, inputs: { group: 'web' }, approve: (st) => (typeof st.confirm === 'object' ? { by: 'test', via: 'tui', typed: st.confirm.typed } : { by: 'test', via: 'yes' }) });
      expect(r.outcome.status, r.outcome.message).toBe('done');
      expect(atResize).toEqual([`${iid(1)} drain`, `${iid(2)} maint`, `${iid(3)} ready`]);
      expect(r.output).toContain(`www_farm/${iid(1)}: ready -> drain`);
      expect(r.output).toContain(`not servers of the pool (nothing to do for them): ${iid(7)}`);
      expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ 'drain-pool': 'done', settle: 'done', zero: 'done' });
    } finally {
      for (const n of [1, 2]) await setServerState(pool.rig.adminSocket, 'www_farm', iid(n), 'ready');
    }
  });
});
