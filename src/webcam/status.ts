/**
 * Is the webcam alive? Both halves in one report: the capture side's record
 * (last capture, camera fault), the folders between them, and what the table
 * says was ingested, with staleness judged only while the sun is up (a
 * camera that is quiet at night is doing its job).
 */
import { promises as fsp } from 'node:fs';
import type { WebcamConfig } from './config.js';
import type { CameraHostQueue, CameraHostReader, CameraHostRecord } from './camera-host.js';
import { readCaptureState, type CaptureState } from './capture.js';
import type { FrameSource } from './incoming.js';
import { isPartial, type WebcamPaths } from './paths.js';
import { captureDecision, daySchedule, type CaptureDecision, type DaySchedule } from './schedule.js';
import type { ImageRow, ImageTable } from './table.js';
import { addDays, localDate, localMidnight } from './time.js';

export const STATUS_DAYS = 14;

export interface WebcamStatus {
  now: string;
  timeZone: string;
  today: DaySchedule;
  decision: CaptureDecision;
  /** undefined when there is no record to go by: this host never captured, or the camera host has none or cannot be read */
  capture: (CaptureState & { fault: boolean }) | undefined;
  /** where `capture` came from with webcam.cameraHost (the camera host's record, or why there is none); null: this host's own record */
  captureFrom: CaptureFrom | null;
  folders: { queue: number; incoming: number; rejected: number };
  /** the camera host's queue read over SFTP (webcam.cameraHost); null when none is configured */
  cameraHost: CameraHostQueue | null;
  /** the newest capture in the table */
  latest: ImageRow | undefined;
  /** when the last row was added (ISO), whatever its capture time: what ingest staleness is judged by */
  lastIngestedAt: string | undefined;
  total: number;
  /** oldest day first, STATUS_DAYS of them ending today */
  perDay: { date: string; count: number }[];
  stale: { capture: boolean; ingest: boolean; reasons: string[] };
}

async function countFiles(dir: string, keep: (name: string) => boolean = () => true): Promise<number> {
  try {
    return (await fsp.readdir(dir)).filter((n) => !isPartial(n) && keep(n)).length;
  } catch {
    return 0;
  }
}

const MINUTE = 60_000;

/** The camera host's record without the record itself (that is `capture`). */
export type CaptureFrom = Exclude<CameraHostRecord, { state: 'ok' }> | { state: 'ok'; where: string };

function whereFrom(r: CameraHostRecord): CaptureFrom {
  return r.state === 'ok' ? { state: 'ok', where: r.where } : r;
}

export async function webcamStatus(
  config: WebcamConfig,
  paths: WebcamPaths,
  table: ImageTable | undefined,
  now: Date,
  opts: { cameraHost?: CameraHostReader | undefined; source?: FrameSource | undefined } = {},
): Promise<WebcamStatus> {
  // started first: the network read (bounded by its own deadline) overlaps the local reads
  const remote = opts.cameraHost ? opts.cameraHost(now) : Promise.resolve(null);
  const tz = config.timeZone;
  const day = localDate(now, tz);
  const staleMs = config.staleAfterIntervals * config.intervalMinutes * MINUTE;
  const decision = captureDecision(now, config);
  // With a camera host the capture side is its record, read in the same session as its queue: one on this server would be someone else's.
  const read = await remote;
  const state = read ? (read.capture.state === 'ok' ? read.capture.record : undefined) : await readCaptureState(paths.captureState);
  const capture = state && { ...state, fault: state.consecutiveFailures >= config.capture.faultAfter };
  // an S3 incoming prefix counts its objects; a listing that fails is a problem in the report, not the end of it
  let sourceError: string | undefined;
  const fromSource = opts.source?.counts
    ? await opts.source.counts().catch((e: unknown) => {
        sourceError = `cannot list ${opts.source?.where}: ${(e as Error).message}`;
        return undefined;
      })
    : undefined;
  const folders = {
    queue: await countFiles(paths.queue),
    incoming: fromSource?.incoming ?? (await countFiles(paths.incoming)),
    rejected: fromSource?.rejected ?? (await countFiles(paths.rejected, (n) => !n.endsWith('.reason.txt'))),
  };
  const from = localMidnight(addDays(day, -(STATUS_DAYS - 1)), tz);
  const [latest, times, total, lastIngested] = table
    ? await Promise.all([table.latest(1), table.capturedSince(from), table.count(), table.lastIngestedAt()])
    : [[], [], 0, undefined];
  const counts = new Map<string, number>();
  for (const t of times) counts.set(localDate(t, tz), (counts.get(localDate(t, tz)) ?? 0) + 1);
  const perDay: WebcamStatus['perDay'] = [];
  for (let i = STATUS_DAYS - 1; i >= 0; i--) {
    const d = addDays(day, -i);
    perDay.push({ date: d, count: counts.get(d) ?? 0 });
  }

  // Stale only when the sun has been up for the whole stale span: just after dawn nothing is late yet.
  const expectFrames = decision.capture && captureDecision(new Date(now.getTime() - staleMs), config).capture;
  const reasons: string[] = [];
  const tooOld = (iso: string | Date | undefined): boolean => iso === undefined || now.getTime() - new Date(iso).getTime() > staleMs;
  const staleCapture = expectFrames && capture !== undefined && tooOld(capture.lastSuccessAt);
  const latestRow = latest[0];
  // by when rows were added: a backlog of old frames ingested just now is an ingest that works
  const staleIngest = expectFrames && table !== undefined && tooOld(lastIngested);
  const span = `${config.staleAfterIntervals} intervals (${config.staleAfterIntervals * config.intervalMinutes} min)`;
  if (staleCapture) reasons.push(`no capture for more than ${span} in daylight`);
  if (staleIngest) reasons.push(`no image ingested for more than ${span} in daylight`);
  if (sourceError) reasons.push(sourceError);
  if (capture?.fault) reasons.push(`camera fault: ${capture.consecutiveFailures} failed captures in a row (${capture.lastError ?? 'no message'})`);
  return {
    now: now.toISOString(),
    timeZone: tz,
    today: daySchedule(day, config),
    decision,
    capture,
    captureFrom: read ? whereFrom(read.capture) : null,
    folders,
    cameraHost: read?.queue ?? null,
    latest: latestRow,
    lastIngestedAt: lastIngested?.toISOString(),
    total,
    perDay,
    stale: { capture: staleCapture, ingest: staleIngest, reasons },
  };
}

/** Why there is no capture record to go by, in the few words the pane and the text status share. */
export function noCaptureRecord(from: CaptureFrom | null): string {
  if (!from) return 'no capture record here';
  if (from.state === 'unreachable') return 'unknown (camera host unreachable)';
  if (from.state === 'unreadable') return `capture record unreadable: ${from.message}`;
  return 'no capture record on the camera host';
}
