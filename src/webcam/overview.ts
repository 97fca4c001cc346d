/**
 * What the Webcam pane shows, loaded in one call: the status, the latest
 * image as half-block cells, and why a part is missing when it is. On the
 * sandbox the camera host's cron is played back first, so there is
 * something to show. Only that playback writes, so only it takes the ingest
 * lock: the status itself is read-only, and reading it must neither wait for
 * nor refuse a cron ingest.
 */
import type { Clock } from '../core/clock.js';
import { isOpsError } from '../core/errors.js';
import { withLock } from '../core/lock.js';
import { previewPng, type PreviewMode } from './graphics.js';
import { INGEST_LOCK } from './ingest.js';
import { halfBlockCells, type Cell } from './preview.js';
import { sandboxPlayback } from './sandbox.js';
import type { WebcamSite } from './site.js';
import { webcamStatus, type WebcamStatus } from './status.js';
import type { ImageTable } from './table.js';

export interface WebcamOverview {
  status: WebcamStatus;
  /** half-block cells (preview mode halfblock) */
  preview: Cell[][] | undefined;
  /** the PNG thumbnail of the same box (kitty, iterm2) */
  previewPng?: Buffer | undefined;
  /** the key the preview was made from */
  previewKey: string | undefined;
  /** a part that could not be read, in words (the rest is still shown) */
  notes: string[];
}

export async function loadOverview(
  site: WebcamSite,
  clock: Clock,
  preview: { cols: number; rows: number; mode?: PreviewMode },
  opts: { lockDir?: string } = {},
): Promise<WebcamOverview> {
  const notes: string[] = [];
  if (site.sandbox) {
    const warn = (m: string): void => void notes.push(m);
    await withLock(INGEST_LOCK, () => sandboxPlayback(site, clock), { onWarning: warn, ...(opts.lockDir ? { dir: opts.lockDir } : {}) }).catch((e: unknown) => {
      // an ingest is running: it takes the frames; the status shows what is there now
      if (isOpsError(e) && e.code === 'LOCK_HELD') notes.push('sandbox camera not played back: an ingest holds the lock');
      else throw e;
    });
  }
  let table: ImageTable | undefined;
  if (site.sandbox || site.config.database.target) {
    table = await site.openTable().catch((e: unknown) => {
      notes.push(`image table: ${(e as Error).message}`);
      return undefined;
    });
  } else notes.push('image table: webcam.database.target is not set (a camera host needs none)');
  const source = await site.source().catch((e: unknown) => {
    notes.push(`incoming: ${(e as Error).message}`);
    return undefined;
  });
  try {
    const status = await webcamStatus(site.config, site.paths, table, clock.now(), { cameraHost: site.cameraHost, source });
    // the smallest stored size is plenty for a terminal preview
    const key = status.latest?.sizes.reduce((a, b) => (b.width < a.width ? b : a)).key;
    const mode = preview.mode ?? 'halfblock';
    let cells: Cell[][] | undefined;
    let png: Buffer | undefined;
    // off: not even fetched
    if (key && mode !== 'off') {
      try {
        const jpeg = await (await site.objects()).getObject(site.bucket(), key);
        if (mode === 'halfblock') cells = await halfBlockCells(jpeg, preview.cols, preview.rows);
        else png = await previewPng(jpeg, preview.cols, preview.rows);
      } catch (e) {
        notes.push(`preview: ${(e as Error).message}`);
      }
    }
    return { status, preview: cells, previewPng: png, previewKey: key, notes };
  } finally {
    await table?.close();
  }
}
