/**
 * The Scaling pane's targets list with a classic ELB: web-elb's instances
 * beside web-tg's targets, an OutOfService one visibly so (its words and
 * red), and `d` on an ELB row deregisters it from the ELB after a plan that
 * shows connection draining, the row then draining with its timeout.
 */
import React from 'react';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASG_NAME, CLASSIC_ELB_NAME, CONNECTION_DRAINING_S, type SandboxWorld } from '../../src/cloud/sandbox/index.js';
import { App, createSessionFor } from '../../views/App.js';
import { KEY, lines, press, privateStateDir, selectedRow, testContext, track, waitFor, type Rendered } from './helpers.js';

const mounted: { unmount(): void }[] = [];
const SLOW = 20_000;
privateStateDir('opsdeck-scalingelb-view-', () => {
  while (mounted.length) mounted.pop()?.unmount();
});
// colour is part of "visibly": ink draws none without a colour terminal, so ask for 16 colours
const level = chalk.level;
beforeAll(() => {
  chalk.level = 1;
});
afterAll(() => {
  chalk.level = level;
});

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

describe('Scaling pane: classic ELB', () => {
  it('shows web-elb beside web-tg, an OutOfService instance in words and red; d deregisters an ELB row after showing connection draining', async () => {
    const ctx = testContext();
    const world = (await ctx.cloud()) as SandboxWorld;
    const [g] = await world.scaling.describeGroups([ASG_NAME]);
    // one more instance: it registers with the ELB and is OutOfService until its health check passes
    await world.scaling.setDesiredCapacity(ASG_NAME, g!.desiredCapacity + 1);
    const fresh = (await world.scaling.describeGroups([ASG_NAME]))[0]!.instances.find((i) => !g!.instances.some((x) => x.id === i.id))!.id;
    const store = createSessionFor(ctx, { size: { columns: 150, rows: 40 }, initialPane: 'scaling' });
    const app = track(render(<App ctx={ctx} store={store} />), store);
    mounted.push(app);
    await waitFor(() => selectedRow(app.lastFrame())?.includes(ASG_NAME), 'the groups table', app.lastFrame, SLOW);
    await pressUntil(app, KEY.enter, 'the group', (x) => x.includes('[instances]') && x.includes('LIFECYCLE'));
    let f = await pressUntil(app, KEY.left, 'the targets', (x) => x.includes('[targets]') && x.includes('LOAD BALANCER'));
    const members = g!.desiredCapacity + 1;
    // the header counts the ELB's instances; the list has a row per instance of each load balancer
    expect(lines(f).join('\n')).toContain(`${CLASSIC_ELB_NAME} ${members - 1}/${members} InService, 1 OutOfService`);
    expect(lines(f).filter((l) => l.includes('web-tg'))).toHaveLength(members);
    expect(lines(f).filter((l) => l.includes(`${CLASSIC_ELB_NAME} (classic)`))).toHaveLength(members);
    const row = (id: string, frame: string): string => lines(frame).find((l) => l.includes(id) && l.includes(CLASSIC_ELB_NAME)) ?? '';
    expect(row(fresh, f)).toMatch(/OutOfService \(ELB\)\s+Instance registration is still in progress\./);
    const raw = f.split('\n').find((l) => l.includes(fresh) && l.includes(CLASSIC_ELB_NAME)) ?? '';
    expect(raw).toContain('\x1b[31m'); // red
    const healthy = f.split('\n').find((l) => l.includes(`${CLASSIC_ELB_NAME} (classic)`) && l.includes('InService')) ?? '';
    expect(healthy).toContain('\x1b[32m'); // green
    expect(healthy).not.toContain('\x1b[31m');

    // move to the first InService ELB row and drain it from the ELB
    while (!/web-elb \(classic\).*InService/.test(selectedRow(f) ?? '')) f = await pressUntil(app, KEY.down, 'the next row', (x) => x !== f);
    const id = /i-[0-9a-f]+/.exec(selectedRow(f) ?? '')![0];
    f = await pressUntil(app, 'd', 'the deregister plan', (x) => x.includes(`DeregisterInstancesFromLoadBalancer ${CLASSIC_ELB_NAME} (classic ELB): ${id}`));
    expect(lines(f).join(' ').replace(/\s+/g, ' ')).toContain(`connection draining is on: it finishes its open requests for up to ${CONNECTION_DRAINING_S} s`);
    await press(app, KEY.tab);
    await press(app, KEY.enter);
    await frameWhen(app, 'the instance draining from the ELB', (x) => row(id, x).includes(`draining (up to ${CONNECTION_DRAINING_S} s)`));
    const [lb] = await world.classicElb.describeLoadBalancers([CLASSIC_ELB_NAME]);
    expect(lb!.instances.find((h) => h.instanceId === id)?.description).toBe('Instance deregistration currently in progress.');
    // the target group is left as it was
    expect(lines(app.lastFrame()).find((l) => l.includes(id) && l.includes('web-tg'))).toMatch(/healthy/);
  });
});
