import React from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { ASG_NAME, TARGET_GROUP_ARN, type SandboxWorld } from '../../src/cloud/sandbox/index.js';
import type { AuditRecord } from '../../src/core/audit.js';
import { App, createSessionFor } from '../../views/App.js';
import { KEY, lines, press, privateStateDir, selectedRow, testContext, track, type, waitFor, type Rendered } from './helpers.js';

const mounted: { unmount(): void }[] = [];
const SLOW = 20_000;
async function frameWhen(app: Rendered, what: string, check: (frame: string) => boolean): Promise<string> {
  return waitFor(() => {
    const f = app.lastFrame() ?? '';
    return check(f) ? f : undefined;
  }, what, app.lastFrame, SLOW);
}
async function pressUntil(app: Rendered, key: string, what: string, check: (frame: string) => boolean): Promise<string> {
  await press(app, key);
  return frameWhen(app, what, check);
}

// the pane takes the group's lock: under a private state dir
privateStateDir('opsdeck-scalingview-', () => {
  while (mounted.length) mounted.pop()?.unmount();
});

async function start(opts: { readOnly?: boolean; columns?: number; rows?: number } = {}) {
  const ctx = testContext({ options: { readOnly: opts.readOnly ?? false } });
  const world = (await ctx.cloud()) as SandboxWorld;
  const store = createSessionFor(ctx, { size: { columns: opts.columns ?? 100, rows: opts.rows ?? 30 }, initialPane: 'scaling' });
  const app = track(render(<App ctx={ctx} store={store} />), store);
  mounted.push(app);
  await waitFor(() => selectedRow(app.lastFrame())?.includes(ASG_NAME), 'the groups table', app.lastFrame, SLOW);
  return { app, store, ctx, world };
}

const group = async (w: SandboxWorld) => (await w.scaling.describeGroups([ASG_NAME]))[0]!;
const text = (f: string): string => lines(f).join('\n');

describe('Scaling pane', () => {
  it('lists the groups with their capacity, drills into one and comes back', async () => {
    const { app, world } = await start();
    const g = await group(world);
    let f = app.lastFrame() ?? '';
    expect(lines(f).some((l) => l.includes('MIN/DES/MAX') && l.includes('IN SVC'))).toBe(true);
    expect(selectedRow(f)).toContain(`${g.minSize}/${g.desiredCapacity}/${g.maxSize}`);
    f = await pressUntil(app, KEY.enter, 'the instances', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    expect(lines(f).filter((l) => l.includes('InService')).length).toBe(g.instances.filter((i) => i.lifecycleState === 'InService').length);
    expect(text(f)).toContain('hooks drain-from-haproxy (terminating)');
    f = await pressUntil(app, KEY.right, 'the activities', (x) => x.includes('[activities]'));
    expect(text(f)).toMatch(/Launching a new EC2 instance/);
    f = await pressUntil(app, KEY.right, 'the policies', (x) => x.includes('[policies]'));
    expect(text(f)).toMatch(/cpu-target-50\s+TargetTracking\s+ASGAverageCPUUtilization at 50/);
    f = await pressUntil(app, KEY.escape, 'the groups again', (x) => x.includes('MIN/DES/MAX'));
    expect(selectedRow(f)).toContain(ASG_NAME);
  });

  it('sets the capacity after showing the exact call and a confirmation', async () => {
    const { app, world, ctx } = await start();
    const before = await group(world);
    const target = Math.min(before.maxSize, before.desiredCapacity + 2);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    await pressUntil(app, 'c', 'the capacity form', (x) => x.includes('Set capacity of web-asg'));
    await press(app, '+');
    await pressUntil(app, '+', 'the new value', (x) => x.includes(`desired            ${target}`));
    await pressUntil(app, KEY.enter, 'the confirmation', (x) => x.includes(`SetDesiredCapacity web-asg: desired ${target}`));
    // the focus starts on Cancel: Enter there changes nothing
    await pressUntil(app, KEY.enter, 'the dialog to close', (x) => !x.includes('SetDesiredCapacity'));
    expect((await group(world)).desiredCapacity).toBe(before.desiredCapacity);
    await pressUntil(app, 'c', 'the capacity form', (x) => x.includes('Set capacity of web-asg'));
    await press(app, '+');
    await press(app, '+');
    await pressUntil(app, KEY.enter, 'the confirmation', (x) => x.includes(`desired ${target}`));
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => (await group(world)).desiredCapacity === target || undefined, 'the new capacity', app.lastFrame, SLOW);
    const entries = (ctx.audit as unknown as { entries: AuditRecord[] }).entries;
    // the call lands before its audit line is written: wait for the line, not just the effect
    await waitFor(() => entries.length > 0 || undefined, 'the audit entry', app.lastFrame, SLOW);
    expect(entries.map((e) => [e.action, e.target, e.result])).toEqual([['scaling.setDesiredCapacity', ASG_NAME, 'ok']]);
  });

  it('the pre-scale form schedules the raise and the restore', async () => {
    const { app, world } = await start();
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    const f = await pressUntil(app, 'p', 'the pre-scale form', (x) => x.includes('Pre-scale web-asg'));
    expect(text(f)).toMatch(/raise\s+in 1 h/);
    const plan = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('PutScheduledUpdateGroupAction'));
    expect(lines(plan).filter((l) => l.includes('PutScheduledUpdateGroupAction'))).toHaveLength(2);
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => (await world.scaling.describeScheduledActions(ASG_NAME)).length === 2 || undefined, 'two scheduled actions', app.lastFrame, SLOW);
  });

  it('shows the shutdown plan in the safe order and needs the typed name', async () => {
    const { app, world } = await start({ rows: 40 });
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    const f = await pressUntil(app, 'X', 'the shutdown plan', (x) => x.includes('DeleteAutoScalingGroup'));
    const order = ['DeletePolicy web-asg cpu-target-50', 'UpdateAutoScalingGroup web-asg: min 0, max 0, desired 0', 'wait until web-asg', 'DeleteAutoScalingGroup web-asg', 'DeleteLaunchTemplate web-lt'];
    const at = order.map((s) => text(f).indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // a wrong name cannot confirm; Esc cancels
    await type(app, 'web');
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await pressUntil(app, KEY.escape, 'the dialog to close', (x) => !x.includes('DeleteAutoScalingGroup'));
    expect(await world.scaling.describeGroups()).toHaveLength(1);
  });

  it('a read-only session says why capacity cannot change', async () => {
    const { app } = await start({ readOnly: true });
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    await pressUntil(app, 'c', 'the read-only note', (x) => x.includes('read-only session: changing capacity is turned off'));
  });

  it('the targets list shows each target with its health; d drains the selected one after a confirmation', async () => {
    const { app, world } = await start();
    const [tg] = await world.balancing.describeTargetGroups([TARGET_GROUP_ARN]);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    let f = await pressUntil(app, KEY.left, 'the targets', (x) => x.includes('[targets]') && x.includes('TARGET GROUP'));
    expect(lines(f).filter((l) => /web-tg.*healthy/.test(l))).toHaveLength(tg!.targets.length);
    const first = tg!.targets[0]!.id;
    expect(selectedRow(f)).toContain(first);
    f = await pressUntil(app, 'd', 'the drain plan', (x) => x.includes(`DeregisterTargets web-tg: ${first}`));
    expect(text(f)).toMatch(/drains for up to 45 s/);
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await frameWhen(app, 'the target draining', (x) => (selectedRow(x) ?? '').includes('draining (delay 45 s)'));
    // once drained it is gone from the list; d on the instance registers it again
    world.advance(46_000);
    await pressUntil(app, 'r', 'the drained target gone', (x) => x.includes('[targets]') && !x.includes(first));
    await press(app, KEY.right);
    await pressUntil(app, 'g', 'the instances, first selected', (x) => x.includes('[instances]') && (selectedRow(x) ?? '').includes('i-'));
    let pick = await frameWhen(app, 'an instance row', (x) => (selectedRow(x) ?? '').includes('i-'));
    while (!(selectedRow(pick) ?? '').includes(first)) pick = await pressUntil(app, KEY.down, 'the next instance', (x) => x !== pick);
    await pressUntil(app, 'd', 'the register plan', (x) => x.includes(`RegisterTargets web-tg: ${first}`));
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => (await world.balancing.describeTargetGroups([TARGET_GROUP_ARN]))[0]?.targets.some((t) => t.id === first && t.state === 'initial') || undefined, 'the target registered', app.lastFrame, SLOW);
  });

  it("the policies list shows their alarms' state; t updates the selected target tracking policy, d deletes one", async () => {
    const { app, world } = await start();
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    await press(app, KEY.right);
    let f = await pressUntil(app, KEY.right, 'the policies', (x) => x.includes('[policies]'));
    expect(text(f)).toMatch(/cpu-target-50.*AlarmHigh (OK|ALARM), AlarmLow (OK|ALARM)/);
    expect(text(f)).toMatch(/seed-scale-out.*web-cpu-above-60 (OK|ALARM)/);
    f = await pressUntil(app, 't', 'the policy form', (x) => x.includes('Target tracking policy cpu-target-50 of web-asg'));
    await press(app, '+');
    f = await pressUntil(app, KEY.enter, 'the policy plan', (x) => x.includes('PutScalingPolicy web-asg cpu-target-50: target tracking ASGAverageCPUUtilization at 55'));
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => (await world.scaling.describePolicies(ASG_NAME)).find((p) => p.name === 'cpu-target-50')?.targetTracking?.targetValue === 55 || undefined, 'the policy at 55', app.lastFrame, SLOW);
    // the refreshed list (the sandbox lists a replaced policy last): only then is "first" the row meant
    await frameWhen(app, 'the refreshed list', (x) => x.includes('[policies]') && !x.includes('PutScalingPolicy') && x.includes('ASGAverageCPUUtilization at 55'));
    await pressUntil(app, 'g', 'the first policy selected', (x) => (selectedRow(x) ?? '').includes('seed-scale-out'));
    await pressUntil(app, 'd', 'the delete plan', (x) => x.includes('DeletePolicy web-asg seed-scale-out'));
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => !(await world.scaling.describePolicies(ASG_NAME)).some((p) => p.name === 'seed-scale-out') || undefined, 'the policy gone', app.lastFrame, SLOW);
  });

  it('s suspends every process and P protects the selected instance, each after its plan', async () => {
    const { app, world, ctx } = await start();
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    await pressUntil(app, 's', 'the suspend plan', (x) => x.includes('SuspendProcesses web-asg: all processes'));
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => ((await group(world)).suspendedProcesses?.length ?? 0) > 0 || undefined, 'suspended processes', app.lastFrame, SLOW);
    const f = await frameWhen(app, 'the instances again', (x) => x.includes('[instances]') && x.includes('suspended') && !x.includes('SuspendProcesses'));
    const id = /i-[0-9a-f]{17}/.exec(selectedRow(f) ?? '')?.[0] ?? '';
    await pressUntil(app, 'P', 'the protection plan', (x) => x.includes(`SetInstanceProtection web-asg: protect ${id}`));
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => (await group(world)).instances.find((i) => i.id === id)?.protectedFromScaleIn || undefined, 'the protection', app.lastFrame, SLOW);
    const entries = (ctx.audit as unknown as { entries: AuditRecord[] }).entries;
    await waitFor(() => entries.length === 2 || undefined, 'both audit entries', app.lastFrame, SLOW);
    expect(entries.map((e) => e.action)).toEqual(['scaling.suspendProcesses', 'scaling.setInstanceProtection']);
  });

  it("help shows the seed's trigger beside its target tracking equivalent", async () => {
    const { app } = await start({ rows: 60, columns: 120 });
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    const f = await pressUntil(app, '?', 'the help', (x) => x.includes('CPU > 60%'));
    expect(text(f).replace(/[│║]/g, ' ').replace(/\s+/g, ' ')).toMatch(/CPU > 60% for 2 min: \+2, CPU < 30%: -1 .*target tracking equivalent: ASGAverageCPUUtilization at 50/);
  });
});
