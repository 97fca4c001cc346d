/**
 * The sandbox's target group follows web-asg on the world clock (initial
 * while booting and health checking, healthy after, draining for the
 * deregistration delay when an instance leaves), and the batch commands
 * `scaling targets|register|deregister` plan, apply, lock and audit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ASG_NAME, createSandboxWorld, DEREGISTRATION_DELAY_S, TARGET_GROUP_ARN, type SandboxWorld } from '../../src/cloud/sandbox/index.js';
import { sandboxDirFor } from '../../src/core/context.js';
import { readGroupDetail } from '../../src/scaling/status.js';
import { runCli } from './cli-harness.js';

const NOW = new Date('2026-06-16T03:00:00Z');
const MIN = 60_000;
const targetsOf = async (w: SandboxWorld) => (await w.balancing.describeTargetGroups([TARGET_GROUP_ARN]))[0]?.targets ?? [];
const stateOf = async (w: SandboxWorld, id: string) => (await targetsOf(w)).find((t) => t.id === id)?.state;

describe('sandbox: the target group follows the group', () => {
  it('every in-service member is a healthy target; a new one is initial, then healthy after boot and health checks', async () => {
    const w = createSandboxWorld({ now: NOW });
    const [g] = await w.scaling.describeGroups([ASG_NAME]);
    expect(g?.targetGroupArns).toEqual([TARGET_GROUP_ARN]);
    const members = g!.instances.map((i) => i.id).sort();
    expect((await targetsOf(w)).map((t) => t.id)).toEqual(members);
    expect((await targetsOf(w)).every((t) => t.state === 'healthy')).toBe(true);

    await w.scaling.setDesiredCapacity(ASG_NAME, g!.desiredCapacity + 1);
    const [after] = await w.scaling.describeGroups([ASG_NAME]);
    const fresh = after!.instances.find((i) => !members.includes(i.id))!.id;
    expect(await stateOf(w, fresh)).toBe('initial');
    w.advance(100_000); // booted, health checks still running
    expect(await stateOf(w, fresh)).toBe('initial');
    w.advance(30_000);
    expect(await stateOf(w, fresh)).toBe('healthy');
  });

  it('a deregistered target drains for the deregistration delay, then is gone; registering brings it back', async () => {
    const w = createSandboxWorld({ now: NOW });
    const [tg] = await w.balancing.describeTargetGroups([TARGET_GROUP_ARN]);
    expect(tg?.deregistrationDelaySeconds).toBe(DEREGISTRATION_DELAY_S);
    const id = tg!.targets[0]!.id;
    await w.balancing.deregisterTargets(TARGET_GROUP_ARN, [id]);
    expect(await stateOf(w, id)).toBe('draining');
    w.advance(DEREGISTRATION_DELAY_S * 1000 - 1000);
    expect(await stateOf(w, id)).toBe('draining');
    w.advance(2000);
    expect(await stateOf(w, id)).toBeUndefined();
    await expect(w.balancing.deregisterTargets(TARGET_GROUP_ARN, [id])).rejects.toMatchObject({ code: 'InvalidTarget' });
    await w.balancing.registerTargets(TARGET_GROUP_ARN, [id]);
    expect(await stateOf(w, id)).toBe('initial');
    w.advance(30_000);
    expect(await stateOf(w, id)).toBe('healthy');
    await expect(w.balancing.describeTargetGroups(['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0'])).rejects.toMatchObject({ code: 'TargetGroupNotFound' });
  });

  it('a member leaving the group on scale-in drains, then leaves the target group', async () => {
    const w = createSandboxWorld({ now: NOW });
    const [g] = await w.scaling.describeGroups([ASG_NAME]);
    await w.scaling.updateGroupSize(ASG_NAME, { min: 1, desired: g!.desiredCapacity - 1 });
    const [after] = await w.scaling.describeGroups([ASG_NAME]);
    const leaving = after!.instances.find((i) => i.lifecycleState.startsWith('Terminating'))!.id;
    expect(await stateOf(w, leaving)).toBe('draining');
    w.advance(DEREGISTRATION_DELAY_S * 1000 + 1000);
    expect(await stateOf(w, leaving)).toBeUndefined();
    expect((await targetsOf(w)).length).toBe(g!.desiredCapacity - 1);
  });

  it("the group's detail carries its targets and its policies' alarm states, in one DescribeAlarms", async () => {
    const w = createSandboxWorld({ now: new Date('2026-06-16T16:00:00Z') }); // the daily peak: CPU above 60%
    let calls = 0;
    const alarms = { describeAlarms: (n: readonly string[]) => (calls++, w.alarms.describeAlarms(n)) };
    const d = await readGroupDetail(w.scaling, ASG_NAME, { now: w.clock.now(), balancing: w.balancing, alarms });
    expect(calls).toBe(1);
    expect(d.targetGroups?.[0]?.name).toBe('web-tg');
    expect(d.alarms?.['web-cpu-above-60']?.state).toBe('ALARM');
    expect(d.alarms?.['web-cpu-below-30']?.state).toBe('OK');
    expect(Object.keys(d.alarms ?? {}).sort()).toEqual(['TargetTracking-web-asg-AlarmHigh', 'TargetTracking-web-asg-AlarmLow', 'web-cpu-above-60', 'web-cpu-below-30']);
  });
});

describe('opsdeck scaling targets|register|deregister (batch, on the sandbox)', () => {
  let dir: string;
  let world: SandboxWorld;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-scalingtg-'));
    world = createSandboxWorld({ now: NOW, dir: path.join(dir, 'world') });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (...argv: string[]) => runCli(world, dir, ['--sandbox', '--batch', ...argv]);

  it('targets: a table with each target and its health; --json the same data', async () => {
    const r = await cli('scaling', 'targets', 'web-asg');
    expect(r.code).toBe(0);
    const ids = (await targetsOf(world)).map((t) => t.id);
    expect(r.out).toMatch(new RegExp(`Target group web-tg: ${ids.length} healthy, 0 initial, 0 unhealthy, 0 draining · deregistration delay ${DEREGISTRATION_DELAY_S} s`));
    for (const id of ids) expect(r.out).toMatch(new RegExp(`${id}\\s+80\\s+us-east-1.\\s+healthy`));
    const j = JSON.parse((await cli('scaling', 'targets', 'web-asg', '--json')).out) as { targetGroups: { name: string; targets: { id: string; state: string }[] }[] };
    expect(j.targetGroups[0]?.targets.map((t) => t.id)).toEqual(ids);
    expect((await cli('scaling', 'targets', 'nope')).code).toBe(2);
  });

  it("show: each policy's alarms with their state, and the target group with its targets", async () => {
    const r = await cli('scaling', 'show', 'web-asg');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/seed-scale-out: SimpleScaling \+2 .* · alarms web-cpu-above-60 (OK|ALARM)/);
    expect(r.out).toMatch(/cpu-target-50: .* · alarms TargetTracking-web-asg-AlarmHigh (OK|ALARM), TargetTracking-web-asg-AlarmLow (OK|ALARM)/);
    expect(r.out).toMatch(/Target group web-tg: \d+ healthy/);
    const j = JSON.parse((await cli('scaling', 'show', 'web-asg', '--json')).out) as { alarms: Record<string, { state: string }>; targetGroups: { name: string }[] };
    expect(Object.keys(j.alarms)).toHaveLength(4);
    expect(j.targetGroups.map((t) => t.name)).toEqual(['web-tg']);
  });

  it('deregister: the plan without --yes, the call with it (audited); the target then shows draining with its delay', async () => {
    const id = (await targetsOf(world))[0]!.id;
    // web-asg is behind web-tg and the classic ELB web-elb: which one is said
    const unnamed = await cli('scaling', 'deregister', 'web-asg', id);
    expect(unnamed.code).toBe(2);
    expect(unnamed.err).toMatch(/2 load balancers: name one with --target-group NAME or --elb NAME/);
    const plan = await cli('scaling', 'deregister', 'web-asg', id, '--target-group', 'web-tg');
    expect(plan.code).toBe(0);
    expect(plan.out).toContain(`DeregisterTargets web-tg: ${id}`);
    expect(plan.out).toMatch(/drains for up to 45 s/);
    expect(await stateOf(world, id)).toBe('healthy');
    expect(plan.out).toContain(`${id} stays registered with classic ELB web-elb (--elb web-elb) and keeps taking traffic there`);
    const yes = await cli('scaling', 'deregister', 'web-asg', id, '--target-group', 'web-tg', '--yes', '--json');
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.out)).toMatchObject({ applied: true, plan: { kind: 'targets', calls: [{ op: 'deregisterTargets', targetGroupArn: TARGET_GROUP_ARN, instanceIds: [id] }] } });
    const shown = await cli('scaling', 'targets', 'web-asg');
    expect(shown.out).toMatch(new RegExp(`${id}.*draining \\(delay 45 s\\)`));
    const audit = readFileSync(path.join(sandboxDirFor({ TMPDIR: dir }), 'audit.log'), 'utf8');
    expect(audit).toMatch(/"action":"scaling.deregisterTargets"/);
    // already draining: nothing to do; registering again is a plan with RegisterTargets
    expect((await cli('scaling', 'deregister', 'web-asg', id, '--target-group', 'web-tg', '--yes')).err).toMatch(/nothing to do/);
    const again = await cli('scaling', 'register', 'web-asg', id, '--target-group', 'web-tg', '--yes');
    expect(again.out).toContain(`RegisterTargets web-tg: ${id}`);
    expect(await stateOf(world, id)).toBe('initial');
  });

  it('refuses to deregister the last healthy target without --force (exit 3), and a bad id (exit 2)', async () => {
    const ids = (await targetsOf(world)).map((t) => t.id);
    for (const id of ids.slice(1)) await world.balancing.deregisterTargets(TARGET_GROUP_ARN, [id]);
    const last = await cli('scaling', 'deregister', 'web-asg', ids[0]!, '--target-group', 'web-tg', '--yes');
    expect(last.code).toBe(3);
    expect(last.err).toMatch(/last healthy target of web-tg/);
    expect(await stateOf(world, ids[0]!)).toBe('healthy');
    expect((await cli('scaling', 'deregister', 'web-asg', ids[0]!, '--target-group', 'web-tg', '--yes', '--force')).code).toBe(0);
    expect((await cli('scaling', 'register', 'web-asg', 'web-001', '--target-group', 'web-tg')).code).toBe(2);
  });
});
