/**
 * The Webcam tab's mark without the pane: no capture or no ingest for longer
 * than the stale span in daylight, or a camera fault (webcamStatus judges
 * both). Not on the sandbox: its camera captures only when the pane plays
 * its cron back, so before that every look would say stale.
 */
import type { Attention } from '../core/attention.js';
import type { CommandContext } from '../core/context.js';
import type { ImageTable } from './table.js';
import { webcamSite } from './site.js';
import { webcamStatus, type WebcamStatus } from './status.js';

export function webcamAttentionOf(s: Pick<WebcamStatus, 'capture' | 'stale'>): Attention | undefined {
  if (s.capture?.fault) return { level: 'bad', text: 'camera fault' };
  if (s.stale.capture || s.stale.ingest) return { level: 'bad', text: 'stale' };
  return undefined;
}

export async function webcamAttention(ctx: CommandContext): Promise<Attention | undefined> {
  if (ctx.options.sandbox) return undefined;
  const site = webcamSite(ctx);
  // no table configured (a camera host): the capture side alone is judged, as the pane does
  const table: ImageTable | undefined = site.config.database.target ? await site.openTable() : undefined;
  try {
    const source = await site.source().catch(() => undefined);
    return webcamAttentionOf(await webcamStatus(site.config, site.paths, table, ctx.clock.now(), { cameraHost: site.cameraHost, source }));
  } finally {
    await table?.close();
  }
}
