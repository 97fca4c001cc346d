/**
 * The sandbox's classic ELB web-elb follows web-asg on the world clock
 * (OutOfService while registering and health checking, InService after,
 * "deregistration currently in progress" for the connection draining
 * timeout when an instance leaves), and `opsdeck scaling targets` and
 * `register|deregister --elb` show and change it: plan, --yes, audit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ASG_NAME, CLASSIC_ELB_NAME, CONNECTION_DRAINING_S, createSandboxWorld, type SandboxWorld } from '../../src/cloud/sandbox/index.js';
import { CloudError } from '../../src/cloud/ports.js';
import { sandboxDirFor } from '../../src/core/context.js';
import { readGroupDetail } from '../../src/scaling/status.js';
import { runCli } from './cli-harness.js';

const NOW = new Date('2026-06-16T03:00:00Z');
const healthOf = async (w: SandboxWorld) => (await w.classicElb.describeLoadBalancers([CLASSIC_ELB_NAME]))[0]?.instances ?? [];
const stateOf = async (w: SandboxWorld, id: string) => {
  const h = (await healthOf(w)).find((x) => x.instanceId === id);
  return h ? `${h.state}: ${h.description}` : undefined;
};

describe('sandbox: the classic ELB follows the group', () => {
  it('every in-service member is InService; a new one is OutOfService while it registers, then InService', async () => {
    const w = createSandboxWorld({ now: NOW });
    const [g] = await w.scaling.describeGroups([ASG_NAME]);
    expect(g?.loadBalancerNames).toEqual([CLASSIC_ELB_NAME]);
    const members = g!.instances.map((i) => i.id).sort();
    expect((await healthOf(w)).map((h) => [h.instanceId, h.state])).toEqual(members.map((id) => [id, 'InService']));
    const [lb] = await w.classicElb.describeLoadBalancers([CLASSIC_ELB_NAME]);
    expect(lb?.connectionDraining).toEqual({ enabled: true, timeoutSeconds: CONNECTION_DRAINING_S });

    await w.scaling.setDesiredCapacity(ASG_NAME, g!.desiredCapacity + 1);
    const [after] = await w.scaling.describeGroups([ASG_NAME]);
    const fresh = after!.instances.find((i) => !members.includes(i.id))!.id;
    expect(await stateOf(w, fresh)).toBe('OutOfService: Instance registration is still in progress.');
    w.advance(100_000); // booted, the health check not passed yet
    expect(await stateOf(w, fresh)).toBe('OutOfService: Instance registration is still in progress.');
    w.advance(30_000);
    expect(await stateOf(w, fresh)).toBe('InService: N/A');
  });

  it('a deregistered instance drains for the connection draining timeout, then leaves; a scaled-in one too', async () => {
    const w = createSandboxWorld({ now: NOW });
    const id = (await healthOf(w))[0]!.instanceId;
    await w.classicElb.deregisterInstances(CLASSIC_ELB_NAME, [id]);
    expect(await stateOf(w, id)).toBe('InService: Instance deregistration currently in progress.');
    w.advance(CONNECTION_DRAINING_S * 1000 - 1000);
    expect(await stateOf(w, id)).toMatch(/deregistration currently in progress/);
    w.advance(2000);
    expect(await stateOf(w, id)).toBeUndefined();
    await expect(w.classicElb.deregisterInstances(CLASSIC_ELB_NAME, [id])).rejects.toMatchObject({ code: 'InvalidInstance' });
    await expect(w.classicElb.describeLoadBalancers(['nope'])).rejects.toMatchObject({ code: 'LoadBalancerNotFound' });

    const [g] = await w.scaling.describeGroups([ASG_NAME]);
    await w.scaling.updateGroupSize(ASG_NAME, { min: 1, desired: g!.desiredCapacity - 1 });
    const [after] = await w.scaling.describeGroups([ASG_NAME]);
    const leaving = after!.instances.find((i) => i.lifecycleState.startsWith('Terminating'))!.id;
    expect(await stateOf(w, leaving)).toMatch(/deregistration currently in progress/);
  });
});

describe("the group's detail", () => {
  it('carries the classic ELBs; a role that may not read them still sees the rest, with a line saying why', async () => {
    const w = createSandboxWorld({ now: NOW });
    const d = await readGroupDetail(w.scaling, ASG_NAME, { now: w.clock.now(), balancing: w.balancing, classicElb: w.classicElb });
    expect(d.classicElbs?.map((l) => l.name)).toEqual([CLASSIC_ELB_NAME]);
    expect(d.extrasErrors).toBeUndefined();
    const denied = {
      ...w.classicElb,
      describeLoadBalancers: () => Promise.reject(new CloudError('AccessDenied', 'DescribeLoadBalancers: User is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers')),
    };
    const partial = await readGroupDetail(w.scaling, ASG_NAME, { now: w.clock.now(), balancing: w.balancing, classicElb: denied });
    expect(partial.classicElbs).toBeUndefined();
    expect(partial.targetGroups?.map((t) => t.name)).toEqual(['web-tg']);
    expect(partial.extrasErrors).toEqual([expect.stringMatching(/^classic ELBs: .*not authorized/)]);
  });
});

describe('opsdeck scaling targets|register|deregister --elb (batch, on the sandbox)', () => {
  let dir: string;
  let world: SandboxWorld;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-scalingelb-'));
    world = createSandboxWorld({ now: NOW, dir: path.join(dir, 'world') });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (...argv: string[]) => runCli(world, dir, ['--sandbox', '--batch', ...argv]);

  it('targets: the classic ELB next to the target group, each instance with its health; --json the same', async () => {
    const ids = (await healthOf(world)).map((h) => h.instanceId);
    // one instance leaving the ELB: its row says so
    await world.classicElb.deregisterInstances(CLASSIC_ELB_NAME, [ids[0]!]);
    const r = await cli('scaling', 'targets', 'web-asg');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/web-asg: 1 target group\(s\), 1 classic ELB\(s\)/);
    expect(r.out).toMatch(/Target group web-tg: \d+ healthy/);
    expect(r.out).toContain(`Classic ELB web-elb: ${ids.length - 1} InService, 0 OutOfService, 0 Unknown, 1 draining · connection draining ${CONNECTION_DRAINING_S} s · health check HTTP:80/health`);
    expect(r.out).toMatch(new RegExp(`${ids[0]}\\s+draining \\(up to ${CONNECTION_DRAINING_S} s\\)`));
    for (const id of ids.slice(1)) expect(r.out).toMatch(new RegExp(`${id}\\s+InService`));
    const j = JSON.parse((await cli('scaling', 'targets', 'web-asg', '--json')).out) as { classicElbs: { name: string; connectionDraining: unknown; instances: { instanceId: string; state: string }[] }[] };
    expect(j.classicElbs.map((l) => [l.name, l.connectionDraining])).toEqual([[CLASSIC_ELB_NAME, { enabled: true, timeoutSeconds: CONNECTION_DRAINING_S }]]);
    expect(j.classicElbs[0]?.instances.map((h) => h.instanceId)).toEqual(ids);
    // show carries the same section
    const shown = await cli('scaling', 'show', 'web-asg');
    expect(shown.out).toContain(`Classic ELB web-elb: ${ids.length - 1} InService`);
    expect((JSON.parse((await cli('scaling', 'show', 'web-asg', '--json')).out) as { classicElbs: { name: string }[] }).classicElbs.map((l) => l.name)).toEqual([CLASSIC_ELB_NAME]);
  });

  it('deregister --elb: the plan without --yes, the call with it (audited), then draining; register brings it back OutOfService', async () => {
    const id = (await healthOf(world))[0]!.instanceId;
    const plan = await cli('scaling', 'deregister', 'web-asg', id, '--elb', 'web-elb');
    expect(plan.code).toBe(0);
    expect(plan.out).toContain(`DeregisterInstancesFromLoadBalancer web-elb (classic ELB): ${id}`);
    expect(plan.out).toContain(`connection draining is on: it finishes its open requests for up to ${CONNECTION_DRAINING_S} s`);
    expect(plan.out).toContain(`${id} stays registered with target group web-tg`);
    expect(await stateOf(world, id)).toBe('InService: N/A');
    const yes = await cli('scaling', 'deregister', 'web-asg', id, '--elb', 'web-elb', '--yes', '--json');
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.out)).toMatchObject({ applied: true, plan: { kind: 'targets', calls: [{ op: 'deregisterInstances', loadBalancer: 'web-elb', instanceIds: [id] }] } });
    expect(await stateOf(world, id)).toMatch(/deregistration currently in progress/);
    const audit = readFileSync(path.join(sandboxDirFor({ TMPDIR: dir }), 'audit.log'), 'utf8');
    expect(audit).toMatch(/"action":"scaling.deregisterInstances"/);
    expect((await cli('scaling', 'deregister', 'web-asg', id, '--elb', 'web-elb', '--yes')).err).toMatch(/nothing to do/);
    const again = await cli('scaling', 'register', 'web-asg', id, '--elb', 'web-elb', '--yes');
    expect(again.out).toContain(`RegisterInstancesWithLoadBalancer web-elb (classic ELB): ${id}`);
    expect(await stateOf(world, id)).toBe('OutOfService: Instance registration is still in progress.');
    expect((await cli('scaling', 'register', 'web-asg', id, '--elb', 'other-elb')).code).toBe(2);
  });
});
