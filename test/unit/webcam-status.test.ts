/**
 * What `webcam status` and the pane call stale. Ingest is judged by when rows
 * were added: a backlog of frames captured hours ago and ingested a minute
 * ago is an ingest that works (the camera side has its own check).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/defaults.js';
import { webcamPaths, type WebcamPaths } from '../../src/webcam/paths.js';
import { webcamStatus } from '../../src/webcam/status.js';
import { fileImageTable, type ImageRow, type ImageTable } from '../../src/webcam/table.js';

const config = defaultConfig().webcam; // Nelson, BC; every 5 min, stale after 3 intervals
const NOON = new Date('2026-06-15T19:00:00Z'); // 12:00 PDT, the sun well up
const MIN = 60_000;
let dir: string;
let paths: WebcamPaths;
let table: ImageTable;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-webcam-status-'));
  paths = webcamPaths({}, dir);
  table = fileImageTable(path.join(dir, 'images.jsonl'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const row = (n: number, capturedAt: Date, ingestedAt: Date): ImageRow => ({
  contentHash: n.toString(16).padStart(64, '0'),
  capturedAt,
  capturedRaw: undefined,
  timeSource: 'exif',
  sourceName: `IMG_${n}.JPG`,
  width: 800,
  height: 600,
  bytes: 1000,
  sizes: [{ label: 'full', key: `webcam/${n}.jpg`, width: 800, height: 600, bytes: 1000 }],
  archivePath: `/archive/${n}.jpg`,
  ingestedAt,
});

describe('ingest staleness', () => {
  it('a backlog of frames captured two hours ago, ingested a minute ago, is not stale', async () => {
    for (let i = 0; i < 3; i++) await table.upsert(row(i, new Date(NOON.getTime() - 120 * MIN + i * 5 * MIN), new Date(NOON.getTime() - MIN)));
    const s = await webcamStatus(config, paths, table, NOON);
    expect(s.stale.ingest).toBe(false);
    expect(s.stale.reasons.join('\n')).not.toContain('no image ingested');
    expect(s.lastIngestedAt).toBe(new Date(NOON.getTime() - MIN).toISOString());
    // the newest capture is still the one shown with the preview
    expect(s.latest?.capturedAt.toISOString()).toBe(new Date(NOON.getTime() - 110 * MIN).toISOString());
  });

  it('nothing added for an hour at noon is stale, even when the newest frame was captured a minute ago', async () => {
    // a clock-skewed camera: its frames say just now, but none has arrived for an hour
    await table.upsert(row(1, new Date(NOON.getTime() - MIN), new Date(NOON.getTime() - 60 * MIN)));
    const s = await webcamStatus(config, paths, table, NOON);
    expect(s.stale.ingest).toBe(true);
    expect(s.stale.reasons).toContain('no image ingested for more than 3 intervals (15 min) in daylight');
  });

  it('the last ingest is the row added last, not the newest capture', async () => {
    await table.upsert(row(1, new Date(NOON.getTime() - 5 * MIN), new Date(NOON.getTime() - 50 * MIN)));
    await table.upsert(row(2, new Date(NOON.getTime() - 300 * MIN), new Date(NOON.getTime() - 2 * MIN)));
    const s = await webcamStatus(config, paths, table, NOON);
    expect(s.lastIngestedAt).toBe(new Date(NOON.getTime() - 2 * MIN).toISOString());
    expect(s.latest?.sourceName).toBe('IMG_1.JPG');
    expect(s.stale.ingest).toBe(false);
  });

  it('at night nothing is stale, however old', async () => {
    await table.upsert(row(1, new Date(NOON.getTime() - 600 * MIN), new Date(NOON.getTime() - 600 * MIN)));
    const s = await webcamStatus(config, paths, table, new Date('2026-06-16T08:00:00Z')); // 01:00 PDT
    expect(s.stale).toEqual({ capture: false, ingest: false, reasons: [] });
  });
});
