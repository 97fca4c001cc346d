/**
 * The image table in MySQL: created when missing, one row per content hash,
 * times stored as UTC DATETIME(3) whatever the session's time zone. Every
 * statement here is idempotent (CREATE IF NOT EXISTS, reads, upserts keyed
 * by hash or period), so a caller may retry one whose link dropped midway.
 */
import { OpsError } from '../core/errors.js';
import { connectionUnusable, mysqlError, type MysqlConnection } from '../mysql/connection.js';
import type { TimeSource } from './exif.js';
import type { ImageRow, ImageTable, StoredSize, TimelapseRow } from './table.js';

/** "2026-06-15 19:00:00.000": UTC, the form DATETIME(3) takes without the session's zone in the way. */
export const sqlUtc = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
const fromSqlUtc = (v: unknown): Date => new Date(`${String(v).replace(' ', 'T')}Z`);

type Row = Record<string, unknown>;

function rowFrom(r: Row): ImageRow {
  return {
    contentHash: String(r['content_hash']),
    capturedAt: fromSqlUtc(r['captured_at']),
    capturedRaw: r['captured_raw'] == null ? undefined : String(r['captured_raw']),
    timeSource: String(r['time_source']) as TimeSource,
    sourceName: String(r['source_name']),
    width: Number(r['width']),
    height: Number(r['height']),
    bytes: Number(r['bytes']),
    sizes: JSON.parse(String(r['sizes'])) as StoredSize[],
    archivePath: String(r['archive_path']),
    ingestedAt: fromSqlUtc(r['ingested_at']),
  };
}

function timelapseFrom(r: Row): TimelapseRow {
  return {
    period: String(r['period']),
    from: fromSqlUtc(r['period_from']),
    to: fromSqlUtc(r['period_to']),
    framesHash: String(r['frames_hash']),
    frames: Number(r['frames']),
    key: String(r['object_key']),
    contentHash: String(r['content_hash']),
    width: Number(r['width']),
    height: Number(r['height']),
    bytes: Number(r['bytes']),
    fps: Number(r['fps']),
    localPath: String(r['local_path']),
    builtAt: fromSqlUtc(r['built_at']),
  };
}

/**
 * The MySQL tables; `database`, `table` and `timelapseTable` come validated
 * from the config (letters, digits, _). Connects once now (a wrong target
 * fails here); after an error that leaves the connection unusable (the link
 * dropped, the server killed it) the next statement connects again, so a
 * retried call can succeed where one connection for the whole run could not.
 */
export async function mysqlImageTable(
  connect: () => Promise<MysqlConnection>,
  database: string,
  table: string,
  timelapseTable = 'webcam_timelapses',
  timeoutMs = 30_000,
): Promise<ImageTable> {
  const t = `\`${database}\`.\`${table}\``;
  const tl = `\`${database}\`.\`${timelapseTable}\``;
  // a promise, so statements started together (the status reads three at once) share one reconnect
  let link: Promise<MysqlConnection> | undefined;
  let closed = false;
  const open = (): Promise<MysqlConnection> => {
    const p = connect().then(
      (c) => {
        // the server closed it while idle (KILL, wait_timeout, a restart): the next statement starts on a new one
        c.once('end', () => {
          if (link === p) link = undefined;
        });
        return c;
      },
      (e: unknown) => {
        if (link === p) link = undefined;
        throw e;
      },
    );
    return p;
  };
  link = open();
  await link;
  const q = async (sql: string, values: unknown[] = []): Promise<Row[] & { affectedRows?: number }> => {
    if (closed) throw new OpsError('INTERNAL', `the webcam image table was used after close (${sql.split('\n')[0]})`);
    const current = link ?? (link = open());
    const c = await current;
    try {
      const [rows] = await c.query({ sql, values, timeout: timeoutMs });
      return rows as Row[] & { affectedRows?: number };
    } catch (e) {
      if (connectionUnusable(e)) {
        if (link === current) link = undefined;
        c.destroy();
      }
      const cfg = c.config;
      throw mysqlError(e, { host: cfg.host ?? '?', port: cfg.port ?? 0, user: cfg.user ?? '?', ...(cfg.password ? { password: cfg.password } : {}) }, `${sql.split('\n')[0]} as`);
    }
  };
  return {
    async ensure() {
      await q(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
      await q(`CREATE TABLE IF NOT EXISTS ${t} (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        content_hash CHAR(64) NOT NULL,
        captured_at DATETIME(3) NOT NULL,
        captured_raw VARCHAR(64) NULL,
        time_source VARCHAR(16) NOT NULL,
        source_name VARCHAR(255) NOT NULL,
        width INT UNSIGNED NOT NULL,
        height INT UNSIGNED NOT NULL,
        bytes INT UNSIGNED NOT NULL,
        sizes TEXT NOT NULL,
        archive_path VARCHAR(1024) NOT NULL,
        ingested_at DATETIME(3) NOT NULL,
        UNIQUE KEY content_hash (content_hash),
        KEY captured_at (captured_at)
      ) DEFAULT CHARSET=utf8mb4`);
      await q(`CREATE TABLE IF NOT EXISTS ${tl} (
        period VARCHAR(32) NOT NULL PRIMARY KEY,
        period_from DATETIME(3) NOT NULL,
        period_to DATETIME(3) NOT NULL,
        frames_hash CHAR(64) NOT NULL,
        frames INT UNSIGNED NOT NULL,
        object_key VARCHAR(1024) NOT NULL,
        content_hash CHAR(64) NOT NULL,
        width INT UNSIGNED NOT NULL,
        height INT UNSIGNED NOT NULL,
        bytes BIGINT UNSIGNED NOT NULL,
        fps INT UNSIGNED NOT NULL,
        local_path VARCHAR(1024) NOT NULL,
        built_at DATETIME(3) NOT NULL
      ) DEFAULT CHARSET=utf8mb4`);
    },
    async find(hash) {
      const rows = await q(`SELECT * FROM ${t} WHERE content_hash = ?`, [hash]);
      return rows[0] ? rowFrom(rows[0]) : undefined;
    },
    async upsert(r) {
      // id = id: a re-run after a crash finds the row and changes nothing in it.
      const res = await q(
        `INSERT INTO ${t} (content_hash, captured_at, captured_raw, time_source, source_name, width, height, bytes, sizes, archive_path, ingested_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id`,
        [r.contentHash, sqlUtc(r.capturedAt), r.capturedRaw ?? null, r.timeSource, r.sourceName, r.width, r.height, r.bytes, JSON.stringify(r.sizes), r.archivePath, sqlUtc(r.ingestedAt)],
      );
      return (res as { affectedRows?: number }).affectedRows === 1 ? 'inserted' : 'existing';
    },
    async latest(limit) {
      const rows = await q(`SELECT * FROM ${t} ORDER BY captured_at DESC, id DESC LIMIT ?`, [limit]);
      return rows.map(rowFrom);
    },
    async lastIngestedAt() {
      // the newest id is the row inserted last: the primary key answers without a scan of ingested_at
      const rows = await q(`SELECT ingested_at FROM ${t} ORDER BY id DESC LIMIT 1`);
      return rows[0] ? fromSqlUtc(rows[0]['ingested_at']) : undefined;
    },
    async capturedSince(from) {
      const rows = await q(`SELECT captured_at FROM ${t} WHERE captured_at >= ? ORDER BY captured_at`, [sqlUtc(from)]);
      return rows.map((r) => fromSqlUtc(r['captured_at']));
    },
    async count() {
      const rows = await q(`SELECT COUNT(*) AS n FROM ${t}`);
      return Number(rows[0]?.['n'] ?? 0);
    },
    async between(from, to) {
      const rows = await q(`SELECT * FROM ${t} WHERE captured_at >= ? AND captured_at < ? ORDER BY captured_at, id`, [sqlUtc(from), sqlUtc(to)]);
      return rows.map(rowFrom);
    },
    async findTimelapse(period) {
      const rows = await q(`SELECT * FROM ${tl} WHERE period = ?`, [period]);
      return rows[0] ? timelapseFrom(rows[0]) : undefined;
    },
    async recordTimelapse(r) {
      const res = await q(
        `INSERT INTO ${tl} (period, period_from, period_to, frames_hash, frames, object_key, content_hash, width, height, bytes, fps, local_path, built_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE period_from = VALUES(period_from), period_to = VALUES(period_to), frames_hash = VALUES(frames_hash), frames = VALUES(frames),
           object_key = VALUES(object_key), content_hash = VALUES(content_hash), width = VALUES(width), height = VALUES(height), bytes = VALUES(bytes),
           fps = VALUES(fps), local_path = VALUES(local_path), built_at = VALUES(built_at)`,
        [r.period, sqlUtc(r.from), sqlUtc(r.to), r.framesHash, r.frames, r.key, r.contentHash, r.width, r.height, r.bytes, r.fps, r.localPath, sqlUtc(r.builtAt)],
      );
      // MySQL counts an ON DUPLICATE KEY UPDATE that changed the row as 2 affected rows
      return (res as { affectedRows?: number }).affectedRows === 1 ? 'inserted' : 'replaced';
    },
    async close() {
      closed = true;
      const current = link;
      link = undefined;
      // a reconnect that failed has nothing to end
      const c = await current?.catch(() => undefined);
      await c?.end();
    },
  };
}

