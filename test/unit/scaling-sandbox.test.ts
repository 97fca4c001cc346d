/**
 * The sandbox group reacts to what the Scaling area does, on the world's
 * clock: scheduled actions at their minute, protection, suspended processes,
 * the drain hook, a delete refused while instances remain, and the safe
 * shutdown completing. Batch runs on the sandbox keep its configuration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ASG_NAME, createSandboxWorld, type SandboxWorld } from '../../src/cloud/sandbox/index.js';
import { memoryAuditLog } from '../../src/core/audit.js';
import type { ScalingPlan } from '../../src/scaling/calls.js';
import { applyShutdown, planShutdown } from '../../src/scaling/shutdown.js';
import type { ScalingStatus } from '../../src/scaling/status.js';
import { runCli } from './cli-harness.js';

const NOW = new Date('2026-06-16T03:00:00Z'); // a quiet Tuesday night: the group sits near its minimum
const MIN = 60_000;
const serving = async (w: SandboxWorld) => ((await w.scaling.describeGroups([ASG_NAME]))[0]?.instances ?? []).filter((i) => !i.lifecycleState.startsWith('Terminating'));

describe('sandbox: the group reacts to the Scaling area', () => {
  it('a scheduled raise runs at its minute, the restore after, and both leave the list', async () => {
    const w = createSandboxWorld({ now: NOW });
    const before = (await w.scaling.describeGroups())[0]!;
    await w.scaling.putScheduledAction({ groupName: ASG_NAME, name: 'raise', startTime: new Date(NOW.getTime() + 7 * MIN), minSize: 9 });
    await w.scaling.putScheduledAction({ groupName: ASG_NAME, name: 'restore', startTime: new Date(NOW.getTime() + 60 * MIN), minSize: 2 });
    await expect(w.scaling.putScheduledAction({ groupName: ASG_NAME, name: 'late', startTime: new Date(NOW.getTime() - MIN), minSize: 3 })).rejects.toMatchObject({ code: 'ValidationError' });
    w.advance(6 * MIN);
    expect((await w.scaling.describeGroups())[0]?.minSize).toBe(before.minSize);
    w.advance(2 * MIN);
    const raised = (await w.scaling.describeGroups())[0]!;
    expect(raised).toMatchObject({ minSize: 9, desiredCapacity: 9 });
    expect(raised.instances.filter((i) => i.lifecycleState === 'Pending').length).toBe(9 - before.desiredCapacity);
    const acts = await w.scaling.describeActivities(ASG_NAME, { maxItems: 20 });
    expect(acts[0]?.cause).toMatch(/a scheduled action update of AutoScalingGroup constraints to min: 9/);
    expect(acts[0]?.status).toBe('InProgress');
    expect((await w.scaling.describeScheduledActions(ASG_NAME)).map((a) => a.name)).toEqual(['restore']);
    w.advance(60 * MIN);
    const after = (await w.scaling.describeGroups())[0]!;
    expect(after.minSize).toBe(2);
    expect(await w.scaling.describeScheduledActions()).toEqual([]);
  });

  it('protected instances survive a scale-in; a suspended Terminate holds everyone', async () => {
    const w = createSandboxWorld({ now: NOW });
    await w.scaling.setDesiredCapacity(ASG_NAME, 6);
    w.advance(2 * MIN);
    const ids = (await serving(w)).map((i) => i.id);
    await w.scaling.setInstanceProtection(ASG_NAME, ids.slice(0, 4), true);
    await w.scaling.updateGroupSize(ASG_NAME, { min: 0, desired: 0 });
    expect((await serving(w)).map((i) => i.id).sort()).toEqual(ids.slice(0, 4).sort());
    await w.scaling.setInstanceProtection(ASG_NAME, ids.slice(0, 4), false);
    await w.scaling.suspendProcesses(ASG_NAME, ['Terminate']);
    w.advance(10 * MIN);
    expect(await serving(w)).toHaveLength(4);
    await w.scaling.resumeProcesses(ASG_NAME);
    w.advance(5 * MIN);
    expect(await serving(w)).toHaveLength(0);
  });

  it('terminates one member: a replacement launches, or with decrement the group shrinks, never below min', async () => {
    const w = createSandboxWorld({ now: NOW });
    await w.scaling.updateGroupSize(ASG_NAME, { min: 2, max: 12, desired: 3 });
    w.advance(2 * MIN);
    const [victim, ...rest] = (await serving(w)).map((i) => i.id);
    await w.scaling.terminateInstance(victim!, false);
    let g = (await w.scaling.describeGroups([ASG_NAME]))[0]!;
    expect(g.desiredCapacity).toBe(3);
    expect(g.instances.find((i) => i.id === victim)?.lifecycleState).toMatch(/^Terminating/);
    expect(g.instances.filter((i) => i.lifecycleState === 'Pending')).toHaveLength(1);
    await w.scaling.terminateInstance(rest[0]!, true);
    g = (await w.scaling.describeGroups([ASG_NAME]))[0]!;
    expect(g.desiredCapacity).toBe(2);
    await expect(w.scaling.terminateInstance(rest[1]!, true)).rejects.toMatchObject({ code: 'ValidationError', message: expect.stringMatching(/min size/) });
    await expect(w.scaling.terminateInstance(w.ids.lb, false)).rejects.toMatchObject({ code: 'ValidationError' });
  });

  it('refuses to delete a group with instances or activities, without force', async () => {
    const w = createSandboxWorld({ now: NOW });
    await expect(w.scaling.deleteGroup(ASG_NAME)).rejects.toMatchObject({ code: 'ResourceInUse' });
    await w.scaling.updateGroupSize(ASG_NAME, { min: 0, max: 0, desired: 0 });
    await expect(w.scaling.deleteGroup(ASG_NAME)).rejects.toMatchObject({ code: 'ScalingActivityInProgress' });
    const [g] = await w.scaling.describeGroups();
    expect(g?.instances.every((i) => i.lifecycleState === 'Terminating:Wait')).toBe(true);
  });

  it('the safe shutdown completes on the world clock and leaves no group, policy or template', async () => {
    const w = createSandboxWorld({ now: NOW });
    const [first] = await w.scaling.describeGroups();
    await w.scaling.setInstanceProtection(ASG_NAME, [first!.instances[0]!.id], true);
    await w.scaling.putScheduledAction({ groupName: ASG_NAME, name: 'raise', startTime: new Date(NOW.getTime() + 3_600_000), minSize: 8 });
    const plan = await planShutdown(w.scaling, ASG_NAME, { now: w.clock.now(), source: 'sandbox' });
    expect(plan.calls.map((c) => c.op)).toEqual([
      'deleteScheduledAction',
      'deletePolicy',
      'deletePolicy',
      'deletePolicy',
      'setInstanceProtection',
      'updateGroupSize',
      'waitForEmpty',
      'deleteGroup',
      'deleteLaunchTemplate',
    ]);
    const audit = memoryAuditLog();
    await applyShutdown(plan, { scaling: w.scaling, audit, clock: w.clock, pollMs: 5_000 });
    expect(await w.scaling.describeGroups()).toEqual([]);
    expect(await w.scaling.describePolicies()).toEqual([]);
    expect(audit.entries.map((e) => e.action).at(-1)).toBe('scaling.deleteLaunchTemplate');
    const running = await w.compute.describeInstances({ tags: { 'aws:autoscaling:groupName': [ASG_NAME] }, states: ['running', 'pending'] });
    expect(running).toEqual([]);
    // a re-run finds nothing to shut down
    await expect(planShutdown(w.scaling, ASG_NAME, { now: w.clock.now(), source: 'sandbox' })).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('opsdeck scaling (batch, on the sandbox)', () => {
  let dir: string;
  let world: SandboxWorld;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-scalingcli-'));
    world = createSandboxWorld({ now: NOW, dir: path.join(dir, 'world') });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cli = (...argv: string[]) => runCli(world, dir, ['--sandbox', '--batch', ...argv]);

  it('status --json: a stable document with the group, its counts and policies', async () => {
    const r = await cli('scaling', 'status', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as ScalingStatus;
    expect(s.source).toBe('sandbox');
    expect(s.groups).toHaveLength(1);
    expect(s.groups[0]).toMatchObject({ name: 'web-asg', min: 2, max: 12, policies: 3, launchTemplate: 'web-lt' });
    expect(s.groups[0]?.counts.inService).toBe(s.groups[0]?.desired);
    const missing = await cli('scaling', 'status', 'nope');
    expect(missing.code).toBe(2);
  });

  it('set-capacity prints the plan without --yes, applies and audits with it', async () => {
    const plan = await cli('scaling', 'set-capacity', 'web-asg', '7');
    expect(plan.code).toBe(0);
    expect(plan.out).toMatch(/SetDesiredCapacity web-asg: desired 7/);
    expect(plan.err).toMatch(/run again with --yes/);
    expect((await world.scaling.describeGroups())[0]?.desiredCapacity).not.toBe(7);
    const yes = await cli('scaling', 'set-capacity', 'web-asg', '7', '--yes', '--json');
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.out)).toMatchObject({ applied: true, plan: { calls: [{ op: 'setDesiredCapacity', desired: 7 }] } });
    expect((await world.scaling.describeGroups())[0]?.desiredCapacity).toBe(7);
    const out = await cli('scaling', 'set-capacity', 'web-asg', '20');
    expect(out.code).toBe(3);
    expect(out.err).toMatch(/outside web-asg's bounds.*\n.*--max 20/);
    const ro = await cli('scaling', 'set-capacity', 'web-asg', '5', '--yes', '--read-only');
    expect(ro.code).toBe(3);
  });

  it('set-capacity lowering desired says plainly that AWS picks undrained instances, and names the drained way', async () => {
    const g = (await world.scaling.describeGroups(['web-asg']))[0]!;
    const lower = g.desiredCapacity - 1;
    const r = await cli('scaling', 'set-capacity', 'web-asg', String(lower), '--min', String(Math.min(g.minSize, lower)));
    expect(r.code, r.err).toBe(0);
    const notes = r.out.split('\n').filter((l) => l.includes('note:')).join('\n');
    expect(notes).toContain("1 instance(s) will terminate, picked by AWS's termination policy (protected ones are skipped); they are NOT drained in HAProxy first");
    expect(notes).toContain('for a drained scale-in, terminate instances one at a time instead: opsdeck scaling terminate web-asg ID --decrement (drains each in HAProxy first');
    // raising says nothing of the sort
    const up = await cli('scaling', 'set-capacity', 'web-asg', String(g.desiredCapacity + 1));
    expect(up.out).not.toContain('NOT drained');
  });

  it('prescale: the two actions with --yes; a time in the past is refused (exit 3) with nothing sent', async () => {
    const past = await cli('scaling', 'prescale', 'web-asg', '--min', '8', '--at', '2026-06-16 02:00', '--until', '2026-06-16 09:00');
    expect(past.code).toBe(3);
    expect(past.err).toMatch(/in the past/);
    const zoned = await cli('scaling', 'prescale', 'web-asg', '--min', '8', '--at', '2026-06-16 07:30', '--until', '2026-06-16 11:00', '--time-zone', 'Europe/Berlin', '--yes', '--json');
    expect(zoned.code).toBe(0);
    const doc = JSON.parse(zoned.out) as { plan: ScalingPlan };
    expect(doc.plan.calls.map((c) => (c.op === 'putScheduledAction' ? c.startTime : c.op))).toEqual(['2026-06-16T05:30:00.000Z', '2026-06-16T09:00:00.000Z']);
    expect((await world.scaling.describeScheduledActions('web-asg')).map((a) => a.minSize)).toEqual([8, 2]);
    // a later process on the same sandbox dir sees them too
    const again = createSandboxWorld({ now: NOW, dir: path.join(dir, 'world') });
    expect(await again.scaling.describeScheduledActions()).toHaveLength(2);
  });

  it('prescale: an unknown --time-zone is a usage error (exit 2) before any call, with a wall-clock or a relative time', async () => {
    let calls = 0;
    const describe = world.scaling.describeGroups.bind(world.scaling);
    world.scaling.describeGroups = (...a) => (calls++, describe(...a));
    for (const at of ['2026-06-16 07:30', '+1h']) {
      const r = await cli('scaling', 'prescale', 'web-asg', '--min', '8', '--at', at, '--until', '+5h', '--time-zone', 'Mars/Olympus', '--yes');
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain('--time-zone Mars/Olympus: not a known time zone');
      expect(r.err).toMatch(/hint: use an IANA name such as UTC/);
      expect(r.err).not.toMatch(/bug in opsdeck/);
    }
    expect(calls).toBe(0);
    expect(await world.scaling.describeScheduledActions('web-asg')).toEqual([]);
  });

  it('shutdown: the plan by default; --force-delete needs --confirm with the name', async () => {
    const plan = await cli('scaling', 'shutdown', 'web-asg');
    expect(plan.code).toBe(0);
    expect(plan.out).toMatch(/DeletePolicy web-asg cpu-target-50[\s\S]*UpdateAutoScalingGroup web-asg: min 0, max 0, desired 0[\s\S]*DeleteAutoScalingGroup web-asg\n/);
    const forced = await cli('scaling', 'shutdown', 'web-asg', '--force-delete', '--yes');
    expect(forced.code).toBe(3);
    expect((await world.scaling.describeGroups())).toHaveLength(1);
  });
});
