import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/cloud/ports.js';
import { SNAPSHOT_HISTORY_DAYS, createSandboxWorld, type SandboxWorld } from '../../src/cloud/sandbox/index.js';

const HOUR = 3_600_000;
const MIN = 60_000;
const NOW = new Date('2026-06-15T12:00:00Z');
const at = (base: Date, ms: number): Date => new Date(base.getTime() + ms);

const slot = (s: Snapshot): string => `${s.volumeId} ${s.startTime.toISOString()}`;
const list = (w: SandboxWorld): Promise<Snapshot[]> => w.compute.describeSnapshots();
const pinnedIds = async (w: SandboxWorld): Promise<Set<string>> => new Set((await w.compute.describeImages()).flatMap((i) => i.snapshotIds));

/** Every (volume, start time) both listings hold has one id, and no id names two of them. */
function expectSameWorld(a: Snapshot[], b: Snapshot[]): number {
  const idBySlot = new Map(a.map((s) => [slot(s), s.id]));
  const slotById = new Map(a.map((s) => [s.id, slot(s)]));
  let shared = 0;
  for (const s of b) {
    const id = idBySlot.get(slot(s));
    if (id !== undefined) {
      shared++;
      expect(s.id, `the snapshot of ${slot(s)}`).toBe(id);
    }
    const other = slotById.get(s.id);
    if (other !== undefined) expect(slot(s), `the snapshot ${s.id}`).toBe(other);
  }
  return shared;
}

describe('sandbox snapshot history: the same world whenever the process starts', () => {
  it('lists the same id for the same snapshot from clocks 40 minutes and 3 hours apart', async () => {
    const [now, later, muchLater] = await Promise.all(
      [NOW, at(NOW, 40 * MIN), at(NOW, 3 * HOUR)].map((t) => list(createSandboxWorld({ seed: 42, now: t }))),
    );
    if (!now || !later || !muchLater) throw new Error('no listing');
    // Nearly the whole history is shared: the comparison is not vacuous.
    expect(expectSameWorld(now, later)).toBeGreaterThan(now.length - 10);
    expect(expectSameWorld(now, muchLater)).toBeGreaterThan(now.length - 20);
    expect(expectSameWorld(later, muchLater)).toBeGreaterThan(later.length - 20);
  });

  it('a fresh process after the hour sees what a long-running one sees once its clock got there', async () => {
    const running = createSandboxWorld({ seed: 42, now: new Date('2026-06-15T22:52:00Z') });
    await list(running);
    running.advance(11 * MIN);
    const grown = await list(running);
    const fresh = await list(createSandboxWorld({ seed: 42, now: new Date('2026-06-15T23:03:00Z') }));
    const byId = new Map(grown.map((s) => [s.id, s]));
    for (const s of fresh) {
      const g = byId.get(s.id);
      expect(g, `${s.id} (${slot(s)})`).toBeDefined();
      expect({ ...g, tags: g?.tags }).toEqual({ ...s, tags: s.tags });
    }
    // The running process keeps the hour that slid out of the fresh one's window (the series only grows).
    expect(grown.length - fresh.length).toBeGreaterThanOrEqual(0);
    expect(grown.length - fresh.length).toBeLessThanOrEqual(3);
  });

  it('a plan listed before the hour deletes exactly those snapshots after it, the oldest (now outside the window) included', async () => {
    const planner = createSandboxWorld({ seed: 42, now: new Date('2026-06-15T22:52:00Z') });
    const reviewed = await list(planner);
    const pinned = await pinnedIds(planner);
    const oldestFirst = reviewed.filter((s) => s.state === 'completed' && !pinned.has(s.id)).sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    const planned = oldestFirst.slice(0, 60);

    const applier = createSandboxWorld({ seed: 42, now: new Date('2026-06-15T23:03:00Z') });
    const before = await list(applier);
    const beforeById = new Map(before.map((s) => [s.id, s]));
    // The applier's window starts an hour later: the oldest planned ones are not listed, yet exist.
    expect(planned.some((p) => !beforeById.has(p.id))).toBe(true);
    for (const p of planned) {
      const s = beforeById.get(p.id);
      if (s) expect(slot(s)).toBe(slot(p));
      await applier.compute.deleteSnapshot(p.id);
    }
    const after = await list(applier);
    const plannedIds = new Set(planned.map((p) => p.id));
    expect(after.filter((s) => plannedIds.has(s.id))).toEqual([]);
    // Nothing else went: only the listed planned ones are missing.
    expect(after.length).toBe(before.length - planned.filter((p) => beforeById.has(p.id)).length);
  });

  it('ids are unique across the whole set and shaped like EC2 snapshot ids', async () => {
    const a = await list(createSandboxWorld({ seed: 42, now: NOW }));
    const b = await list(createSandboxWorld({ seed: 42, now: at(NOW, 30 * 24 * HOUR) }));
    const union = new Map<string, string>();
    for (const s of [...a, ...b]) {
      const seen = union.get(s.id);
      if (seen !== undefined) expect(seen).toBe(slot(s));
      union.set(s.id, slot(s));
    }
    expect(new Set(a.map((s) => s.id)).size).toBe(a.length);
    expect(new Set(union.values()).size).toBe(union.size);
    expect([...union.keys()].every((id) => /^snap-[0-9a-f]{17}$/.test(id) && /^snap-[0-9a-f]{8}([0-9a-f]{9})?$/.test(id))).toBe(true);
  });
});

describe('sandbox snapshot history: statistical character', () => {
  it.each([
    [42, NOW],
    [7, new Date('2025-11-02T03:17:00Z')],
  ])('seed %i at %s: ~10,100 hourly snapshots a volume, retain=forever, one error, AMI pins among them', async (seed, now) => {
    const world = createSandboxWorld({ seed, now });
    const snaps = await list(world);
    const volumes = await world.compute.describeVolumes();
    expect(volumes).toHaveLength(3);
    for (const v of volumes) {
      const mine = snaps.filter((s) => s.volumeId === v.id);
      expect(mine.length).toBeGreaterThan(9_900);
      expect(mine.length).toBeLessThanOrEqual(SNAPSHOT_HISTORY_DAYS * 24 + 1);
      const retained = mine.filter((s) => s.tags['retain'] === 'forever').length;
      expect(retained).toBeGreaterThanOrEqual(2);
      expect(retained).toBeLessThanOrEqual(4);
      const failed = mine.filter((s) => s.state === 'error').length;
      expect(failed).toBeGreaterThanOrEqual(1);
      expect(failed).toBeLessThanOrEqual(2);
    }
    const pending = snaps.filter((s) => s.state === 'pending');
    expect(pending.length).toBeGreaterThanOrEqual(1);
    expect(pending.every((s) => now.getTime() - s.startTime.getTime() < 4 * HOUR)).toBe(true);

    const images = await world.compute.describeImages();
    const pins = images.flatMap((i) => i.snapshotIds);
    expect(pins).toHaveLength(4);
    const byId = new Map(snaps.map((s) => [s.id, s]));
    for (const id of pins) {
      expect(byId.get(id)?.state).toBe('completed');
      expect(byId.get(id)?.description).toMatch(/^Created by CreateImage for ami-/);
    }
  });

  it('AMIs pin the same snapshots for processes started hours apart on the same day', async () => {
    const morning = await pinnedIds(createSandboxWorld({ seed: 42, now: new Date('2026-06-15T08:10:00Z') }));
    const evening = await pinnedIds(createSandboxWorld({ seed: 42, now: new Date('2026-06-15T23:55:00Z') }));
    expect([...evening].sort()).toEqual([...morning].sort());
  });

  it('answers NotFound for another seed\'s ids and for malformed ones', async () => {
    const other = (await list(createSandboxWorld({ seed: 7, now: NOW })))[100]?.id ?? '';
    const world = createSandboxWorld({ seed: 42, now: NOW });
    for (const id of [other, 'snap-0123', 'snap-0zzzzzzzzzzzzzzzz', 'vol-00000000000000000']) {
      await expect(world.compute.deleteSnapshot(id)).rejects.toMatchObject({ code: 'InvalidSnapshot.NotFound' });
    }
  });

  it('does not know a snapshot whose run has not started yet', async () => {
    const future = (await list(createSandboxWorld({ seed: 42, now: at(NOW, 5 * HOUR) }))).filter((s) => s.startTime > NOW);
    expect(future.length).toBeGreaterThan(5);
    const world = createSandboxWorld({ seed: 42, now: NOW });
    await expect(world.compute.deleteSnapshot(future[0]?.id ?? '')).rejects.toMatchObject({ code: 'InvalidSnapshot.NotFound' });
  });
});

describe('sandbox snapshot deletions persist in the world dir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-sandbox-del-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function deleteSome(w: SandboxWorld, n: number): Promise<string[]> {
    const pinned = await pinnedIds(w);
    const victims = (await list(w)).filter((s) => s.state === 'completed' && !pinned.has(s.id)).slice(0, n).map((s) => s.id);
    for (const id of victims) await w.compute.deleteSnapshot(id);
    return victims;
  }

  it('a later world on the same dir does not list them, and deleting them again is NotFound', async () => {
    const first = createSandboxWorld({ seed: 42, now: NOW, dir });
    const total = (await list(first)).length;
    const gone = await deleteSome(first, 5);
    const pinned = [...(await pinnedIds(first))][0] ?? '';
    await expect(first.compute.deleteSnapshot(pinned)).rejects.toMatchObject({ code: 'InvalidSnapshot.InUse' });

    const next = createSandboxWorld({ seed: 42, now: NOW, dir });
    const listed = await list(next);
    expect(listed).toHaveLength(total - 5);
    expect(listed.filter((s) => gone.includes(s.id))).toEqual([]);
    for (const id of gone) await expect(next.compute.deleteSnapshot(id)).rejects.toMatchObject({ code: 'InvalidSnapshot.NotFound' });
    // the refused AMI snapshot was not recorded as deleted
    expect(listed.some((s) => s.id === pinned)).toBe(true);

    // An hour later the deletions still hold; a world without the dir never saw them.
    const later = await list(createSandboxWorld({ seed: 42, now: at(NOW, HOUR + 7 * MIN), dir }));
    expect(later.filter((s) => gone.includes(s.id))).toEqual([]);
    expect((await list(createSandboxWorld({ seed: 42, now: NOW }))).filter((s) => gone.includes(s.id))).toHaveLength(5);
  });

  it('re-planning after a burst of deletions counts them gone (plan, apply, re-plan across runs)', async () => {
    const apply = createSandboxWorld({ seed: 42, now: NOW, dir });
    const before = (await list(apply)).length;
    // 100 go in the burst, then the bucket refills at 5/s on the world clock
    const pinned = await pinnedIds(apply);
    const victims = (await list(apply)).filter((s) => s.state === 'completed' && !pinned.has(s.id)).slice(0, 300);
    for (const s of victims) {
      for (;;) {
        try {
          await apply.compute.deleteSnapshot(s.id);
          break;
        } catch (e) {
          expect(e).toMatchObject({ code: 'RequestLimitExceeded' });
          apply.advance(200);
        }
      }
    }
    const replan = createSandboxWorld({ seed: 42, now: NOW, dir });
    expect((await list(replan)).length).toBe(before - 300);
    const lines = readFileSync(path.join(dir, 'snapshots-deleted.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(300);
  });

  it('tolerates a torn last line and keeps recording after it', async () => {
    const first = createSandboxWorld({ seed: 42, now: NOW, dir });
    const gone = await deleteSome(first, 2);
    appendFileSync(path.join(dir, 'snapshots-deleted.jsonl'), '{"id":"snap-0');

    const second = createSandboxWorld({ seed: 42, now: NOW, dir });
    expect((await list(second)).filter((s) => gone.includes(s.id))).toEqual([]);
    const more = await deleteSome(second, 1);

    const third = await list(createSandboxWorld({ seed: 42, now: NOW, dir }));
    expect(third.filter((s) => [...gone, ...more].includes(s.id))).toEqual([]);
  });

  it('ignores deletions recorded by a world of another seed in the same dir', async () => {
    const other = createSandboxWorld({ seed: 7, now: NOW, dir });
    await deleteSome(other, 3);
    const mine = createSandboxWorld({ seed: 42, now: NOW, dir });
    expect((await list(mine)).length).toBe((await list(createSandboxWorld({ seed: 42, now: NOW }))).length);
  });
});
