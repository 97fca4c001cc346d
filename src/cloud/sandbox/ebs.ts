import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot, SnapshotFilter, Tags, Volume } from '../ports.js';
import { CloudError } from '../ports.js';
import { awsId } from './rng.js';
import type { SandboxVolumeSpec } from './snapshots.js';

/**
 * The EBS writes a runbook makes, on the simulated clock: a snapshot started
 * now completes after a time that grows with the volume's size, a new volume
 * is `creating` for a few seconds, attaching and detaching take a moment, and
 * EC2's refusals (a volume in use, another zone, an unfinished snapshot) are
 * the same codes. Kept in `ebs-state.json` in the sandbox dir so a rehearsal
 * resumed by another process sees what the first one made.
 */
const CREATE_MS = 15_000;
const ATTACH_MS = 5_000;
/** A snapshot's simulated duration: a minute plus two seconds per GiB. */
const snapshotMs = (sizeGiB: number): number => 60_000 + sizeGiB * 2_000;

interface VolRec {
  id: string;
  availabilityZone: string;
  sizeGiB: number;
  readyMs: number;
  attachedTo: string | undefined;
  /** when the last attach/detach completes */
  moveDoneMs: number;
  deleted: boolean;
  tags: Tags;
}

interface SnapRec {
  id: string;
  volumeId: string;
  startMs: number;
  doneMs: number;
  sizeGiB: number;
  description: string | undefined;
  tags: Tags;
}

interface State {
  counter: number;
  volumes: VolRec[];
  snapshots: SnapRec[];
}

export class SandboxEbs {
  private state: State = { counter: 0, volumes: [], snapshots: [] };
  private readonly file: string | undefined;

  constructor(
    private readonly seed: number,
    private readonly nowMs: () => number,
    staticVolumes: readonly SandboxVolumeSpec[],
    private readonly zoneOf: (instanceId: string) => string | undefined,
    dir: string | undefined,
  ) {
    this.file = dir === undefined ? undefined : join(dir, 'ebs-state.json');
    const loaded = this.load();
    if (loaded) this.state = loaded;
    else {
      // The world's own volumes, so attach/detach works on them too.
      for (const v of staticVolumes) {
        this.state.volumes.push({ id: v.id, availabilityZone: v.availabilityZone, sizeGiB: v.sizeGiB, readyMs: 0, attachedTo: v.attachedInstanceId, moveDoneMs: 0, deleted: false, tags: { Name: v.name } });
      }
    }
  }

  private load(): State | undefined {
    if (!this.file) return undefined;
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as State;
    } catch {
      return undefined;
    }
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  }

  private vol(id: string): VolRec {
    const v = this.state.volumes.find((x) => x.id === id && !x.deleted);
    if (!v) throw new CloudError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`, { status: 400 });
    return v;
  }

  private volumeState(v: VolRec, now: number): Volume {
    // Attaching reads as available until done (a poll "until in-use" then means attached); detaching reads as in-use.
    const moving = now < v.moveDoneMs;
    const state = now < v.readyMs ? 'creating' : (v.attachedTo !== undefined) !== moving ? 'in-use' : 'available';
    const attached = state === 'in-use' ? v.attachedTo : undefined;
    return { id: v.id, sizeGiB: v.sizeGiB, availabilityZone: v.availabilityZone, state, attachedInstanceId: attached, tags: { ...v.tags } };
  }

  describeVolumes(ids?: readonly string[]): Volume[] {
    const now = this.nowMs();
    return this.state.volumes.filter((v) => !v.deleted && (!ids || ids.includes(v.id))).map((v) => this.volumeState(v, now));
  }

  /** Snapshots made here; the generated history comes from the SnapshotStore. */
  describeSnapshots(filter: SnapshotFilter = {}): Snapshot[] {
    const now = this.nowMs();
    return this.state.snapshots
      .filter((s) => (!filter.volumeIds || filter.volumeIds.includes(s.volumeId)) && (!filter.snapshotIds || filter.snapshotIds.includes(s.id)))
      .filter((s) => Object.entries(filter.tags ?? {}).every(([k, vals]) => s.tags[k] !== undefined && vals.includes(s.tags[k])))
      .map((s) => {
        const done = now >= s.doneMs;
        const pct = done ? 100 : Math.floor(((now - s.startMs) / (s.doneMs - s.startMs)) * 100);
        return { id: s.id, volumeId: s.volumeId, startTime: new Date(s.startMs), state: done ? 'completed' : 'pending', progress: `${pct}%`, sizeGiB: s.sizeGiB, description: s.description, tags: { ...s.tags } };
      });
  }

  createSnapshot(volumeId: string, o: { description?: string; tags?: Tags } = {}): Snapshot {
    const v = this.vol(volumeId);
    const now = this.nowMs();
    const id = awsId('snap', this.seed, 'runbook-snapshot', this.state.counter++);
    this.state.snapshots.push({ id, volumeId, startMs: now, doneMs: now + snapshotMs(v.sizeGiB), sizeGiB: v.sizeGiB, description: o.description, tags: { ...o.tags } });
    this.save();
    return this.describeSnapshots({ snapshotIds: [id] })[0] as Snapshot;
  }

  createVolume(o: { availabilityZone: string; snapshotId?: string; sizeGiB?: number; tags?: Tags }, snapshotSize: (id: string) => { sizeGiB: number; completed: boolean } | undefined): Volume {
    let size = o.sizeGiB;
    if (o.snapshotId !== undefined) {
      const snap = snapshotSize(o.snapshotId) ?? this.describeSnapshots({ snapshotIds: [o.snapshotId] }).map((s) => ({ sizeGiB: s.sizeGiB ?? 1, completed: s.state === 'completed' }))[0];
      if (!snap) throw new CloudError('InvalidSnapshot.NotFound', `The snapshot '${o.snapshotId}' does not exist.`, { status: 400 });
      if (!snap.completed) throw new CloudError('IncorrectState', `Snapshot '${o.snapshotId}' is not 'completed'.`, { status: 400 });
      if (size !== undefined && size < snap.sizeGiB) throw new CloudError('InvalidParameterValue', `The size (${size}) is less than the snapshot size (${snap.sizeGiB}).`, { status: 400 });
      size ??= snap.sizeGiB;
    }
    if (size === undefined) throw new CloudError('MissingParameter', 'The request must contain the parameter size or snapshotId', { status: 400 });
    const id = awsId('vol', this.seed, 'runbook-volume', this.state.counter++);
    const now = this.nowMs();
    this.state.volumes.push({ id, availabilityZone: o.availabilityZone, sizeGiB: size, readyMs: now + CREATE_MS, attachedTo: undefined, moveDoneMs: 0, deleted: false, tags: { ...o.tags } });
    this.save();
    return this.describeVolumes([id])[0] as Volume;
  }

  attachVolume(volumeId: string, instanceId: string): void {
    const v = this.vol(volumeId);
    const now = this.nowMs();
    const st = this.volumeState(v, now);
    if (st.state !== 'available') throw new CloudError('VolumeInUse', `vol ${volumeId} is ${st.state === 'in-use' ? `already attached to ${v.attachedTo ?? 'an instance'}` : st.state}`, { status: 400 });
    const zone = this.zoneOf(instanceId);
    if (zone === undefined) throw new CloudError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`, { status: 400 });
    if (zone !== v.availabilityZone) throw new CloudError('InvalidVolume.ZoneMismatch', `The volume '${volumeId}' is not in the same availability zone as instance '${instanceId}'`, { status: 400 });
    v.attachedTo = instanceId;
    v.moveDoneMs = now + ATTACH_MS;
    this.save();
  }

  detachVolume(volumeId: string): void {
    const v = this.vol(volumeId);
    if (v.attachedTo === undefined) throw new CloudError('IncorrectState', `Volume '${volumeId}' is in the 'available' state.`, { status: 400 });
    v.attachedTo = undefined;
    v.moveDoneMs = this.nowMs() + ATTACH_MS;
    this.save();
  }

  deleteVolume(volumeId: string): void {
    const v = this.vol(volumeId);
    if (this.volumeState(v, this.nowMs()).state === 'in-use') throw new CloudError('VolumeInUse', `Volume ${volumeId} is currently attached to ${v.attachedTo ?? 'an instance'}`, { status: 400 });
    v.deleted = true;
    this.save();
  }
}
