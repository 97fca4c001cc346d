import React from 'react';
import { render } from 'ink-testing-library';
import chalk from 'chalk';
import { describe, expect, it } from 'vitest';
import { ASG_NAME, TARGET_GROUP_ARN, type SandboxWorld } from '../../src/cloud/sandbox/index.js';
import type { AuditRecord } from '../../src/core/audit.js';
import { applyPool, loadPool } from '../../src/haproxy/pool.js';
import { sandboxLiveServers, setSandboxServerState } from '../../src/haproxy/sandbox-state.js';
import { App, createSessionFor } from '../../views/App.js';
import { SCALING_LEGEND } from '../../views/panes/scaling-colours.js';
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

async function start(opts: { readOnly?: boolean; columns?: number; rows?: number; sandboxDir?: boolean } = {}) {
  // a sandbox dir (in the private state dir): the sandbox's haproxy pool, which T drains
  const ctx = { ...testContext({ options: { readOnly: opts.readOnly ?? false } }), ...(opts.sandboxDir ? { sandboxDir: `${process.env.XDG_STATE_HOME ?? ''}/sandbox` } : {}) };
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

  it("a group's row shows its capacity bar, pending and terminating counts, health, policy count and next scheduled action", async () => {
    const { app, world } = await start({ columns: 140 });
    await world.scaling.updateGroupSize(ASG_NAME, { min: 2, max: 12, desired: 7 });
    const serving = (await group(world)).instances.filter((i) => i.lifecycleState === 'InService');
    await world.scaling.terminateInstance(serving[0]!.id, false);
    await world.scaling.putScheduledAction({ groupName: ASG_NAME, name: 'spike-raise', startTime: new Date(world.clock.now().getTime() + 2 * 86_400_000), minSize: 8 });
    // the sandbox never fails a health check: one instance reads Unhealthy, as AWS would say it
    const sick = serving[1]!.id;
    const describe = world.scaling.describeGroups.bind(world.scaling);
    world.scaling.describeGroups = async (...a) => (await describe(...a)).map((g) => ({ ...g, instances: g.instances.map((i) => (i.id === sick ? { ...i, healthStatus: 'Unhealthy' } : i)) }));
    const g = await group(world);
    const count = (re: RegExp): number => g.instances.filter((i) => re.test(i.lifecycleState)).length;
    const [inService, pending, terminating] = [count(/^InService$/), count(/^Pending/), count(/^Terminat/)];
    expect(pending).toBeGreaterThan(0);
    expect(terminating).toBeGreaterThan(0);
    const policies = (await world.scaling.describePolicies(ASG_NAME)).length;
    const when = new Date(world.clock.now().getTime() + 2 * 86_400_000).toISOString().slice(5, 16).replace('T', ' ');
    const f = await pressUntil(app, 'r', 'the refreshed row', (x) => (selectedRow(x) ?? '').includes('2/7/12'));
    const header = lines(f).find((l) => l.includes('MIN/DES/MAX')) ?? '';
    expect(header.replace(/\s+/g, ' ').trim()).toMatch(/GROUP MIN\/DES\/MAX CAPACITY IN SVC PEND TERM HEALTH POL NEXT SCHEDULED/);
    // desired 7 between min 2 and max 12: half the bar
    expect((selectedRow(f) ?? '').replace(/\s+/g, ' ')).toContain(`${ASG_NAME} 2/7/12 █████░░░░░ ${inService} ${pending} ${terminating} 1 bad ${policies} ${when} min 8`);
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

  it('the capacity form sets min and max with desired (UpdateAutoScalingGroup), or desired alone honouring the cooldown', async () => {
    const { app, world, ctx, store } = await start({ rows: 34 });
    const g = await group(world);
    const top = g.maxSize + 2;
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    let f = await pressUntil(app, 'c', 'the capacity form', (x) => x.includes('Set capacity of web-asg'));
    expect(text(f)).toMatch(new RegExp(`desired\\s+${g.desiredCapacity} .*\\n.*min\\s+${g.minSize} .*\\n.*max\\s+${g.maxSize} .*\\n.*honour cooldown\\s+no`));
    // desired stops at max while max is where it is
    for (let i = g.desiredCapacity; i < g.maxSize + 2; i++) await press(app, '+');
    await frameWhen(app, 'desired at max', (x) => new RegExp(`desired\\s+${g.maxSize} `).test(x));
    await press(app, KEY.down);
    await press(app, KEY.down);
    await press(app, '+');
    await pressUntil(app, '+', 'max raised', (x) => new RegExp(`max\\s+${top} `).test(x));
    await press(app, KEY.up);
    await press(app, KEY.up);
    await press(app, '+');
    await pressUntil(app, '+', 'desired at the new max', (x) => new RegExp(`desired\\s+${top} `).test(x));
    f = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('UpdateAutoScalingGroup'));
    const calls = (x: string): string[] => lines(x).map((l) => l.replace(/[│║]/g, '').trim()).filter((l) => /^\d\. /.test(l));
    expect(calls(f)).toEqual([`1. UpdateAutoScalingGroup web-asg: max ${top}, desired ${top}`]);
    expect(text(f)).toContain(`Set web-asg to min ${g.minSize} / desired ${top} / max ${top}?`);
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => ((await group(world)).maxSize === top && (await group(world)).desiredCapacity === top) || undefined, 'the new bounds', app.lastFrame, SLOW);
    const entries = (ctx.audit as unknown as { entries: AuditRecord[] }).entries;
    await waitFor(() => entries.length > 0 || undefined, 'the audit entry', app.lastFrame, SLOW);
    expect(entries.map((e) => e.action)).toEqual(['scaling.updateGroupSize']);

    // desired alone, honouring the cooldown: SetDesiredCapacity; min lowered below desired: the bound goes with it
    // while the change applies, c cancels it: wait until it is done
    await waitFor(() => store.getState().busy === undefined || undefined, 'the change done', app.lastFrame, SLOW);
    await frameWhen(app, 'the group again', (x) => x.includes('[instances]') && x.includes(`desired ${top}`));
    await pressUntil(app, 'c', 'the capacity form', (x) => x.includes('Set capacity of web-asg'));
    await press(app, '-');
    for (let i = 0; i < 3; i++) await press(app, KEY.down);
    f = await pressUntil(app, '+', 'honour cooldown yes', (x) => /honour cooldown\s+yes/.test(x));
    f = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('SetDesiredCapacity'));
    expect(calls(f)).toEqual([`1. SetDesiredCapacity web-asg: desired ${top - 1} (honouring the cooldown)`]);
    await pressUntil(app, KEY.enter, 'the dialog to close', (x) => !x.includes('SetDesiredCapacity'));
    await pressUntil(app, 'c', 'the capacity form', (x) => x.includes('Set capacity of web-asg'));
    await press(app, KEY.down);
    await pressUntil(app, '-', 'min lowered', (x) => new RegExp(`min\\s+${g.minSize - 1} `).test(x));
    f = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('UpdateAutoScalingGroup'));
    expect(calls(f)).toEqual([`1. UpdateAutoScalingGroup web-asg: min ${g.minSize - 1}, desired ${top}`]);
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

  it('the pre-scale plan is made against the group as it is now, not as the screen last showed it', async () => {
    const { app, world } = await start({ rows: 34 });
    const g = await group(world);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes(`min ${g.minSize} /`));
    // someone else raises the floor and the ceiling after the screen was drawn
    await world.scaling.updateGroupSize(ASG_NAME, { min: g.minSize + 1, max: g.maxSize + 4 });
    await pressUntil(app, 'p', 'the pre-scale form', (x) => x.includes('Pre-scale web-asg'));
    const plan = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('PutScheduledUpdateGroupAction'));
    expect(text(plan)).toContain(`now: min ${g.minSize + 1} / desired`);
    expect(text(plan)).toContain(`/ max ${g.maxSize + 4} (sandbox)`);
    const flat = text(plan).replace(/[│║]/g, ' ').replace(/\s+/g, ' ');
    // the restore puts back the bounds as they are now; with a scaling policy, desired is left to it
    expect(flat).toMatch(new RegExp(`-restore at \\S+: min ${g.minSize + 1} (note|3\\.)`));
  });

  it('the pre-scale form with raise = now raises the minimum at once and schedules only the restore', async () => {
    const { app, world } = await start({ rows: 34 });
    const before = await group(world);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    let f = await pressUntil(app, 'p', 'the pre-scale form', (x) => x.includes('Pre-scale web-asg'));
    const min = Number(/minimum\s+(\d+)/.exec(text(f))?.[1]);
    expect(min).toBeGreaterThan(before.minSize);
    await press(app, KEY.down);
    await press(app, '-');
    f = await pressUntil(app, '-', 'raise now', (x) => /raise\s+now/.test(x));
    const plan = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('PutScheduledUpdateGroupAction'));
    const calls = lines(plan).map((l) => l.replace(/[│║]/g, '').trim()).filter((l) => /^\d\. /.test(l));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(new RegExp(`^1\\. UpdateAutoScalingGroup web-asg: min ${min}\\b`));
    expect(calls[1]).toMatch(/^2\. PutScheduledUpdateGroupAction web-asg opsdeck-prescale-\S+-restore/);
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => (await group(world)).minSize === min || undefined, 'the minimum raised now', app.lastFrame, SLOW);
    const actions = await world.scaling.describeScheduledActions(ASG_NAME);
    expect(actions.map((a) => [a.name.replace(/^opsdeck-prescale-\d{8}T\d{4}Z-/, ''), a.minSize])).toEqual([['restore', before.minSize]]);
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

  it('c twice cancels a shutdown waiting for its instances: the group stays, the pane says what happened', async () => {
    const { app, store, world } = await start({ rows: 40 });
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    await pressUntil(app, 'X', 'the shutdown plan', (x) => x.includes('DeleteAutoScalingGroup'));
    // AWS is slow to answer while the shutdown waits for the group to empty: the wait's
    // call (the one made with the apply's signal) answers only when that signal aborts
    const describe = world.scaling.describeActivities.bind(world.scaling);
    let waiting = false;
    world.scaling.describeActivities = (name, opts) => {
      const signal = opts?.signal;
      if (!signal || opts?.maxItems !== 20) return describe(name, opts);
      waiting = true;
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    };
    await type(app, ASG_NAME);
    await press(app, KEY.enter);
    // c is pressed once the calls before the wait are made (their step lines would replace the prompt)
    await waitFor(() => (waiting && store.getState().busy?.label.includes(ASG_NAME)) || undefined, 'the shutdown waiting', app.lastFrame, SLOW);
    await pressUntil(app, 'c', 'the one-key confirm', (x) => x.includes(`press c again to cancel a change to ${ASG_NAME}`));
    expect(store.getState().busy).toBeDefined(); // one c does not stop it
    await pressUntil(app, 'c', 'the cancel', (x) => x.includes(`cancelled: shutdown ${ASG_NAME} stopped`));
    expect(store.getState().busy).toBeUndefined();
    // what was done before the cancel stands (size 0); nothing after it ran (the group is still there)
    expect((await group(world)).desiredCapacity).toBe(0);
    expect(await world.scaling.describeGroups()).toHaveLength(1);
  });

  it('a read-only session reads the capacity plan, and says why it cannot change it when confirmed', async () => {
    const { app, world } = await start({ readOnly: true });
    const before = await group(world);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    await pressUntil(app, 'c', 'the capacity form', (x) => x.includes('Set capacity of web-asg'));
    await press(app, '+');
    const plan = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('read-only session: shown, not applied'));
    expect(text(plan).replace(/[│║]/g, ' ').replace(/\s+/g, ' ')).toContain(`SetDesiredCapacity web-asg: desired ${before.desiredCapacity + 1}`);
    await press(app, KEY.tab);
    await pressUntil(app, KEY.enter, 'the read-only note', (x) => x.includes('read-only session: changing capacity is turned off'));
    expect((await group(world)).desiredCapacity).toBe(before.desiredCapacity);
  });

  it('the targets list shows each target with its health; d drains the selected one after a confirmation', async () => {
    const { app, world } = await start();
    const [tg] = await world.balancing.describeTargetGroups([TARGET_GROUP_ARN]);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    let f = await pressUntil(app, KEY.left, 'the targets', (x) => x.includes('[targets]') && x.includes('LOAD BALANCER'));
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
    await pressUntil(app, 'r', 'the drained target gone', (x) => x.includes('[targets]') && !lines(x).some((l) => l.includes(first) && l.includes('web-tg')));
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

  it('s opens the processes checklist, suspended ones checked; toggling two plans and applies exactly those; P protects', async () => {
    const { app, world, ctx } = await start({ rows: 34 });
    await world.scaling.suspendProcesses(ASG_NAME, ['AZRebalance']);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    let f = await pressUntil(app, 's', 'the checklist', (x) => x.includes('Scaling processes of web-asg'));
    expect(text(f)).toMatch(/\[x\] AZRebalance/);
    expect(text(f)).toMatch(/\[ \] Terminate/);
    expect(lines(f).filter((l) => /\[[x ]\] [A-Z]/.test(l))).toHaveLength(9);
    await press(app, 'j'); // Terminate
    await pressUntil(app, ' ', 'Terminate checked', (x) => /\[x\] Terminate\s+suspend/.test(x));
    await press(app, 'j');
    await press(app, 'j');
    await press(app, 'j'); // AZRebalance
    f = await pressUntil(app, ' ', 'AZRebalance unchecked', (x) => /\[ \] AZRebalance\s+resume/.test(x));
    expect(text(f)).toContain('2 changes');
    f = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('SuspendProcesses web-asg'));
    const plan = lines(f).filter((l) => /(Suspend|Resume)Processes/.test(l)).map((l) => l.replace(/[│║]/g, '').trim());
    expect(plan).toEqual(['1. SuspendProcesses web-asg: Terminate', '2. ResumeProcesses web-asg: AZRebalance']);
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => (await group(world)).suspendedProcesses?.join() === 'Terminate' || undefined, 'Terminate suspended, AZRebalance resumed', app.lastFrame, SLOW);
    f = await frameWhen(app, 'the instances again', (x) => x.includes('[instances]') && x.includes('suspended Terminate') && !x.includes('SuspendProcesses'));
    const id = /i-[0-9a-f]{17}/.exec(selectedRow(f) ?? '')?.[0] ?? '';
    await pressUntil(app, 'P', 'the protection plan', (x) => x.includes(`SetInstanceProtection web-asg: protect ${id}`));
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => (await group(world)).instances.find((i) => i.id === id)?.protectedFromScaleIn || undefined, 'the protection', app.lastFrame, SLOW);
    const entries = (ctx.audit as unknown as { entries: AuditRecord[] }).entries;
    await waitFor(() => entries.length === 3 || undefined, 'the audit entries', app.lastFrame, SLOW);
    expect(entries.map((e) => [e.action, (e.details as { call?: { processes?: string[] } }).call?.processes])).toEqual([
      ['scaling.suspendProcesses', ['Terminate']],
      ['scaling.resumeProcesses', ['AZRebalance']],
      ['scaling.setInstanceProtection', undefined],
    ]);
  });

  it('the checklist keeps the selected process and its key hints in view on a short terminal (60x12)', async () => {
    const { app } = await start({ rows: 12, columns: 60 });
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]'));
    await pressUntil(app, 's', 'the checklist', (x) => x.includes('Scaling processes of'));
    for (let i = 0; i < 8; i++) await press(app, 'j');
    const f = await frameWhen(app, 'the last process selected', (x) => x.includes('› [ ] ScheduledActions'));
    expect(text(f)).toContain('space toggles');
    expect(text(f)).not.toContain('[ ] Launch ');
  });

  it('T terminates the selected instance after a plan that drains it in the HAProxy pool first', async () => {
    const { app, world, ctx } = await start({ rows: 34, columns: 120, sandboxDir: true });
    // the sandbox pool synced with the group's instances, as the Fleet pane's `a` does
    const view = await loadPool(ctx);
    await applyPool(ctx, view, view.plan!);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    const f0 = await frameWhen(app, 'a selected instance', (x) => /i-[0-9a-f]{17}/.test(selectedRow(x) ?? ''));
    const id = /i-[0-9a-f]{17}/.exec(selectedRow(f0) ?? '')?.[0] ?? '';
    const before = await group(world);
    await pressUntil(app, 'T', 'the terminate form', (x) => x.includes(`Terminate ${id} of web-asg`) && x.includes('a replacement launches'));
    await pressUntil(app, '+', 'no replacement', (x) => x.includes(`${before.desiredCapacity} -> ${before.desiredCapacity - 1}: no replacement`));
    const f = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('TerminateInstanceInAutoScalingGroup'));
    const t = text(f).replace(/[│║]/g, ' ').replace(/\s+/g, ' ');
    expect(t).toMatch(new RegExp(`1\\. HAProxy: set www_farm/${id} to DRAIN.* 2\\. TerminateInstanceInAutoScalingGroup ${id}: ShouldDecrementDesiredCapacity`));
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await waitFor(async () => /^Terminating/.test((await group(world)).instances.find((i) => i.id === id)?.lifecycleState ?? '') || undefined, 'the instance terminating', app.lastFrame, SLOW);
    expect((await group(world)).desiredCapacity).toBe(before.desiredCapacity - 1);
    expect((await sandboxLiveServers(view.settings)).find((s) => s.name === id)?.admin).toBe('drain');
    const entries = (ctx.audit as unknown as { entries: AuditRecord[] }).entries;
    await waitFor(() => entries.some((e) => e.action === 'scaling.terminateInstance') || undefined, 'the audit entry', app.lastFrame, SLOW);
    expect(entries.map((e) => e.action).filter((a) => !a.startsWith('haproxy.sync'))).toEqual(['haproxy.server-state', 'scaling.drainServer', 'scaling.terminateInstance']);
  });

  it("the group's instances show their HAProxy pool state, as the Fleet pane does", async () => {
    const { app, world, ctx } = await start({ rows: 30, columns: 110, sandboxDir: true });
    const g = await group(world);
    // before the Fleet sync: no instance is a server of the pool yet
    let f = await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('POOL'));
    for (const i of g.instances) expect(lines(f).find((l) => l.includes(i.id))).toMatch(/InService\s+Healthy\s+-\s/);
    await press(app, KEY.escape);
    const view = await loadPool(ctx);
    await applyPool(ctx, view, view.plan!);
    const maint = g.instances[1]!.id;
    await setSandboxServerState(view.settings, 'www_farm', maint, 'maint');
    f = await pressUntil(app, KEY.enter, 'the group with its pool', (x) => x.includes('sim MAINT'));
    expect(lines(f).find((l) => l.includes(maint))).toMatch(/Healthy\s+sim MAINT/);
    for (const i of g.instances.filter((x) => x.id !== maint)) expect(lines(f).find((l) => l.includes(i.id))).toMatch(/Healthy\s+sim ready/);
  });

  it('Enter on an instance opens its details on the Fleet pane (where its HAProxy actions are)', async () => {
    const { app } = await start({ rows: 30, columns: 110 });
    await pressUntil(app, '1', 'the Fleet pane', (x) => x.includes('[1 Fleet]') && x.includes('instances'));
    await pressUntil(app, '5', 'the Scaling pane', (x) => selectedRow(x)?.includes(ASG_NAME) ?? false);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    const f0 = await frameWhen(app, 'a selected instance', (x) => /i-[0-9a-f]{17}/.test(selectedRow(x) ?? ''));
    const id = /i-[0-9a-f]{17}/.exec(selectedRow(f0) ?? '')?.[0] ?? '';
    const f = await pressUntil(app, KEY.enter, 'the instance on Fleet', (x) => x.includes('[1 Fleet]') && x.includes(`${id} (Esc back`));
    expect(text(f)).toMatch(new RegExp(`^id\\s+${id}$`, 'm'));
    // a list other than the instances: Enter says what it is for
    await pressUntil(app, '5', 'back on Scaling', (x) => x.includes('[instances]'));
    await pressUntil(app, KEY.right, 'the activities', (x) => x.includes('[activities]'));
    await pressUntil(app, KEY.enter, 'the hint', (x) => x.includes('Enter opens an instance on the Fleet pane'));
  });

  it('/ filters what the tables show: the groups by their visible cells, a group\'s lists too, with N of M match', async () => {
    const { app, world } = await start({ rows: 30, columns: 110 });
    const g = await group(world);
    // the launch template is not a column of the groups list: it matches nothing there
    await press(app, '/');
    await type(app, 'web-lt');
    let f = await pressUntil(app, KEY.enter, 'the filtered groups', (x) => x.includes('nothing matches "web-lt"'));
    await pressUntil(app, KEY.escape, 'the filter cleared', (x) => selectedRow(x)?.includes(ASG_NAME) ?? false);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    const id = g.instances[2]!.id;
    await press(app, '/');
    await type(app, id.slice(-6));
    f = await pressUntil(app, KEY.enter, 'one instance', (x) => x.includes(`1 of ${g.instances.length} match`));
    expect(lines(f).filter((l) => /i-[0-9a-f]{17}/.test(l))).toEqual([expect.stringContaining(id)]);
  });

  it("help shows the seed's trigger beside its target tracking equivalent", async () => {
    const { app } = await start({ rows: 60, columns: 120 });
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    const f = await pressUntil(app, '?', 'the help', (x) => x.includes('CPU > 60%'));
    expect(text(f).replace(/[│║]/g, ' ').replace(/\s+/g, ' ')).toMatch(/T Terminate the selected instance .*drained in HAProxy first/);
    expect(text(f).replace(/[│║]/g, ' ').replace(/\s+/g, ' ')).toMatch(/s Suspend\/resume processes: a checklist of the 9/);
    expect(text(f).replace(/[│║]/g, ' ').replace(/\s+/g, ' ')).toMatch(/CPU > 60% for 2 min: \+2, CPU < 30%: -1 .*target tracking equivalent: ASGAverageCPUUtilization at 50/);
  });
});

describe('Scaling pane help', () => {
  it('? explains every row colour from the tables the rows use, each swatch in its colour', async () => {
    const level = chalk.level;
    chalk.level = 1; // colours on, as in a terminal
    let raw: string;
    try {
      const { app } = await start({ columns: 120, rows: 60 });
      expect(text(app.lastFrame() ?? '')).toMatch(/1 group · /);
      raw = (await press(app, '?')) ?? '';
    } finally {
      chalk.level = level;
    }
    const f = text(raw);
    for (const e of SCALING_LEGEND) expect(f).toContain(e.meaning.slice(0, 28));
    const codes: Record<string, string> = { red: '31', green: '32', yellow: '33', gray: '90' };
    for (const e of SCALING_LEGEND.filter((l) => l.color)) {
      const line = raw.split('\n').find((l) => l.includes(e.meaning.slice(0, 28))) ?? '';
      expect(line, e.meaning).toContain(`\x1b[${codes[e.color ?? '']}m■`);
    }
  });
});
