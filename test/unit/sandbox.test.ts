import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCloud } from '../../src/cloud/index.js';
import { CloudError } from '../../src/cloud/ports.js';
import type { Snapshot } from '../../src/cloud/ports.js';
import {
  AMI_POINTER_KEY,
  APP_AMI_ID,
  ASG_NAME,
  SANDBOX_BUCKET,
  SNAPSHOT_HISTORY_DAYS,
  createSandboxWorld,
} from '../../src/cloud/sandbox/index.js';
import { defaultConfig } from '../../src/config/schema.js';
import { ManualClock } from '../../src/core/clock.js';

const NOW = new Date('2026-06-15T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const fingerprint = (s: Snapshot[]) => s.map((x) => `${x.id} ${x.volumeId} ${x.startTime.toISOString()} ${x.state} ${x.progress}`);
const byVolume = (snaps: Snapshot[]) => {
  const m = new Map<string, Snapshot[]>();
  for (const s of snaps) {
    const list = m.get(s.volumeId);
    if (list) list.push(s);
    else m.set(s.volumeId, [s]);
  }
  return m;
};

describe('sandbox world: determinism', () => {
  it('builds the same world from the same seed and clock, a different one from another seed', async () => {
    const a = createSandboxWorld({ seed: 42, now: NOW });
    const b = createSandboxWorld({ seed: 42, now: NOW });
    const c = createSandboxWorld({ seed: 7, now: NOW });
    const [sa, sb, sc] = await Promise.all([a, b, c].map((w) => w.compute.describeSnapshots()));
    expect(fingerprint(sa ?? [])).toEqual(fingerprint(sb ?? []));
    expect(await a.compute.describeInstances({})).toEqual(await b.compute.describeInstances({}));
    expect(await a.compute.describeImages()).toEqual(await b.compute.describeImages());
    expect(await a.scaling.describeGroups()).toEqual(await b.scaling.describeGroups());

    const idsA = new Set((sa ?? []).map((s) => s.id));
    expect((sc ?? []).filter((s) => idsA.has(s.id))).toHaveLength(0);
    expect((sc ?? []).length).not.toBe((sa ?? []).length);
  });
});

describe('sandbox world: snapshots', () => {
  it('holds ~14 months of hourly snapshots for 3+ volumes, generated within budget', async () => {
    const world = createSandboxWorld({ now: NOW });
    const t0 = performance.now();
    const snaps = await world.compute.describeSnapshots();
    const describeMs = performance.now() - t0;
    const genMs = world.snapshotGenerationMs();
    console.log(`sandbox: generated ${snaps.length} snapshots in ${genMs.toFixed(1)} ms (first describe incl. materializing: ${describeMs.toFixed(1)} ms)`);
    expect(genMs).toBeGreaterThan(0);
    expect(genMs).toBeLessThan(1000);

    const volumes = await world.compute.describeVolumes();
    expect(volumes.length).toBeGreaterThanOrEqual(3);
    const groups = byVolume(snaps);
    expect([...groups.keys()].sort()).toEqual(volumes.map((v) => v.id).sort());
    expect(snaps.length).toBeGreaterThan(25_000);
    for (const [, list] of groups) {
      const times = list.map((s) => s.startTime.getTime()).sort((x, y) => x - y);
      const first = times[0] ?? 0;
      const last = times[times.length - 1] ?? 0;
      expect(NOW.getTime() - first).toBeGreaterThan((SNAPSHOT_HISTORY_DAYS - 1) * DAY);
      expect(NOW.getTime() - last).toBeLessThan(2 * HOUR);
      expect(last).toBeLessThanOrEqual(NOW.getTime());
      // Hourly with a few gaps: ~10,000 a volume, most intervals exactly one hour (±40 s jitter).
      expect(list.length).toBeGreaterThan(9_500);
      expect(list.length).toBeLessThanOrEqual(SNAPSHOT_HISTORY_DAYS * 24);
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
      const hourly = gaps.filter((g) => Math.abs(g - HOUR) < 60_000).length;
      expect(hourly / gaps.length).toBeGreaterThan(0.97);
      expect(gaps.some((g) => g >= 2 * HOUR - 60_000)).toBe(true);
    }
    expect(new Set(snaps.map((s) => s.id)).size).toBe(snaps.length);
    expect(snaps.every((s) => /^snap-0[0-9a-f]{16}$/.test(s.id))).toBe(true);

    const pending = snaps.filter((s) => s.state === 'pending');
    expect(pending.length).toBeGreaterThanOrEqual(1);
    expect(pending.every((s) => NOW.getTime() - s.startTime.getTime() < 4 * HOUR)).toBe(true);
    expect(pending.every((s) => s.progress !== '100%')).toBe(true);
    expect(snaps.filter((s) => s.tags['retain'] === 'forever').length).toBeGreaterThanOrEqual(3);

    const images = await world.compute.describeImages();
    expect(images.map((i) => i.id)).toContain(APP_AMI_ID);
    expect(images).toHaveLength(2);
    const referenced = images.flatMap((i) => i.snapshotIds);
    expect(referenced.length).toBeGreaterThanOrEqual(3);
    const ids = new Set(snaps.map((s) => s.id));
    expect(referenced.every((id) => ids.has(id))).toBe(true);
  });

  it('deletes for real, refuses AMI-referenced and unknown snapshots with EC2 codes', async () => {
    const world = createSandboxWorld({ now: NOW });
    const before = await world.compute.describeSnapshots();
    const [image] = await world.compute.describeImages();
    const inUse = image?.snapshotIds[0] ?? '';
    await expect(world.compute.deleteSnapshot(inUse)).rejects.toMatchObject({ code: 'InvalidSnapshot.InUse', retryable: false });

    const victim = before.find((s) => s.state === 'completed' && !image?.snapshotIds.includes(s.id));
    if (!victim) throw new Error('no completed snapshot in the sandbox');
    await world.compute.deleteSnapshot(victim.id);
    const after = await world.compute.describeSnapshots();
    expect(after).toHaveLength(before.length - 1);
    expect(after.some((s) => s.id === victim.id)).toBe(false);

    const again = await world.compute.deleteSnapshot(victim.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(CloudError);
    expect(again).toMatchObject({ code: 'InvalidSnapshot.NotFound' });
    await expect(world.compute.deleteSnapshot('snap-0ffffffffffffffff')).rejects.toMatchObject({ code: 'InvalidSnapshot.NotFound' });
  });

  it('deletes a snapshot taken (and listed) after an earlier deletion indexed the set', async () => {
    const world = createSandboxWorld({ now: NOW });
    const [image] = await world.compute.describeImages();
    const first = (await world.compute.describeSnapshots()).find((s) => s.state === 'completed' && !image?.snapshotIds.includes(s.id));
    if (!first) throw new Error('no completed snapshot in the sandbox');
    await world.compute.deleteSnapshot(first.id);
    const known = new Set((await world.compute.describeSnapshots()).map((s) => s.id));
    world.advance(3 * 3_600_000);
    const fresh = (await world.compute.describeSnapshots()).filter((s) => !known.has(s.id) && s.state === 'completed');
    const victim = fresh[0];
    if (!victim) throw new Error('the sandbox took no snapshot in 3 hours');
    await world.compute.deleteSnapshot(victim.id);
    expect((await world.compute.describeSnapshots()).some((s) => s.id === victim.id)).toBe(false);
  });

  it('throttles DeleteSnapshot after a burst of 100 at a frozen clock, and refills 5/s', async () => {
    const world = createSandboxWorld({ now: NOW });
    const [image] = await world.compute.describeImages();
    const candidates = (await world.compute.describeSnapshots()).filter((s) => !image?.snapshotIds.includes(s.id));
    let ok = 0;
    let throttled: unknown;
    for (const s of candidates.slice(0, 120)) {
      try {
        await world.compute.deleteSnapshot(s.id);
        ok++;
      } catch (e) {
        throttled = e;
        break;
      }
    }
    // The sandbox starts with 0 prior calls: describe calls are not mutating and not counted.
    expect(ok).toBe(100);
    expect(throttled).toMatchObject({ code: 'RequestLimitExceeded', retryable: true });

    world.advance(1000);
    let refilled = 0;
    for (const s of candidates.slice(100, 120)) {
      try {
        await world.compute.deleteSnapshot(s.id);
        refilled++;
      } catch (e) {
        expect(e).toMatchObject({ code: 'RequestLimitExceeded' });
        break;
      }
    }
    expect(refilled).toBe(5);
  });

  it('extends the history as time passes: pending snapshots complete, new hours appear', async () => {
    const world = createSandboxWorld({ now: NOW });
    const before = await world.compute.describeSnapshots();
    const pending = before.filter((s) => s.state === 'pending').map((s) => s.id);
    world.advance(6 * HOUR);
    const after = await world.compute.describeSnapshots();
    const byId = new Map(after.map((s) => [s.id, s]));
    expect(pending.every((id) => byId.get(id)?.state === 'completed')).toBe(true);
    const added = after.length - before.length;
    expect(added).toBeGreaterThanOrEqual(15);
    expect(added).toBeLessThanOrEqual(18);
  });
});

describe('sandbox world: fleet and Auto Scaling', () => {
  it('discovers app servers through the AMI pointer object, with the edge cases present', async () => {
    const world = createSandboxWorld({ now: NOW });
    const ami = (await world.objects.getObject(SANDBOX_BUCKET, AMI_POINTER_KEY)).toString().trim();
    expect(ami).toBe(APP_AMI_ID);
    const running = await world.compute.describeInstances({ imageIds: [ami], states: ['running'] });
    const [group] = await world.scaling.describeGroups([ASG_NAME]);
    const members = running.filter((i) => i.tags['aws:autoscaling:groupName'] === ASG_NAME);
    expect(members.map((i) => i.id).sort()).toEqual(group?.instances.map((i) => i.id).sort());
    expect(members.every((i) => /^i-0[0-9a-f]{16}$/.test(i.id) && /^127\.0\.\d+\.\d+$/.test(i.privateIp ?? ''))).toBe(true);
    expect(members.some((i) => i.publicIp !== undefined)).toBe(true);
    expect(new Set(members.map((i) => i.availabilityZone)).size).toBe(3);
    // The IPv6-only box runs the app AMI but has no private IPv4; the stopped spare is not listed.
    expect(running.filter((i) => i.privateIp === undefined).map((i) => i.name)).toEqual(['web-legacy']);
    expect(running.some((i) => i.name === 'web-spare')).toBe(false);

    const dbs = await world.compute.describeInstances({ tags: { Role: ['db'] } });
    expect(dbs.map((i) => i.name).sort()).toEqual(['mysql-primary', 'mysql-replica']);
    const lb = await world.compute.describeInstances({ tags: { Role: ['lb'] }, instanceIds: [world.ids.lb] });
    expect(lb.map((i) => i.name)).toEqual(['haproxy-1']);
  });

  it('follows the daily load curve within [min, max] over a simulated day', async () => {
    const world = createSandboxWorld({ now: new Date('2026-06-16T00:00:00Z') }); // a Tuesday
    const desired: number[] = [];
    for (let step = 0; step < 96; step++) {
      world.advance(15 * 60_000);
      const [g] = await world.scaling.describeGroups();
      if (!g) throw new Error('web-asg missing');
      desired.push(g.desiredCapacity);
      // terminating instances stay listed (as on AWS) until they are gone; capacity is the rest
      expect(g.instances.filter((i) => !i.lifecycleState.startsWith('Terminating'))).toHaveLength(g.desiredCapacity);
    }
    expect(Math.min(...desired)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...desired)).toBeLessThanOrEqual(12);
    expect(Math.max(...desired) - Math.min(...desired)).toBeGreaterThanOrEqual(5);
    const at = (h: number) => desired[h * 4 - 1] ?? 0;
    expect(at(4)).toBeLessThan(at(16));
  });

  it('sets desired capacity: instances launch (pending, then running) and terminate', async () => {
    const world = createSandboxWorld({ now: NOW });
    await world.scaling.setDesiredCapacity(ASG_NAME, 12);
    let [g] = await world.scaling.describeGroups();
    expect(g?.desiredCapacity).toBe(12);
    expect(g?.instances).toHaveLength(12);
    expect(g?.instances.some((i) => i.lifecycleState === 'Pending')).toBe(true);
    world.advance(2 * 60_000);
    [g] = await world.scaling.describeGroups();
    expect(g?.instances.every((i) => i.lifecycleState === 'InService')).toBe(true);

    const before = new Set(g?.instances.map((i) => i.id));
    await world.scaling.setDesiredCapacity(ASG_NAME, 3);
    [g] = await world.scaling.describeGroups();
    const serving = g?.instances.filter((i) => !i.lifecycleState.startsWith('Terminating')) ?? [];
    expect(serving).toHaveLength(3);
    // the nine leaving wait on the drain hook first, as AWS lists them
    expect(g?.instances.filter((i) => i.lifecycleState === 'Terminating:Wait')).toHaveLength(9);
    const gone = [...before].filter((id) => !serving.some((i) => i.id === id));
    const states = await world.compute.describeInstances({ instanceIds: gone });
    expect(states.every((i) => i.state === 'shutting-down' || i.state === 'terminated')).toBe(true);

    await expect(world.scaling.setDesiredCapacity(ASG_NAME, 13)).rejects.toMatchObject({ code: 'ValidationError' });
    await expect(world.scaling.setDesiredCapacity('nope', 3)).rejects.toMatchObject({ code: 'ValidationError' });
  });

  it('a group sized to zero stays empty through the next day (the shutdown runbook)', async () => {
    const world = createSandboxWorld({ now: NOW });
    await world.scaling.updateGroupSize(ASG_NAME, { min: 0, max: 0, desired: 0 });
    world.advance(DAY);
    const [g] = await world.scaling.describeGroups();
    expect(g).toMatchObject({ minSize: 0, maxSize: 0, desiredCapacity: 0, instances: [] });
    const running = await world.compute.describeInstances({ tags: { 'aws:autoscaling:groupName': [ASG_NAME] }, states: ['running'] });
    expect(running).toEqual([]);
  });
});

describe('sandbox world: object store and factory', () => {
  it('persists objects under dir across worlds and lists them in key order', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-sandbox-test-'));
    try {
      const a = createSandboxWorld({ now: NOW, dir });
      await a.objects.putObject(SANDBOX_BUCKET, 'webcam/2026/06/15/1200.jpg', Buffer.from([0xff, 0xd8, 0xff]));
      await a.objects.putObject(SANDBOX_BUCKET, 'webcam/2026/06/15/1155.jpg', 'x');
      const b = createSandboxWorld({ now: NOW, dir });
      expect([...(await b.objects.getObject(SANDBOX_BUCKET, 'webcam/2026/06/15/1200.jpg'))]).toEqual([0xff, 0xd8, 0xff]);
      expect((await b.objects.listObjects(SANDBOX_BUCKET, 'webcam/')).map((o) => o.key)).toEqual([
        'webcam/2026/06/15/1155.jpg',
        'webcam/2026/06/15/1200.jpg',
      ]);
      await expect(b.objects.getObject(SANDBOX_BUCKET, 'missing')).rejects.toMatchObject({ code: 'NoSuchKey', status: 404 });
      await expect(b.objects.putObject('no-bucket', 'k', 'v')).rejects.toMatchObject({ code: 'NoSuchBucket' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('simulated latency costs world time per call and honours an abort', async () => {
    const world = createSandboxWorld({ now: NOW, latencyMs: 7 });
    await world.compute.describeVolumes();
    await world.scaling.describeGroups();
    expect(world.clock.now().getTime() - NOW.getTime()).toBe(14);
    const ac = new AbortController();
    ac.abort(new Error('user pressed c'));
    await expect(world.compute.deleteSnapshot('snap-0ffffffffffffffff', { signal: ac.signal })).rejects.toThrow('user pressed c');
  });

  it('createCloud({ sandbox: true }) gives the sandbox world on the injected clock', async () => {
    const clock = new ManualClock(NOW);
    const cloud = await createCloud({ sandbox: true, config: defaultConfig(), clock });
    expect(cloud.kind).toBe('sandbox');
    const snaps = await cloud.compute.describeSnapshots();
    const newest = Math.max(...snaps.map((s) => s.startTime.getTime()));
    expect(NOW.getTime() - newest).toBeLessThan(HOUR);
    clock.advance(3 * HOUR);
    const later = await cloud.compute.describeSnapshots();
    expect(later.length).toBeGreaterThan(snaps.length);
  });
});
