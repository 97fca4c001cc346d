/**
 * `opsdeck scaling terminate` against a real haproxy (the pool rig) and a
 * mocked Auto Scaling: an instance the pool holds is in DRAIN, with its
 * sessions gone, when TerminateInstanceInAutoScalingGroup is sent; one the
 * pool does not hold is terminated without touching haproxy; --decrement
 * below min and a stranger to the group are refused before any call.
 */
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  DescribePoliciesCommand,
  DescribeScalingActivitiesCommand,
  DescribeScheduledActionsCommand,
  DescribeWarmPoolCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  type TerminateInstanceInAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadConfigFile } from '../../src/config/loader.js';
import { poolStates } from '../../src/haproxy/pool.js';
import { liveServers, serverSessions, setServerState } from '../../src/haproxy/runtime.js';
import type { Backend } from '../services/haproxy.js';
import { iid } from '../unit/fleet-fixtures.js';
import { startPoolRig, type PoolRig } from './haproxy-pool-rig.js';

/** A backend that holds each request open until released: a session a drain has to wait for. */
async function startSlowBackend(name: string): Promise<Backend & { pending(): number; release(): void }> {
  const waiting: http.ServerResponse[] = [];
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    waiting.push(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const release = (): void => {
    for (const res of waiting.splice(0)) res.writeHead(200, { connection: 'close' }).end(name);
  };
  return {
    name,
    port: (server.address() as AddressInfo).port,
    hits: () => hits,
    pending: () => waiting.length,
    release,
    stop: () =>
      new Promise<void>((r) => {
        release();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let pool: PoolRig;
let slow: Awaited<ReturnType<typeof startSlowBackend>>;
let configFile: string;
let env: NodeJS.ProcessEnv;
const GROUP = 'web-asg';
/** what the mocked TerminateInstanceInAutoScalingGroup saw, haproxy's view of the server at that moment included */
let terminated: { input: TerminateInstanceInAutoScalingGroupCommandInput; admin: string | undefined; sessions: number | undefined; at: number }[];

async function writeConfig(drainTimeoutSeconds: number): Promise<void> {
  const c = pool.rig.config;
  await writeFile(
    configFile,
    `aws:
  region: us-east-1
fleet:
  discovery:
    tags:
      role: web
  portTag: "opsdeck:port"
haproxy:
  template: ${c.template}
  configPath: ${c.configPath}
  binary: ${c.binary}
  serverOptions: "${c.serverOptions}"
  runtimeSocket: ${c.runtimeSocket}
  backupDir: ${c.backupDir}
  reload:
    method: master-cli
    masterSocket: ${pool.rig.masterSocket}
scaling:
  drainTimeoutSeconds: ${drainTimeoutSeconds}
`,
  );
}

/** The group: these instances in service, with these bounds. */
function group(ids: string[], size: { min: number; max: number }): void {
  pool.aws.asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: GROUP,
        MinSize: size.min,
        MaxSize: size.max,
        DesiredCapacity: ids.length,
        AvailabilityZones: ['us-east-1a'],
        CreatedTime: new Date('2026-01-01T00:00:00Z'),
        HealthCheckType: 'ELB',
        DefaultCooldown: 300,
        Instances: ids.map((id) => ({ InstanceId: id, LifecycleState: 'InService', HealthStatus: 'Healthy', AvailabilityZone: 'us-east-1a', ProtectedFromScaleIn: false })),
      },
    ],
  });
}

async function server(id: string) {
  return (await liveServers(pool.rig.adminSocket, ['www_farm'])).find((s) => s.name === id);
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['--config', configFile, 'scaling', ...args, '--batch'], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY: false, env });
  return { code, out, err };
}

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  pool = await startPoolRig();
  slow = await startSlowBackend('app-slow');
  pool.backends.push(slow); // index 3: instance iid(4)
  const dir = pool.rig.dir;
  env = { ...process.env, XDG_STATE_HOME: path.join(dir, 'state'), XDG_RUNTIME_DIR: path.join(dir, 'run'), HOME: dir };
  process.env.XDG_RUNTIME_DIR = path.join(dir, 'run');
  process.env.XDG_STATE_HOME = path.join(dir, 'state');
  configFile = path.join(dir, 'opsdeck.yaml');
});
afterAll(async () => {
  await slow?.stop();
  await pool?.stop();
});
beforeEach(async () => {
  terminated = [];
  pool.aws.asg.on(TerminateInstanceInAutoScalingGroupCommand).callsFake(async (input: TerminateInstanceInAutoScalingGroupCommandInput) => {
    const id = input.InstanceId ?? '';
    const s = await server(id);
    terminated.push({ input, admin: s?.admin, sessions: s ? await serverSessions(pool.rig.adminSocket, 'www_farm', id) : undefined, at: Date.now() });
    return { Activity: { ActivityId: 'a1b2c3d4-0000-4000-8000-000000000001', AutoScalingGroupName: GROUP, Cause: 'user request', StartTime: new Date(), StatusCode: 'InProgress' } };
  });
});

describe('opsdeck scaling terminate with the HAProxy pool', () => {
  it('drains a pooled instance, waits for its open session, then terminates it', async () => {
    await writeConfig(30);
    await pool.syncTo([0, 3]);
    group([iid(1), iid(4)], { min: 1, max: 4 });

    const plan = await cli('terminate', GROUP, iid(4));
    expect(plan.code).toBe(0);
    const drainLine = plan.out.indexOf(`HAProxy: set www_farm/${iid(4)} to DRAIN`);
    expect(drainLine).toBeGreaterThan(-1);
    expect(plan.out.indexOf(`TerminateInstanceInAutoScalingGroup ${iid(4)}`)).toBeGreaterThan(drainLine);
    expect((await server(iid(4)))?.admin).toBe('ready');
    expect(terminated).toEqual([]);

    // two requests, round robin: one answered by app-a, one held open on app-slow
    const requests = [pool.rig.request(), pool.rig.request()];
    await until('a request held by app-slow', () => slow.pending() === 1);

    const run = cli('terminate', GROUP, iid(4), '--yes');
    await until('the server in DRAIN', async () => (await server(iid(4)))?.admin === 'drain');
    // still draining: the open session keeps the terminate back
    await new Promise((r) => setTimeout(r, 1500));
    expect(terminated).toEqual([]);
    const releasedAt = Date.now();
    slow.release();
    const r = await run;
    expect(r.code, r.err).toBe(0);
    expect(await Promise.all(requests)).toEqual(expect.arrayContaining(['app-a', 'app-slow']));

    expect(terminated).toHaveLength(1);
    const t = terminated[0]!;
    expect(t.input).toEqual({ InstanceId: iid(4), ShouldDecrementDesiredCapacity: false });
    expect(t.admin).toBe('drain');
    expect(t.sessions).toBe(0);
    expect(t.at).toBeGreaterThanOrEqual(releasedAt);
    expect(r.err).toContain('session(s) still open');
    expect((await server(iid(1)))?.admin).toBe('ready');
  }, 40_000);

  it('terminates after the drain timeout when a session stays open, and says so', async () => {
    await writeConfig(1);
    await pool.syncTo([0, 3]);
    // the first test left it in DRAIN (an unchanged pool is not reloaded)
    await setServerState(pool.rig.adminSocket, 'www_farm', iid(4), 'ready');
    group([iid(1), iid(4)], { min: 1, max: 4 });
    const requests = [pool.rig.request(), pool.rig.request()];
    await until('a request held by app-slow', () => slow.pending() === 1);
    const r = await cli('terminate', GROUP, iid(4), '--decrement', '--yes');
    expect(r.code, r.err).toBe(0);
    expect(terminated).toHaveLength(1);
    expect(terminated[0]!.input).toEqual({ InstanceId: iid(4), ShouldDecrementDesiredCapacity: true });
    expect(terminated[0]!.admin).toBe('drain');
    expect(terminated[0]!.sessions).toBe(1);
    expect(r.err).toContain('1 session(s) still open after 1 s in DRAIN');
    slow.release();
    await Promise.all(requests);
  }, 30_000);

  it('terminates an instance the pool does not hold without touching haproxy', async () => {
    await writeConfig(30);
    await pool.syncTo([1]);
    group([iid(1), iid(2)], { min: 1, max: 4 });
    const r = await cli('terminate', GROUP, iid(1), '--yes');
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toContain('DRAIN');
    expect(r.out).toContain(`${iid(1)} is not in the HAProxy pool`);
    expect(terminated.map((t) => t.input)).toEqual([{ InstanceId: iid(1), ShouldDecrementDesiredCapacity: false }]);
    expect(terminated[0]!.admin).toBeUndefined();
    expect((await server(iid(2)))?.admin).toBe('ready');
  }, 30_000);

  it('leaves a server an operator put in MAINT in MAINT (DRAIN would let traffic back in) and terminates it', async () => {
    await writeConfig(30);
    await pool.syncTo([0, 1]);
    await setServerState(pool.rig.adminSocket, 'www_farm', iid(2), 'maint');
    group([iid(1), iid(2)], { min: 1, max: 4 });
    const r = await cli('terminate', GROUP, iid(2), '--yes');
    expect(r.code, r.err).toBe(0);
    expect(terminated.map((t) => [t.input.InstanceId, t.admin])).toEqual([[iid(2), 'maint']]);
    expect((await server(iid(1)))?.admin).toBe('ready');
    await setServerState(pool.rig.adminSocket, 'www_farm', iid(2), 'ready');
  }, 30_000);

  it('the Scaling pane\'s POOL column reads each instance\'s live server state, a stranger to the pool as -', async () => {
    await writeConfig(30);
    await pool.syncTo([0, 1]);
    await setServerState(pool.rig.adminSocket, 'www_farm', iid(2), 'maint');
    await until('app-a checked UP', async () => (await server(iid(1)))?.status.startsWith('UP') ?? false);
    const look = await poolStates({ config: await loadConfigFile(configFile), sandboxDir: undefined });
    expect(look.note).toBeUndefined();
    expect(look.of(iid(1))).toBe('UP');
    expect(look.of(iid(2))).toMatch(/^MAINT/);
    expect(look.of(iid(3))).toBe('-');
    await setServerState(pool.rig.adminSocket, 'www_farm', iid(2), 'ready');
    // the runtime socket gone: membership still from the config, and the reason on the pane
    const broken = await loadConfigFile(configFile);
    const down = await poolStates({ config: { ...broken, haproxy: { ...broken.haproxy, runtimeSocket: path.join(pool.rig.dir, 'no-such.sock') } }, sandboxDir: undefined });
    expect(down.of(iid(1))).toBe('in config');
    expect(down.note).toMatch(/^no live HAProxy state: /);
  }, 30_000);

  it('refuses --decrement below min, and an instance not in the group, before any call', async () => {
    await writeConfig(30);
    await pool.syncTo([0, 1]);
    group([iid(1), iid(2)], { min: 2, max: 4 });
    const below = await cli('terminate', GROUP, iid(1), '--decrement', '--yes');
    expect(below.code).toBe(3);
    expect(below.err).toContain('below its min 2');
    const stranger = await cli('terminate', GROUP, iid(3), '--yes');
    expect(stranger.code).toBe(3);
    expect(stranger.err).toContain(`${iid(3)} is not in ${GROUP}`);
    expect(terminated).toEqual([]);
    expect((await server(iid(1)))?.admin).toBe('ready');
    expect((await server(iid(2)))?.admin).toBe('ready');
  }, 30_000);

  it('the safe shutdown drains the pooled instances before the size goes to 0', async () => {
    await writeConfig(30);
    await pool.syncTo([0, 1]);
    await setServerState(pool.rig.adminSocket, 'www_farm', iid(1), 'ready');
    group([iid(1), iid(3)], { min: 2, max: 4 });
    const asg = pool.aws.asg;
    asg.on(DescribePoliciesCommand).resolves({ ScalingPolicies: [] });
    asg.on(DescribeScheduledActionsCommand).resolves({ ScheduledUpdateGroupActions: [] });
    asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
    asg.on(DescribeLifecycleHooksCommand).resolves({ LifecycleHooks: [] });
    asg.on(DescribeWarmPoolCommand).resolves({});
    asg.on(DeleteAutoScalingGroupCommand).resolves({});
    let atResize: (string | undefined)[] = [];
    asg.on(UpdateAutoScalingGroupCommand).callsFake(async () => {
      atResize = [(await server(iid(1)))?.admin, (await server(iid(2)))?.admin];
      group([], { min: 0, max: 0 });
      return {};
    });
    const plan = await cli('shutdown', GROUP);
    expect(plan.out).toMatch(new RegExp(`HAProxy: set www_farm/${iid(1)} to DRAIN[^\n]*\n[^\n]*UpdateAutoScalingGroup ${GROUP}: min 0, max 0, desired 0`));
    // iid(3) is in the group but not the pool; iid(2) is in the pool but not the group
    expect(plan.out).not.toContain(`www_farm/${iid(3)}`);
    expect(plan.out).not.toContain(`www_farm/${iid(2)}`);
    const r = await cli('shutdown', GROUP, '--yes');
    expect(r.code, r.err).toBe(0);
    expect(atResize).toEqual(['drain', 'ready']);
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: GROUP, ForceDelete: false });
  }, 30_000);
});
