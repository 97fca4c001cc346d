import { describe, expect, it } from 'vitest';
import type { ComputePort, Image, Snapshot } from '../../src/cloud/ports.js';
import { createSandboxWorld } from '../../src/cloud/sandbox/index.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { describeKeepRule, loadSnapshotDetails, snapshotDetailFields } from '../../src/snapshots/details.js';
import { planRotation, type PlannedDecision } from '../../src/snapshots/plan.js';
import { defaultPolicy, type KeepRule, type RetentionPolicy } from '../../src/snapshots/policy.js';
import { deletingPort, snap } from './snapshots-fixtures.js';

const text = (fields: [string, string][]): string => fields.map(([k, v]) => `${k}: ${v}`).join('\n');

describe('snapshot details on the sandbox', () => {
  it('names the AMI that pins a snapshot, explains every rule that keeps it, and lists its tags', async () => {
    const world = createSandboxWorld({ seed: 7 });
    const config = defaultConfig().snapshots;
    const plan = await planRotation(world.compute, { scope: {}, config, now: () => world.clock.now(), source: 'sandbox', includeDecisions: true });
    const pinned = (plan.decisions ?? []).find((d) => d.keptBy.includes('ami'));
    expect(pinned, 'the sandbox has a snapshot an AMI uses').toBeDefined();
    const d = pinned as PlannedDecision;
    const images = (await world.compute.describeImages()).filter((i) => i.snapshotIds.includes(d.snapshotId));
    const details = await loadSnapshotDetails(world.compute, d.snapshotId);
    expect(details.images.map((i) => i.id)).toEqual(images.map((i) => i.id).sort());
    expect(details.snapshot?.id).toBe(d.snapshotId);
    const fields = snapshotDetailFields(d, plan.policy, details);
    const shown = text(fields);
    for (const img of images) expect(shown).toContain(img.id);
    for (const rule of d.keptBy) expect(shown).toContain(`${rule}: ${describeKeepRule(rule, plan.policy, details.images)}`);
    // one row per rule: the first labelled, the rest under it
    expect(fields.filter(([, v]) => d.keptBy.some((r) => v.startsWith(`${r}: `)))).toHaveLength(d.keptBy.length);
    expect(shown).toContain(`reason: ${d.reason}`);
    for (const [k, v] of Object.entries(details.snapshot?.tags ?? {})) expect(shown).toContain(`tag ${k}: ${v}`);
    expect(shown).toContain(`description: ${details.snapshot?.description ?? '-'}`);
  });

  it('a snapshot the plan deletes is kept by no rule and used by no AMI', async () => {
    const world = createSandboxWorld({ seed: 7 });
    const plan = await planRotation(world.compute, { scope: {}, config: defaultConfig().snapshots, now: () => world.clock.now(), source: 'sandbox', includeDecisions: true });
    const d = (plan.decisions ?? []).find((x) => x.action === 'delete') as PlannedDecision;
    const shown = text(snapshotDetailFields(d, plan.policy, await loadSnapshotDetails(world.compute, d.snapshotId)));
    expect(shown).toContain('kept by: no rule: deleted by the plan');
    expect(shown).toContain('AMIs: none uses it');
  });
});

describe('snapshot details from a port', () => {
  const decision: PlannedDecision = {
    snapshotId: 'snap-1',
    volumeId: 'vol-1',
    startTime: '2026-01-01T00:00:00.000Z',
    sizeGiB: 8,
    reason: 'used by ami-b — skipped',
    action: 'keep',
    state: 'completed',
    keptBy: ['ami', 'tag', 'newest'],
  };
  const image = (id: string, snapshotIds: string[]): Image => ({ id, name: `web ${id}`, state: 'available', creationDate: new Date('2026-01-02T00:00:00Z'), snapshotIds });
  const port = (snapshots: Snapshot[], images: Image[]): ComputePort => ({
    ...deletingPort(async () => undefined),
    describeSnapshots: async (f) => snapshots.filter((s) => !f?.snapshotIds || f.snapshotIds.includes(s.id)),
    describeImages: async () => images,
  });
  const policy: RetentionPolicy = { ...defaultPolicy, keep: { tag: ['retain', 'keep=forever'] } };

  it('lists every AMI that uses the snapshot, not only the one the reason names', async () => {
    const s = snap('2026-01-01T00:00:00Z', { id: 'snap-1', volumeId: 'vol-1', tags: { zeta: '1', Name: 'db nightly' }, description: 'nightly' });
    const details = await loadSnapshotDetails(port([s, snap('2026-01-01T01:00:00Z', { id: 'snap-2' })], [image('ami-b', ['snap-1']), image('ami-c', ['snap-2']), image('ami-a', ['snap-9', 'snap-1'])]), 'snap-1');
    expect(details.images.map((i) => i.id)).toEqual(['ami-a', 'ami-b']);
    const fields = snapshotDetailFields(decision, policy, details);
    const amis = fields.slice(fields.findIndex(([k]) => k === 'AMIs'), fields.findIndex(([k]) => k === 'volume GiB'));
    expect(amis.map(([, v]) => v.split(' ')[0])).toEqual(['ami-a', 'ami-b']);
    expect(amis[0]?.[1]).toContain('available, created 2026-01-02T00:00:00.000Z');
    expect(text(fields)).toContain('ami: used by ami-a, ami-b');
    expect(text(fields)).toContain('tag: keep tag (retain, keep=forever)');
    expect(fields.filter(([k]) => k.startsWith('tag ')).map(([k, v]) => `${k}=${v}`)).toEqual(['tag Name=db nightly', 'tag zeta=1']);
    expect(text(fields)).toContain('description: nightly');
  });

  it('says so while listing, when the listing failed, and when EC2 no longer lists the snapshot', async () => {
    expect(text(snapshotDetailFields(decision, policy, undefined))).toMatch(/AMIs: listing…[\s\S]*tags: listing…/);
    expect(text(snapshotDetailFields(decision, policy, undefined, 'RequestLimitExceeded'))).toContain('tags: could not list: RequestLimitExceeded');
    const gone = await loadSnapshotDetails(port([], []), 'snap-1');
    expect(text(snapshotDetailFields(decision, policy, gone))).toContain('tags: EC2 no longer lists this snapshot');
  });

  it('explains every keep rule with the numbers of the policy in force', () => {
    const p: RetentionPolicy = { timeZone: 'UTC', windows: { keepAllHours: 36, dailyDays: 9, weeklyDays: 40, monthlyDays: 400 }, keep: { last: 5, daily: 3, tag: ['retain'] } };
    const rules: KeepRule[] = ['not-completed', 'ami', 'tag', 'newest', 'recent', 'day', 'week', 'month', 'last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'];
    const said = new Map(rules.map((r) => [r, describeKeepRule(r, p)]));
    expect(new Set(said.values()).size).toBe(rules.length);
    expect(said.get('recent')).toContain('36h');
    expect(said.get('day')).toContain('9-day');
    expect(said.get('week')).toContain('40-day');
    expect(said.get('month')).toContain('400-day');
    expect(said.get('last')).toContain('keep-last 5');
    expect(said.get('daily')).toContain('keep-daily 3');
  });
});
