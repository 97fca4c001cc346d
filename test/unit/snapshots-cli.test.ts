import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';
import { sandboxDirFor } from '../../src/core/context.js';
import { createSandboxWorld, type SandboxWorld } from '../../src/cloud/sandbox/index.js';
import { acquireLock } from '../../src/core/lock.js';
import { ROTATION_LOCK, type SnapshotPlan } from '../../src/snapshots/plan.js';

let dir: string;
let world: SandboxWorld;
let savedRuntime: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-snapcli-'));
  world = createSandboxWorld({ seed: 7 });
  // withLock reads the process environment: keep this test's locks in its own dir.
  savedRuntime = process.env.XDG_STATE_HOME;
  process.env.XDG_STATE_HOME = dir;
});
afterEach(() => {
  if (savedRuntime === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedRuntime;
  rmSync(dir, { recursive: true, force: true });
});

function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return run(['--sandbox', '--batch', ...argv]);
}

/** main() on this test's world, with exactly these arguments (cli() adds --sandbox --batch). */
function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCli(world, dir, argv);
}

async function snapshotIds(): Promise<Set<string>> {
  return new Set((await world.compute.describeSnapshots()).map((s) => s.id));
}

describe('opsdeck snapshots (batch, on the sandbox)', () => {
  it('plan --json prints a plan that spares AMI, unfinished and newest snapshots, and changes nothing', async () => {
    const before = await snapshotIds();
    const r = await cli('snapshots', 'plan', '--json');
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out) as SnapshotPlan;
    expect(plan.volumes.length).toBeGreaterThanOrEqual(3);
    expect(plan.totals.snapshots).toBe(before.size);
    expect(plan.deletions.length).toBe(plan.totals.delete);
    expect(plan.totals.delete).toBeGreaterThan(10_000);

    const all = await world.compute.describeSnapshots();
    const images = await world.compute.describeImages();
    const pinned = new Set(images.flatMap((i) => i.snapshotIds));
    expect(pinned.size).toBeGreaterThan(0);
    const byId = new Map(all.map((s) => [s.id, s]));
    for (const d of plan.deletions) {
      expect(pinned.has(d.snapshotId)).toBe(false);
      expect(byId.get(d.snapshotId)?.state).toBe('completed');
      // tagged retain=forever by someone: kept by default
      expect(byId.get(d.snapshotId)?.tags['retain']).toBeUndefined();
    }
    expect(all.filter((x) => x.tags['retain'] === 'forever').length).toBeGreaterThan(0);
    expect(await snapshotIds()).toEqual(before);
  });

  it('keeps retain-tagged snapshots by default and says why; keep.tag: [] turns that off', async () => {
    const tagged = (await world.compute.describeSnapshots()).filter((x) => x.tags['retain'] === 'forever').map((x) => x.id);
    const explain = await cli('snapshots', 'plan', '--decisions', '--json');
    const decisions = (JSON.parse(explain.out) as SnapshotPlan).decisions ?? [];
    const reasons = new Map(decisions.map((d) => [d.snapshotId, d]));
    for (const id of tagged) {
      // a young one may be kept by its window first; an old one only by its tag
      expect(reasons.get(id)?.action).toBe('keep');
    }
    expect(decisions.some((d) => tagged.includes(d.snapshotId) && d.reason === 'tag retain=forever — kept')).toBe(true);

    writeFileSync(path.join(dir, 'opsdeck.yaml'), 'snapshots:\n  keep:\n    tag: []\n');
    const off = JSON.parse((await cli('snapshots', 'plan', '--json')).out) as SnapshotPlan;
    const deleted = new Set(off.deletions.map((d) => d.snapshotId));
    expect(tagged.some((id) => deleted.has(id))).toBe(true);
  });

  it('plan text shows a per-volume table, totals and deletions grouped by reason', async () => {
    const r = await cli('snapshots', 'plan');
    expect(r.code).toBe(0);
    // sizes say what is known: the volume's size; never a freed amount (snapshots are incremental)
    expect(r.out).toMatch(/VOLUME\s+TOTAL\s+KEEP\s+DELETE\s+VOL GiB/);
    expect(r.out).not.toMatch(/FREED/i);
    expect(r.out).toContain("VOL GiB: the volume's size. full size not reported by EC2; what deleting frees: unknown");
    const json = JSON.parse((await cli('snapshots', 'plan', '--json')).out) as SnapshotPlan;
    expect(json.totals).not.toHaveProperty('freedGiB');
    expect(json.volumes[0]).toMatchObject({ volumeSizeGiB: expect.any(Number), deleteFullBytes: 0 });
    expect(json.volumes.every((v) => v.fullSizeUnknown === v.delete)).toBe(true);
    expect(r.out).toMatch(/^TOTAL\s/m);
    expect(r.out).toMatch(/older than 365 days/);
    expect(r.out).toMatch(/not newest of its (day|ISO week|month)/);
  });

  it('rotate without --yes prints the plan and deletes nothing', async () => {
    const before = await snapshotIds();
    const r = await cli('snapshots', 'rotate');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/nothing deleted: rerun with --yes/);
    expect(await snapshotIds()).toEqual(before);
  });

  it('--read-only refuses rotate --yes with exit 3, but still prints the plan without --yes', async () => {
    const before = await snapshotIds();
    const r = await cli('--read-only', 'snapshots', 'rotate', '--yes');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/read-only/);
    const planOnly = await cli('--read-only', 'snapshots', 'rotate');
    expect(planOnly.code).toBe(0);
    expect(planOnly.out).toMatch(/^TOTAL\s/m);
    expect(planOnly.err).toContain('nothing deleted: this is a --read-only run');
    expect(planOnly.err).not.toContain('--yes');
    expect(await snapshotIds()).toEqual(before);
  });

  it('rotate --yes --json records which snapshots went, as ids, with counts', async () => {
    const file = path.join(dir, 'plan.json');
    const volume = world.ids.volumes.webAssets;
    await cli('snapshots', 'plan', '--volume', volume, '--plan-out', file);
    const planned = (JSON.parse(readFileSync(file, 'utf8')) as SnapshotPlan).deletions.map((d) => d.snapshotId).sort();
    const r = await cli('snapshots', 'rotate', '--plan', file, '--yes', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { applied: boolean; result: { deleted: string[]; counts: Record<string, number> } };
    expect(doc.applied).toBe(true);
    expect([...doc.result.deleted].sort()).toEqual(planned);
    expect(doc.result.counts).toMatchObject({ deleted: planned.length, skippedInUse: 0, alreadyGone: 0, failed: 0, notAttempted: 0 });
  });

  it('a plan made on AWS, applied where no config file made this run the sandbox, says how to reach AWS', async () => {
    const file = path.join(dir, 'plan.json');
    await cli('snapshots', 'plan', '--volume', world.ids.volumes.webAssets, '--plan-out', file);
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as SnapshotPlan), source: 'aws' }));
    const { code, err } = await run(['--batch', 'snapshots', 'rotate', '--plan', file, '--yes']);
    expect(code).toBe(3);
    expect(err).toContain('was made against aws, but this run is on sandbox');
    expect(err).toContain('no config file was found, so this run is on the sandbox: pass --config FILE (or --profile/--region)');
    expect(err).not.toContain('drop --sandbox');
  });

  it('applies exactly a reviewed plan file, and nothing else', async () => {
    const file = path.join(dir, 'plan.json');
    const volume = world.ids.volumes.webAssets;
    const p = await cli('snapshots', 'plan', '--volume', volume, '--plan-out', file);
    expect(p.code).toBe(0);
    const plan = JSON.parse(readFileSync(file, 'utf8')) as SnapshotPlan;
    expect(plan.scope.volumeIds).toEqual([volume]);
    const planned = new Set(plan.deletions.map((d) => d.snapshotId));
    expect(planned.size).toBeGreaterThan(1000);
    const before = await snapshotIds();

    const r = await cli('snapshots', 'rotate', '--plan', file, '--yes');
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`deleted ${planned.size.toLocaleString('en-US')} `));
    expect(r.err).toMatch(/deleting snapshots: \d+\/[\d]+ \(\d+%, [\d.]+\/s/);
    const after = await snapshotIds();
    for (const id of before) expect(after.has(id)).toBe(!planned.has(id));
  });

  it('refuses a plan file older than snapshots.planMaxAgeMinutes (exit 3) and a malformed one (exit 2)', async () => {
    const file = path.join(dir, 'plan.json');
    expect((await cli('snapshots', 'plan', '--plan-out', file)).code).toBe(0);
    world.advance(61 * 60_000);
    const before = await snapshotIds();
    const stale = await cli('snapshots', 'rotate', '--plan', file, '--yes');
    expect(stale.code).toBe(3);
    expect(stale.err).toMatch(/made 61 minutes ago \(limit 60\)/);

    const bad = path.join(dir, 'bad.json');
    const plan = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(bad, JSON.stringify({ ...plan, deletions: [{ snapshotId: 'rm -rf /' }] }));
    const malformed = await cli('snapshots', 'rotate', '--plan', bad, '--yes');
    expect(malformed.code).toBe(2);
    expect(malformed.err).toMatch(/bad\.json is not an opsdeck snapshot plan/);
    expect(malformed.err).toMatch(/deletions\.0\.snapshotId/);
    writeFileSync(bad, JSON.stringify({ ...plan, version: 7 }));
    const future = await cli('snapshots', 'rotate', '--plan', bad, '--yes');
    expect(future.code).toBe(2);
    expect(future.err).toMatch(/^\s+version: expected 2$/m);
    expect(await snapshotIds()).toEqual(before);
  });

  it('rotate --plan-out without --yes says how to apply exactly that file (not to re-plan)', async () => {
    const file = path.join(dir, 'review.json');
    const before = await snapshotIds();
    const r = await cli('snapshots', 'rotate', '--plan-out', file);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`apply exactly it with \`opsdeck snapshots rotate --batch --plan ${file} --yes\``);
    expect((JSON.parse(readFileSync(file, 'utf8')) as SnapshotPlan).deletions.length).toBeGreaterThan(1000);
    expect(await snapshotIds()).toEqual(before);
  });

  it('a saved plan that would now delete a volume\'s newest or an AMI\'s snapshot leaves those out, says so, and applies the rest', async () => {
    const volume = world.ids.volumes.webAssets;
    const file = path.join(dir, 'plan.json');
    expect((await cli('snapshots', 'plan', '--volume', volume, '--plan-out', file)).code).toBe(0);
    const plan = JSON.parse(readFileSync(file, 'utf8')) as SnapshotPlan;
    const snaps = (await world.compute.describeSnapshots({ volumeIds: [volume] })).filter((x) => x.state === 'completed');
    const newest = snaps.reduce((a, b) => (b.startTime > a.startTime ? b : a));
    const amiSnap = (await world.compute.describeImages()).flatMap((i) => i.snapshotIds).find((id) => snaps.some((x) => x.id === id));
    expect(amiSnap).toBeDefined();
    const row = (id: string) => ({ snapshotId: id, volumeId: volume, startTime: newest.startTime.toISOString(), sizeGiB: 100, reason: 'edited' });
    const few = plan.deletions.slice(0, 3);
    const edited = { ...plan, deletions: [...few, row(newest.id), row(amiSnap ?? '')], totals: { ...plan.totals, delete: few.length + 2 } };
    writeFileSync(file, JSON.stringify(edited));
    const before = await snapshotIds();
    const r = await cli('snapshots', 'rotate', '--plan', file, '--yes');
    expect(r.code).toBe(0);
    expect(r.err).toContain(`now kept: ${newest.id} (now the newest completed snapshot of ${volume}, since the plan was made): not deleted`);
    expect(r.err).toMatch(new RegExp(`now kept: ${amiSnap} \\(used by ami-\\w+, since the plan was made\\)`));
    const after = await snapshotIds();
    expect([...before].filter((id) => !after.has(id)).sort()).toEqual(few.map((d) => d.snapshotId).sort());
  });

  it('refuses (exit 3, nothing deleted) a plan file that puts a snapshot under another volume', async () => {
    const volume = world.ids.volumes.webAssets;
    const file = path.join(dir, 'plan.json');
    expect((await cli('snapshots', 'plan', '--volume', volume, '--plan-out', file)).code).toBe(0);
    const plan = JSON.parse(readFileSync(file, 'utf8')) as SnapshotPlan;
    const other = (await world.compute.describeVolumes()).find((v) => v.id !== volume)?.id ?? 'vol-x';
    writeFileSync(file, JSON.stringify({ ...plan, deletions: plan.deletions.map((d, i) => (i === 0 ? { ...d, volumeId: other } : d)) }));
    const before = await snapshotIds();
    const r = await cli('snapshots', 'rotate', '--plan', file, '--yes');
    expect(r.code).toBe(3);
    expect(r.err).toContain('under another volume than their own; nothing deleted');
    expect(await snapshotIds()).toEqual(before);
  });

  it('refuses a plan file dated in the future (it would never age out)', async () => {
    const file = path.join(dir, 'plan.json');
    expect((await cli('snapshots', 'plan', '--plan-out', file)).code).toBe(0);
    const plan = JSON.parse(readFileSync(file, 'utf8')) as SnapshotPlan;
    writeFileSync(file, JSON.stringify({ ...plan, createdAt: new Date(world.clock.now().getTime() + 86_400_000).toISOString() }));
    const r = await cli('snapshots', 'rotate', '--plan', file, '--yes');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/made 1440 minutes in the future/);
  });

  it('plan --decisions explains every snapshot, and --tag narrows the scope', async () => {
    const r = await cli('snapshots', 'plan', '--json', '--decisions', '--volume', world.ids.volumes.mysqlData);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out) as SnapshotPlan;
    expect(plan.decisions).toHaveLength(plan.totals.snapshots);
    const reasons = new Set(plan.decisions?.map((d) => d.reason.replace(/\d{4}-(W?\d\d(-\d\d)?)|\(snap-\w+ kept\)/g, '…')));
    expect(reasons).toContain('within 24h');
    expect(reasons).toContain('newest of day …');
    expect(reasons).toContain('newest of ISO week …');
    expect(reasons).toContain('newest of month …');
    expect(reasons).toContain('older than 365 days');
    expect([...reasons].some((x) => /^used by ami-\w+ — skipped$/.test(x))).toBe(true);
    const bad = await cli('snapshots', 'plan', '--tag', 'novalue');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--tag novalue: expected KEY=VALUE/);
  });

  it('a named volume with no snapshots (a typo, a retired volume) is a usage error, not "nothing to delete"', async () => {
    const before = await snapshotIds();
    const real = (await world.compute.describeVolumes())[0]?.id ?? '';
    for (const verb of ['plan', 'rotate']) {
      const r = await cli('snapshots', verb, '--yes', '--volume', real, '--volume', 'vol-0typo0000000000');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/no snapshots found for volume vol-0typo0000000000\n/);
      expect(r.err).not.toContain(real);
    }
    expect(await snapshotIds()).toEqual(before);
  });

  it('reports an unknown time zone in the config as a config error (exit 2)', async () => {
    writeFileSync(path.join(dir, 'opsdeck.yaml'), 'snapshots:\n  timeZone: Mars/Olympus_Mons\n');
    const r = await cli('snapshots', 'plan');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown time zone/);
    expect(r.err).toMatch(/opsdeck\.yaml/);
  });

  it('exits 4 while any other rotation holds the lock, whatever either one\'s scope', async () => {
    // the sandbox's own lock: a rehearsal never shares the nightly cron's
    const lock = await acquireLock(ROTATION_LOCK, { dir: path.join(sandboxDirFor({ TMPDIR: dir }), 'state', 'locks') });
    try {
      const before = await snapshotIds();
      const all = await cli('snapshots', 'rotate', '--yes');
      expect(all.code).toBe(4);
      // one volume overlaps the all-volumes rotation that holds the lock
      const volume = (await world.compute.describeVolumes())[0]?.id ?? '';
      const one = await cli('snapshots', 'rotate', '--yes', '--volume', volume);
      expect(one.code).toBe(4);
      expect(one.err).toMatch(/lock/);
      expect(await snapshotIds()).toEqual(before);
    } finally {
      await lock.release();
    }
  });

  it('a sandbox rehearsal never takes (or waits on) the real rotation lock', async () => {
    // the nightly cron on the real account holds its lock all night
    const real = await acquireLock(ROTATION_LOCK, { env: { XDG_STATE_HOME: dir } });
    try {
      const volumes = await world.compute.describeVolumes();
      for (const v of volumes.slice(0, 2)) {
        const r = await cli('snapshots', 'rotate', '--yes', '--volume', v.id);
        expect(r.err).not.toMatch(/lock/);
        expect(r.code).toBe(0);
      }
      // and the real lock is untouched: still ours
      expect(JSON.parse(readFileSync(real.path, 'utf8')).token).toBe(real.info.token);
    } finally {
      await real.release();
    }
  });
});
