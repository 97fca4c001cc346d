import { ensureDirSync } from '../../core/dirs.js';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Image, Snapshot, SnapshotFilter } from '../ports.js';
import { CloudError } from '../ports.js';
import { awsId, awsIdCounter, hashLabel, mix32 } from './rng.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** ~14 months of hourly history, like a long-running ec2-consistent-snapshot cron. */
export const SNAPSHOT_HISTORY_DAYS = 425;
const HISTORY_HOURS = SNAPSHOT_HISTORY_DAYS * 24;

/** Ids encode (absolute hour, volume index) as hour * MAX_VOLUMES + index: unique by construction. */
const MAX_VOLUMES = 16;
/** 1 in 250 runs missed; 1 in 2,500 hours starts an outage of 3-10 hours (the run at that hour included). */
const MISSED_BELOW = Math.floor(0.004 * 2 ** 32);
const OUTAGE_FROM = Math.floor((1 - 0.0004) * 2 ** 32);
const OUTAGE_MIN_HOURS = 3;
const OUTAGE_SPREAD = 8;
/** An outage started this many hours back can still cover the hour at hand. */
const OUTAGE_LOOKBACK = OUTAGE_MIN_HOURS + OUTAGE_SPREAD - 2;
/**
 * retain=forever and error runs recur at a fixed spacing from a per-volume phase,
 * so any history window holds 3 tagged and 1 failed per volume (one more at the
 * rare edge where the window's extra hour catches the next one).
 */
const RETAIN_EVERY_HOURS = HISTORY_HOURS / 3;
const ERROR_EVERY_HOURS = HISTORY_HOURS;
/**
 * Snapshots that slid out of the listed window still exist and can be deleted:
 * a plan reviewed by an earlier process names the oldest hours, and applying it
 * an hour later must delete them, not call them gone.
 */
const LOOKUP_SLACK_HOURS = 7 * 24;
/** Deleted snapshot ids, one JSON line each, in the world's dir. */
const DELETIONS_FILE = 'snapshots-deleted.jsonl';

export interface SandboxVolumeSpec {
  id: string;
  name: string;
  sizeGiB: number;
  availabilityZone: string;
  attachedInstanceId: string | undefined;
  /** minutes past the hour the cron fires for this volume */
  minuteOffset: number;
  /** how long a snapshot stays pending, in minutes [min, max) */
  durationMinutes: readonly [number, number];
}

export interface SandboxImageSpec {
  id: string;
  name: string;
  ageDays: number;
  /** the AMI references the snapshot of each of these volumes closest to its creation time */
  volumeIds: readonly string[];
}

const FAILED = 1;
const RETAIN = 2;
const DELETED = 4;

/**
 * One volume's hourly cron as a pure function of (seed, volume, absolute hour):
 * whether the run at hour H left a snapshot, when it started, how long it took
 * and its flags are all hashed from H, never drawn from a stream, so every
 * process (whenever it starts) sees the same snapshot under the same id.
 */
class VolumeCron {
  private readonly salt: number;
  private readonly retainPhase: number;
  private readonly errorPhase: number;

  constructor(
    readonly spec: SandboxVolumeSpec,
    readonly index: number,
    seed: number,
  ) {
    this.salt = mix32(seed ^ hashLabel(`snapshots:${spec.id}`));
    this.retainPhase = mix32(this.salt ^ 0x52455441) % RETAIN_EVERY_HOURS;
    this.errorPhase = mix32(this.salt ^ 0x4552524f) % ERROR_EVERY_HOURS;
  }

  /** The hour's root hash: its missed/outage draw; the other draws are derived from it. */
  hash(hour: number): number {
    return mix32((hour ^ this.salt) >>> 0);
  }

  /** Hours an outage starting at an hour with this hash lasts (0: none starts). */
  static outageHours(h: number): number {
    return h >= OUTAGE_FROM ? OUTAGE_MIN_HOURS + (mix32(h ^ 0x6f757461) % OUTAGE_SPREAD) : 0;
  }

  static missed(h: number): boolean {
    return h < MISSED_BELOW;
  }

  flags(hour: number): number {
    return (hour % ERROR_EVERY_HOURS === this.errorPhase ? FAILED : 0) | (hour % RETAIN_EVERY_HOURS === this.retainPhase ? RETAIN : 0);
  }

  /** When the run of this hour starts (or would have): the cron minute plus up to 40 s of jitter. */
  startMs(hour: number, h = this.hash(hour)): number {
    return hour * HOUR + this.spec.minuteOffset * 60_000 + (mix32(h ^ 0x4a495454) % 40_000);
  }

  doneMs(startMs: number, h: number): number {
    const [dMin, dMax] = this.spec.durationMinutes;
    return startMs + Math.floor((dMin + (mix32(h ^ 0x44555241) / 2 ** 32) * (dMax - dMin)) * 60_000);
  }

  /** Does hour H have a snapshot? Tagged and failed runs always happened; others skip missed and outage hours. */
  present(hour: number): boolean {
    if (this.flags(hour) !== 0) return true;
    const h = this.hash(hour);
    if (VolumeCron.missed(h)) return false;
    for (let back = 0; back <= OUTAGE_LOOKBACK; back++) {
      if (VolumeCron.outageHours(back === 0 ? h : this.hash(hour - back)) > back) return false;
    }
    return true;
  }
}

/** One volume's listed history, column-wise: ~10,000 entries are a few typed arrays, not 10,000 objects. */
interface Series {
  cron: VolumeCron;
  hour: Float64Array;
  start: Float64Array;
  done: Float64Array;
  flags: Uint8Array;
  n: number;
  /** ids are formatted only when someone looks */
  ids: (string | undefined)[];
  /** completed snapshots never change again: built once, handed out as copies */
  frozen: (Snapshot | undefined)[];
  /** the next absolute hour to decide, once its run's start time has passed */
  nextHour: number;
  /** the last hour covered by an outage seen so far (outage starts are scanned in order) */
  outageUntil: number;
}

/**
 * Hourly snapshots of a few volumes over the last SNAPSHOT_HISTORY_DAYS,
 * generated on first use and extended as the world clock moves on. What exists
 * at an absolute hour does not depend on when the process started, and with a
 * dir, deletions are kept in a file so the next process does not list them.
 */
export class SnapshotStore {
  private series: Series[] | undefined;
  private images: Image[] = [];
  /** snapshot key (hour * MAX_VOLUMES + volume index) -> AMI id */
  private readonly pins = new Map<number, string>();
  private readonly deleted = new Set<number>();
  private firstHour = 0;
  private deletionsPath: string | undefined;
  /** the file's last line was torn (a crash mid-write): start the next record on a line of its own */
  private deletionsTorn = false;
  /** measured wall time of the first full generation, in ms */
  generationMs = 0;

  constructor(
    private readonly seed: number,
    private readonly volumes: readonly SandboxVolumeSpec[],
    private readonly imageSpecs: readonly SandboxImageSpec[],
    private readonly nowMs: () => number,
    private readonly perfNow: () => number,
    private readonly dir?: string,
  ) {
    if (volumes.length > MAX_VOLUMES) throw new RangeError(`the sandbox holds at most ${MAX_VOLUMES} volumes`);
  }

  private key(s: Series, i: number): number {
    return (s.hour[i] ?? 0) * MAX_VOLUMES + s.cron.index;
  }

  private ensure(): Series[] {
    const now = this.nowMs();
    if (this.series === undefined) {
      this.loadDeletions();
      const t0 = this.perfNow();
      this.firstHour = Math.floor(now / HOUR) - HISTORY_HOURS;
      this.series = this.volumes.map((spec, vi) => {
        const cron = new VolumeCron(spec, vi, this.seed);
        // Outages that began just before the window still cover its first hours.
        let outageUntil = -1;
        for (let h = this.firstHour - OUTAGE_LOOKBACK; h < this.firstHour; h++) {
          const len = VolumeCron.outageHours(cron.hash(h));
          if (len > 0) outageUntil = Math.max(outageUntil, h + len - 1);
        }
        const cap = HISTORY_HOURS + 64;
        return {
          cron, n: 0, ids: [], frozen: [], nextHour: this.firstHour, outageUntil,
          hour: new Float64Array(cap), start: new Float64Array(cap), done: new Float64Array(cap), flags: new Uint8Array(cap),
        };
      });
      for (const s of this.series) this.extend(s, now);
      this.attachImages(this.series, now);
      this.generationMs = this.perfNow() - t0;
    } else {
      for (const s of this.series) this.extend(s, now);
    }
    return this.series;
  }

  /** Decides every hour whose run has started by `now`, in order; the same hours always decide the same way. */
  private extend(s: Series, now: number): void {
    const cron = s.cron;
    const checkDeleted = this.deleted.size > 0;
    for (;;) {
      const hour = s.nextHour;
      const h = cron.hash(hour);
      const startMs = cron.startMs(hour, h);
      if (startMs > now) return;
      s.nextHour++;
      const outage = VolumeCron.outageHours(h);
      if (outage > 0) s.outageUntil = Math.max(s.outageUntil, hour + outage - 1);
      const flags = cron.flags(hour);
      // Gaps as real crons have them (tagged and failed runs did happen: see VolumeCron.present).
      if (flags === 0 && (VolumeCron.missed(h) || hour <= s.outageUntil)) continue;
      if (s.n === s.start.length) grow(s);
      const i = s.n++;
      s.hour[i] = hour;
      s.start[i] = startMs;
      s.done[i] = cron.doneMs(startMs, h);
      s.flags[i] = flags | (checkDeleted && this.deleted.has(hour * MAX_VOLUMES + cron.index) ? DELETED : 0);
    }
  }

  /**
   * Each AMI was made on a day fixed by its age (at a time of day fixed by the
   * seed), from the untagged snapshot of each volume closest to that instant:
   * every process started on the same day pins the same snapshots.
   */
  private attachImages(series: Series[], now: number): void {
    this.images = this.imageSpecs.map((spec) => {
      const created = (Math.floor(now / DAY) - spec.ageDays) * DAY + (mix32(this.seed ^ hashLabel(`image:${spec.id}`)) % DAY);
      const snapshotIds: string[] = [];
      for (const vid of spec.volumeIds) {
        const s = series.find((x) => x.cron.spec.id === vid);
        if (!s) continue;
        const pinned = this.closestPlain(s, created, now);
        if (pinned === undefined) continue;
        this.pins.set(pinned * MAX_VOLUMES + s.cron.index, spec.id);
        snapshotIds.push(this.idAt(s.cron.index, pinned));
      }
      return { id: spec.id, name: spec.name, state: 'available', creationDate: new Date(created), snapshotIds };
    });
  }

  private closestPlain(s: Series, at: number, now: number): number | undefined {
    const cron = s.cron;
    const around = Math.floor(at / HOUR);
    let best: number | undefined;
    let bestDist = Infinity;
    for (let hour = around - 48; hour <= around + 48; hour++) {
      if (hour < this.firstHour || cron.flags(hour) !== 0 || !cron.present(hour)) continue;
      if (this.deleted.has(hour * MAX_VOLUMES + cron.index)) continue;
      const start = cron.startMs(hour);
      if (start > now) continue;
      const dist = Math.abs(start - at);
      if (dist < bestDist) {
        best = hour;
        bestDist = dist;
      }
    }
    return best;
  }

  private idAt(volumeIndex: number, hour: number): string {
    return awsId('snap', this.seed, 'snapshot', hour * MAX_VOLUMES + volumeIndex);
  }

  private idOf(s: Series, i: number): string {
    let id = s.ids[i];
    if (id === undefined) id = s.ids[i] = this.idAt(s.cron.index, s.hour[i] ?? 0);
    return id;
  }

  describeImages(): Image[] {
    this.ensure();
    return this.images.map((i) => ({ ...i, snapshotIds: [...i.snapshotIds] }));
  }

  describe(filter: SnapshotFilter = {}): Snapshot[] {
    const series = this.ensure();
    const now = this.nowMs();
    if (filter.snapshotIds) {
      // By id: look each up instead of materializing a year of history to filter it.
      return filter.snapshotIds.flatMap((id) => {
        const hit = this.lookup(id);
        if (!hit || (filter.volumeIds && !filter.volumeIds.includes(hit.s.cron.spec.id))) return [];
        const i = indexOfHour(hit.s, hit.hour);
        return i >= 0 && !((hit.s.flags[i] ?? 0) & DELETED) ? [this.materialize(hit.s, i, now)] : [];
      });
    }
    const tagRules = Object.entries(filter.tags ?? {});
    const out: Snapshot[] = [];
    for (const s of series) {
      if (filter.volumeIds && !filter.volumeIds.includes(s.cron.spec.id)) continue;
      for (let i = 0; i < s.n; i++) {
        const f = s.flags[i] ?? 0;
        if (f & DELETED) continue;
        // The only tag the sandbox sets is retain=forever.
        if (tagRules.length > 0 && !(f & RETAIN && tagRules.every(([k, vals]) => k === 'retain' && vals.includes('forever')))) continue;
        out.push(this.materialize(s, i, now));
      }
    }
    return out;
  }

  private materialize(s: Series, i: number, now: number): Snapshot {
    const cached = s.frozen[i];
    if (cached) return { ...cached, tags: { ...cached.tags } };
    const snap = this.build(s, i, now);
    if (snap.state !== 'pending') s.frozen[i] = snap;
    return { ...snap, tags: { ...snap.tags } };
  }

  private build(s: Series, i: number, now: number): Snapshot {
    const f = s.flags[i] ?? 0;
    const startMs = s.start[i] ?? 0;
    const doneMs = s.done[i] ?? 0;
    const failed = (f & FAILED) !== 0;
    const pending = !failed && now < doneMs;
    const pct = failed ? 0 : pending ? Math.min(99, Math.floor(((now - startMs) / (doneMs - startMs)) * 100)) : 100;
    const image = this.pins.get(this.key(s, i));
    const startTime = new Date(startMs);
    const spec = s.cron.spec;
    const description = image
      ? `Created by CreateImage for ${image} from ${spec.id}`
      : `ec2-consistent-snapshot ${spec.name} ${startTime.toISOString().slice(0, 16).replace('T', ' ')}`;
    return {
      id: this.idOf(s, i),
      volumeId: spec.id,
      startTime,
      state: failed ? 'error' : pending ? 'pending' : 'completed',
      progress: `${pct}%`,
      sizeGiB: spec.sizeGiB,
      description,
      tags: f & RETAIN ? { retain: 'forever' } : {},
    };
  }

  /** The id's (series, hour) if that snapshot exists now: decoded from the id, so no index of 30,000 ids. */
  private lookup(snapshotId: string): { s: Series; hour: number; key: number } | undefined {
    const series = this.ensure();
    const key = awsIdCounter('snap', this.seed, 'snapshot', snapshotId);
    if (key === undefined) return undefined;
    const s = series[key % MAX_VOLUMES];
    const hour = Math.floor(key / MAX_VOLUMES);
    if (!s || this.deleted.has(key) || hour < this.firstHour - LOOKUP_SLACK_HOURS || hour >= s.nextHour) return undefined;
    return s.cron.present(hour) ? { s, hour, key } : undefined;
  }

  /** Real removal: a re-plan sees it gone, in this process and (with a dir) the next. Throttling is the caller's job (it is per account). */
  delete(snapshotId: string): void {
    const hit = this.lookup(snapshotId);
    if (!hit) throw new CloudError('InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`, { status: 400 });
    const image = this.pins.get(hit.key);
    if (image !== undefined) {
      throw new CloudError('InvalidSnapshot.InUse', `The snapshot ${snapshotId} is currently in use by ${image}`, { status: 400 });
    }
    this.recordDeletion(snapshotId);
    this.deleted.add(hit.key);
    const i = indexOfHour(hit.s, hit.hour);
    if (i >= 0) hit.s.flags[i] = (hit.s.flags[i] ?? 0) | DELETED;
  }

  private loadDeletions(): void {
    if (this.dir === undefined) return;
    this.deletionsPath = join(this.dir, DELETIONS_FILE);
    let text: string;
    try {
      text = readFileSync(this.deletionsPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    this.deletionsTorn = text.length > 0 && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let id: unknown;
      try {
        id = (JSON.parse(line) as { id?: unknown }).id;
      } catch {
        continue; // a torn last line: that deletion's call never returned either
      }
      // Another seed's ids (a dir reused with --sandbox-seed) do not decode: they are not this world's.
      const key = typeof id === 'string' ? awsIdCounter('snap', this.seed, 'snapshot', id) : undefined;
      if (key !== undefined) this.deleted.add(key);
    }
  }

  /** One appended line per deletion, written before the deletion counts: a crash never forgets one that succeeded. */
  private recordDeletion(snapshotId: string): void {
    if (this.deletionsPath === undefined) return;
    const line = `${JSON.stringify({ id: snapshotId, at: new Date(this.nowMs()).toISOString() })}\n`;
    if (this.deletionsTorn) {
      appendFileSync(this.deletionsPath, `\n${line}`);
      this.deletionsTorn = false;
      return;
    }
    try {
      appendFileSync(this.deletionsPath, line);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      ensureDirSync(this.dir ?? '.', { what: 'the sandbox directory' });
      appendFileSync(this.deletionsPath, line);
    }
  }
}

/** Position of an hour in a series (hours are stored ascending), or -1. */
function indexOfHour(s: Series, hour: number): number {
  let lo = 0;
  let hi = s.n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const h = s.hour[mid] ?? 0;
    if (h === hour) return mid;
    if (h < hour) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function grow(s: Series): void {
  const cap = s.start.length * 2;
  const hour = new Float64Array(cap);
  const start = new Float64Array(cap);
  const done = new Float64Array(cap);
  const flags = new Uint8Array(cap);
  hour.set(s.hour);
  start.set(s.start);
  done.set(s.done);
  flags.set(s.flags);
  s.hour = hour;
  s.start = start;
  s.done = done;
  s.flags = flags;
}
