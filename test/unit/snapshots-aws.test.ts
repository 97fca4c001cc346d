/**
 * Listing, planning and executing through the real EC2 adapter, with EC2
 * answered by aws-sdk-client-mock in the response shapes of the API reference.
 * In every case: no DeleteSnapshot call names a snapshot outside the plan.
 */
import {
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
  type Snapshot as Ec2Snapshot,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEc2Compute } from '../../src/cloud/aws/compute.js';
import { ManualClock } from '../../src/core/clock.js';
import { memoryAuditLog } from '../../src/core/audit.js';
import { applyPlan, type ApplyOptions, type ApplySummary } from '../../src/snapshots/execute.js';
import { planRotation, type SnapshotPlan } from '../../src/snapshots/plan.js';
import { snapshotsConfigSchema } from '../../src/snapshots/config.js';
import { expectAccounted } from './snapshots-fixtures.js';

const NOW = new Date('2026-11-21T12:00:00Z');
const HOUR = 3_600_000;
const ec2 = mockClient(EC2Client);
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };
// maxAttempts 1: throttling is the executor's business here, not the SDK's own retry loop.
const compute = () => createEc2Compute(new EC2Client({ region: 'us-east-1', credentials: creds, maxAttempts: 1 }));

/** 2 volumes x 1,200 hourly snapshots (50 days): 3 pages of 1000, 1000, 400. */
function world(): Ec2Snapshot[] {
  const out: Ec2Snapshot[] = [];
  for (const [v, vol] of ['vol-0aaaaaaaaaaaaaaaa', 'vol-0bbbbbbbbbbbbbbbb'].entries()) {
    for (let i = 0; i < 1200; i++) {
      out.push({
        SnapshotId: `snap-0${v}${String(i).padStart(15, '0')}`,
        VolumeId: vol,
        StartTime: new Date(NOW.getTime() - i * HOUR - 5 * 60_000),
        State: i === 0 && v === 0 ? 'pending' : 'completed',
        Progress: i === 0 && v === 0 ? '42%' : '100%',
        VolumeSize: 100,
        Description: 'Created by ec2-consistent-snapshot',
        OwnerId: '123456789012',
      });
    }
  }
  return out;
}

const aws = (name: string, status: number, message: string): EC2ServiceException =>
  new EC2ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });

let all: Ec2Snapshot[];
const AMI_SNAPSHOT = 'snap-01000000000000900'; // ~37 days old: would be deleted, but an AMI uses it

beforeEach(() => {
  all = world();
  ec2
    .on(DescribeSnapshotsCommand)
    .resolvesOnce({ Snapshots: all.slice(0, 1000), NextToken: 'p2' })
    .resolvesOnce({ Snapshots: all.slice(1000, 2000), NextToken: 'p3' })
    .resolvesOnce({ Snapshots: all.slice(2000) });
  ec2.on(DescribeImagesCommand).resolves({
    Images: [{ ImageId: 'ami-0123456789abcdef0', Name: 'app', State: 'available', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: AMI_SNAPSHOT } }] }],
  });
});
afterEach(() => {
  ec2.reset();
  applied = undefined;
});

async function plan(): Promise<SnapshotPlan> {
  return planRotation(compute(), { scope: {}, config: snapshotsConfigSchema.parse({}), now: () => NOW, source: 'aws' });
}

const deleteCalls = (): string[] => ec2.commandCalls(DeleteSnapshotCommand).map((c) => c.args[0].input.SnapshotId ?? '');

function assertOnlyPlanned(p: SnapshotPlan): void {
  expect(applied, 'run applyPlan first').toBeDefined();
  if (applied) expectAccounted(applied, p);
  const planned = new Set(p.deletions.map((d) => d.snapshotId));
  for (const id of deleteCalls()) expect(planned.has(id), `${id} was not in the plan`).toBe(true);
}

let applied: ApplySummary | undefined;
const run = async (p: SnapshotPlan, over: Partial<ApplyOptions> = {}): Promise<ApplySummary> => (applied = await applyPlan(p, { compute: compute() }, opts(over)));
const opts = (over: Partial<ApplyOptions> = {}): ApplyOptions => ({ clock: new ManualClock(NOW), random: () => 0.5, concurrency: 8, ...over });

describe('snapshot rotation through the EC2 adapter', () => {
  it('lists every page (owner self, 1000 a page), reads AMIs (owner self) and plans from all of them', async () => {
    const p = await plan();
    const calls = ec2.commandCalls(DescribeSnapshotsCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.NextToken)).toEqual([undefined, 'p2', 'p3']);
    expect(calls.every((c) => c.OwnerIds?.[0] === 'self' && c.MaxResults === 1000)).toBe(true);
    expect(ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input.Owners).toEqual(['self']);
    expect(p.totals.snapshots).toBe(2400);
    const ids = new Set(p.deletions.map((d) => d.snapshotId));
    expect(ids.has(AMI_SNAPSHOT)).toBe(false);
    expect(ids.has('snap-00000000000000000')).toBe(false); // pending
    expect(ids.has('snap-00000000000000001')).toBe(false); // newest completed of vol-a
    expect(p.totals.delete).toBeGreaterThan(2000);
  });

  it('deletes exactly the plan when EC2 answers every call', async () => {
    const p = await plan();
    ec2.on(DeleteSnapshotCommand).resolves({});
    const audit = memoryAuditLog();
    const s = await run(p, { audit });
    expectAccounted(s, p);
    expect(s.deleted).toHaveLength(p.deletions.length);
    expect(new Set(deleteCalls())).toEqual(new Set(p.deletions.map((d) => d.snapshotId)));
    expect(deleteCalls()).toHaveLength(p.deletions.length);
    expect(audit.entries).toHaveLength(p.deletions.length);
  });

  it('rides out RequestLimitExceeded and then deletes everything', async () => {
    const p = await plan();
    let n = 0;
    ec2.on(DeleteSnapshotCommand).callsFake(() => {
      n++;
      if (n > 100 && n <= 110) throw aws('RequestLimitExceeded', 503, 'Request limit exceeded.');
      return {};
    });
    const s = await run(p);
    expect(s.throttled).toBe(10);
    expect(s.failed).toEqual([]);
    expect(s.deleted).toHaveLength(p.deletions.length);
    expect(deleteCalls()).toHaveLength(p.deletions.length + 10);
    assertOnlyPlanned(p);
  });

  it('InUse is skipped, NotFound is already gone, a failure in the middle is reported and the rest continue', async () => {
    const p = await plan();
    const [inUse, gone, broken] = [p.deletions[5], p.deletions[6], p.deletions[Math.floor(p.deletions.length / 2)]].map((d) => d?.snapshotId);
    ec2.on(DeleteSnapshotCommand).callsFake((input: { SnapshotId?: string }) => {
      if (input.SnapshotId === inUse) throw aws('InvalidSnapshot.InUse', 400, `The snapshot ${inUse} is currently in use by ami-0fedcba9876543210`);
      if (input.SnapshotId === gone) throw aws('InvalidSnapshot.NotFound', 400, `The snapshot '${gone}' does not exist.`);
      if (input.SnapshotId === broken) throw aws('InternalError', 500, 'An internal error has occurred');
      return {};
    });
    const s = await run(p);
    expect(s.skippedInUse).toEqual([inUse]);
    expect(s.alreadyGone).toEqual([gone]);
    expect(s.failed).toEqual([{ id: broken, code: 'InternalError', message: 'DeleteSnapshot: An internal error has occurred' }]);
    expect(s.deleted).toHaveLength(p.deletions.length - 3);
    assertOnlyPlanned(p);
  });

  it('cancel stops after the calls in flight', async () => {
    const p = await plan();
    const ac = new AbortController();
    let n = 0;
    ec2.on(DeleteSnapshotCommand).callsFake(() => {
      if (++n === 300) ac.abort();
      return {};
    });
    const s = await run(p, { signal: ac.signal });
    expect(s.cancelled).toBe(true);
    expect(deleteCalls().length).toBeGreaterThanOrEqual(300);
    expect(deleteCalls().length).toBeLessThanOrEqual(308);
    expect(s.deleted).toHaveLength(deleteCalls().length);
    expect(s.notAttempted).toBe(p.deletions.length - deleteCalls().length);
    assertOnlyPlanned(p);
  });
});
