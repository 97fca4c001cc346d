/**
 * The sandbox's camera host, so the Webcam pane is alive with no hardware:
 * the capture cron of the last hours is played back (frames from the
 * synthetic camera at each daylight slot not yet captured, delivered into
 * incoming), then the real ingest runs into the sandbox object store and
 * table. A broken camera is left broken: a faulty capture state is kept, so
 * a demo of a fault stays one.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { ensureDir } from '../core/dirs.js';
import type { ProgressSink } from '../core/progress.js';
import { readCaptureState } from './capture.js';
import { applyIngest, planIngest, type IngestResult } from './ingest.js';
import { syntheticFrame } from './sandbox-camera.js';
import { captureDecision } from './schedule.js';
import type { WebcamSite } from './site.js';
import { localStamp } from './time.js';

/** The daylight capture slots (multiples of the interval) after `since`, newest `max` of the last 24 hours, oldest first. */
export function missedSlots(now: Date, since: Date | undefined, site: Pick<WebcamSite, 'config'>, max: number): Date[] {
  const step = site.config.intervalMinutes * 60_000;
  const out: Date[] = [];
  const floor = Math.max(now.getTime() - 86_400_000, since ? since.getTime() + 1 : 0);
  for (let t = Math.floor(now.getTime() / step) * step; t > floor && out.length < max; t -= step) {
    if (captureDecision(new Date(t), site.config).capture) out.push(new Date(t));
  }
  return out.reverse();
}

export async function sandboxPlayback(site: WebcamSite, clock: Clock, opts: { max?: number; onProgress?: ProgressSink } = {}): Promise<IngestResult | undefined> {
  if (!site.sandbox) return undefined;
  const state = await readCaptureState(site.paths.captureState);
  if (state && state.consecutiveFailures >= site.config.capture.faultAfter) return undefined;
  const now = clock.now();
  const slots = missedSlots(now, state?.lastSuccessAt ? new Date(state.lastSuccessAt) : undefined, site, opts.max ?? 6);
  await ensureDir(site.paths.incoming, { what: 'the sandbox webcam incoming folder' });
  for (const at of slots) {
    const file = path.join(site.paths.incoming, `${localStamp(at, site.config.timeZone)}.jpg`);
    await fsp.writeFile(file, await syntheticFrame(at, site.config));
    // delivered at its capture time: quiet long enough for ingest
    await fsp.utimes(file, at, at);
  }
  const last = slots.at(-1);
  if (last) {
    const next = { consecutiveFailures: 0, lastAttemptAt: last.toISOString(), lastSuccessAt: last.toISOString(), lastFile: `${localStamp(last, site.config.timeZone)}.jpg` };
    await fsp.writeFile(site.paths.captureState, JSON.stringify(next, null, 2) + '\n');
  }
  const plan = await planIngest(site.paths, site.config, now);
  if (plan.ready.length === 0) return undefined;
  const table = await site.openTable();
  try {
    return await applyIngest(plan, { config: site.config, paths: site.paths, objects: await site.objects(), bucket: site.bucket(), table, clock, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  } finally {
    await table.close();
  }
}
