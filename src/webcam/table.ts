/**
 * One row per image: every size's object key, dimensions, capture time and
 * the content hash that makes a re-run find the row instead of adding one.
 * Two stores: MySQL (production, tests on the rig's MariaDB) and a JSON-lines
 * file (the sandbox, where every batch run is its own process).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { ensureDir } from '../core/dirs.js';
import type { TimeSource } from './exif.js';

export interface StoredSize {
  label: string;
  key: string;
  width: number;
  height: number;
  bytes: number;
}

export interface ImageRow {
  contentHash: string;
  capturedAt: Date;
  /** EXIF strings as written, when there were any */
  capturedRaw: string | undefined;
  timeSource: TimeSource;
  sourceName: string;
  width: number;
  height: number;
  bytes: number;
  sizes: StoredSize[];
  archivePath: string;
  ingestedAt: Date;
}

/** One built timelapse: the period it covers, the frames it was made of, where it is. */
export interface TimelapseRow {
  /** "day:2026-06-15", "week:2026-W24", "month:2026-06": one row per period, the latest build */
  period: string;
  from: Date;
  to: Date;
  /** sha256 over the frames' content hashes in order, and the encoding settings: same value, same video */
  framesHash: string;
  frames: number;
  key: string;
  contentHash: string;
  width: number;
  height: number;
  bytes: number;
  fps: number;
  localPath: string;
  builtAt: Date;
}

export interface ImageTable {
  /** Creates what is missing (database, table); safe to call on every run. */
  ensure(): Promise<void>;
  find(contentHash: string): Promise<ImageRow | undefined>;
  /** Inserts, or leaves the existing row of the same hash alone. */
  upsert(row: ImageRow): Promise<'inserted' | 'existing'>;
  /** Newest capture first. */
  latest(limit: number): Promise<ImageRow[]>;
  /** When the last row was added: a backlog of old captures ingested now is a live ingest, whatever their capture times. */
  lastIngestedAt(): Promise<Date | undefined>;
  /** Capture times since `from`, for per-day counts in the camera's zone. */
  capturedSince(from: Date): Promise<Date[]>;
  count(): Promise<number>;
  /** Every image captured in [from, to), in capture order. */
  between(from: Date, to: Date): Promise<ImageRow[]>;
  findTimelapse(period: string): Promise<TimelapseRow | undefined>;
  /** Inserts the period's row or replaces an earlier build of it. */
  recordTimelapse(row: TimelapseRow): Promise<'inserted' | 'replaced'>;
  close(): Promise<void>;
}

/**
 * The sandbox's table: one JSON line per row, appended with O_APPEND. A line
 * cut short by a crash is skipped on read; its image is still in incoming
 * (the file goes only after the row), so the next run appends it whole.
 */
export function fileImageTable(file: string, timelapseFile = path.join(path.dirname(file), 'timelapses.jsonl')): ImageTable {
  let rows: Map<string, ImageRow> | undefined;
  const load = async (): Promise<Map<string, ImageRow>> => {
    if (rows) return rows;
    const m = new Map<string, ImageRow>();
    const text = await fsp.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw e;
    });
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as ImageRow & { capturedAt: string; ingestedAt: string };
        if (!m.has(r.contentHash)) m.set(r.contentHash, { ...r, capturedAt: new Date(r.capturedAt), ingestedAt: new Date(r.ingestedAt) });
      } catch {
        /* a torn last line */
      }
    }
    rows = m;
    return m;
  };
  const sorted = async (): Promise<ImageRow[]> =>
    [...(await load()).values()].sort((a, b) => b.capturedAt.getTime() - a.capturedAt.getTime());
  return {
    async ensure() {
      await ensureDir(path.dirname(file), { what: 'the sandbox webcam table' });
    },
    async find(hash) {
      return (await load()).get(hash);
    },
    async upsert(r) {
      const m = await load();
      if (m.has(r.contentHash)) return 'existing';
      await fsp.appendFile(file, `\n${JSON.stringify(r)}\n`);
      m.set(r.contentHash, r);
      return 'inserted';
    },
    latest: async (limit) => (await sorted()).slice(0, limit),
    async lastIngestedAt() {
      let last: Date | undefined;
      for (const r of (await load()).values()) if (!last || r.ingestedAt > last) last = r.ingestedAt;
      return last;
    },
    capturedSince: async (from) => (await sorted()).filter((r) => r.capturedAt >= from).map((r) => r.capturedAt).reverse(),
    count: async () => (await load()).size,
    between: async (from, to) => (await sorted()).filter((r) => r.capturedAt >= from && r.capturedAt < to).reverse(),
    findTimelapse: async (period) => (await loadTimelapses(timelapseFile)).get(period),
    async recordTimelapse(r) {
      const had = (await loadTimelapses(timelapseFile)).has(r.period);
      await ensureDir(path.dirname(timelapseFile), { what: 'the sandbox webcam table' });
      await fsp.appendFile(timelapseFile, `\n${JSON.stringify(r)}\n`);
      return had ? 'replaced' : 'inserted';
    },
    close: async () => {},
  };
}

/** The latest line of each period wins: a rebuild appends, never rewrites. */
async function loadTimelapses(file: string): Promise<Map<string, TimelapseRow>> {
  const m = new Map<string, TimelapseRow>();
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as TimelapseRow & { from: string; to: string; builtAt: string };
      m.set(r.period, { ...r, from: new Date(r.from), to: new Date(r.to), builtAt: new Date(r.builtAt) });
    } catch {
      /* a torn last line */
    }
  }
  return m;
}
