import path from 'node:path';
import type { WebcamConfig } from './config.js';

/**
 * Where the webcam's files live. Capture and ingest meet at `incoming`;
 * `queue` holds captures not yet delivered, `rejected` what ingest refused
 * (each with a .reason.txt), `archive` the originals in YYYY/MM/DD/.
 */
export interface WebcamPaths {
  spool: string;
  incoming: string;
  rejected: string;
  archive: string;
  queue: string;
  /** the capture side's record of its last attempts (camera fault) */
  captureState: string;
}

export function webcamPaths(config: Pick<WebcamConfig, 'spoolDir' | 'incomingDir' | 'archiveDir'>, defaultSpool: string): WebcamPaths {
  const spool = config.spoolDir ?? defaultSpool;
  return {
    spool,
    incoming: config.incomingDir ?? path.join(spool, 'incoming'),
    rejected: path.join(spool, 'rejected'),
    archive: config.archiveDir ?? path.join(spool, 'archive'),
    queue: path.join(spool, 'queue'),
    captureState: path.join(spool, 'capture-state.json'),
  };
}

/** A file being written (by us or an uploader) rather than a delivered frame. */
export const isPartial = (name: string): boolean => name.startsWith('.') || /\.(part|tmp|filepart)$/i.test(name);
export const isJpegName = (name: string): boolean => /\.jpe?g$/i.test(name);
