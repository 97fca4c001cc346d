import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { loadDeadlineMs, lockDirOf } from '../../src/core/context.js';
import { formatAge } from '../../src/core/format.js';
import { withLock } from '../../src/core/lock.js';
import { latestLoader } from '../../src/store/latest.js';
import { mutationKey, refuseIfReadOnly, type KeyBinding } from '../../src/store/session.js';
import { describeCameraQueue } from '../../src/webcam/camera-host.js';
import { publicReadWarning } from '../../src/webcam/config.js';
import { choosePreview, type PreviewChoice } from '../../src/webcam/graphics.js';
import { applyIngest, describeIngest, INGEST_LOCK, planIngest, type IngestPlan } from '../../src/webcam/ingest.js';
import type { FrameSource } from '../../src/webcam/incoming.js';
import { loadOverview, type WebcamOverview } from '../../src/webcam/overview.js';
import { webcamSite } from '../../src/webcam/site.js';
import { noCaptureRecord } from '../../src/webcam/status.js';
import { periodOf } from '../../src/webcam/period.js';
import { localDate, localTime } from '../../src/webcam/time.js';
import { applyTimelapse, planTimelapse, TIMELAPSE_LOCK } from '../../src/webcam/timelapse.js';
import { daylightBar, sparkBars, type BarKind } from '../../src/webcam/view.js';
import { ErrorPanel, describeError } from '../components/ErrorPanel.js';
import { TerminalImage } from '../components/TerminalImage.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { refreshIntervalMs } from '../../src/store/refresh.js';
import { useAutoRefresh, usePaneKeys, useProgress } from '../hooks.js';
import type { LegendEntry, PaneDefinition, PaneProps } from './types.js';
import { webcamAttention } from '../../src/webcam/attention.js';

/**
 * Webcam: today's daylight with now marked, both halves of the pipeline
 * (last capture, last ingest, the folders between them, a camera fault),
 * frames per day for two weeks, and the latest image drawn in half-block
 * cells. `i` ingests what is waiting, `t` builds the timelapse of the
 * latest frame's day, each
 * after a confirmation, with progress.
 */

type Load = { status: 'loading' | 'ok' | 'error'; data: WebcamOverview | undefined; error?: unknown };

/** Fixed preview box: the frame keeps its size whatever the image. */
export const PREVIEW = { cols: 32, rows: 8 };
const BAR_CHAR: Record<BarKind, string> = { dark: '░', low: '▒', day: '█' };
/** The status lines' colours: the lines and the `?` legend read this one table. */
const STATUS = {
  stale: { color: 'red', mark: 'stale', meaning: 'last capture / last ingest older than webcam.staleAfterIntervals intervals in daylight (webcam status exits 1), with the reason in red below; camera FAULT: that many failed captures in a row' },
  attention: { color: 'yellow', mark: 'rejected', meaning: 'files in rejected/ (not whole JPEGs, each with its reason), or the camera host unreachable (its reason below)' },
  queued: { color: 'cyan', mark: 'queued', meaning: 'frames waiting in the camera host\'s queue; the 14-day bars, tallest = the busiest day' },
  ok: { color: 'green', mark: 'ok', meaning: 'camera ok: the last capture worked, by this host\'s capture record or, with webcam.cameraHost, the camera host\'s (dim "no capture record": nothing known)' },
} as const;

const BAR_COLOUR: Record<BarKind, string> = { dark: 'blue', low: 'yellow', day: 'cyan' };

function Bar({ kinds, now }: { kinds: BarKind[]; now: number }): React.ReactElement {
  // runs of one kind in one Text each: a 70-cell bar is a handful of nodes, not 70
  const runs: { kind: BarKind; text: string; now: boolean }[] = [];
  kinds.forEach((k, i) => {
    const isNow = i === now;
    const last = runs.at(-1);
    if (last && last.kind === k && !last.now && !isNow) last.text += BAR_CHAR[k];
    else runs.push({ kind: k, text: isNow ? '┃' : BAR_CHAR[k], now: isNow });
  });
  return (
    <Text wrap="truncate">
      {runs.map((r, i) => (
        <Text key={i} color={r.now ? 'white' : BAR_COLOUR[r.kind]} bold={r.now}>
          {r.text}
        </Text>
      ))}
    </Text>
  );
}

function Overview({ data, width, height, choice }: { data: WebcamOverview; width: number; height: number; choice: PreviewChoice }): React.ReactElement {
  const s = data.status;
  const now = Date.parse(s.now);
  const tz = s.timeZone;
  const barWidth = Math.max(10, Math.min(72, width - 2));
  const bar = daylightBar(s.today, new Date(now), barWidth);
  const age = (iso: string | Date | undefined): string => (iso === undefined ? 'never' : `${formatAge(now - new Date(iso).getTime())} ago`);
  const w = s.today.windows;
  const span = w.length ? `${localTime(w[0]!.start, tz)}–${localTime(w.at(-1)!.end, tz)}` : 'no daylight today';
  const fault = s.capture?.fault;
  // the lines above the preview: title, bar, ages, queues, 14 days, then the warnings of the moment
  const above = 5 + s.stale.reasons.length + (s.cameraHost?.state === 'unreachable' ? 1 : 0) + data.notes.length;
  const showPreview = height - above >= PREVIEW.rows && width >= PREVIEW.cols;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text wrap="truncate">
        <Text bold>Webcam</Text>{' '}
        <Text dimColor>
          {s.today.date} {tz} · sun {s.decision.altitude}° · {s.decision.capture ? (s.decision.lowLight ? 'capturing, low light' : 'capturing') : 'dark: not capturing'} · daylight {span}
        </Text>
      </Text>
      <Bar kinds={bar.cells} now={bar.now} />
      <Text wrap="truncate">
        <Text color={s.stale.capture ? STATUS.stale.color : undefined}>last capture {s.capture ? age(s.capture.lastSuccessAt) : 'unknown (camera host)'}</Text>
        {'   '}
        <Text color={s.stale.ingest ? STATUS.stale.color : undefined}>last ingest {age(s.lastIngestedAt)}{s.latest ? ` (newest captured ${localTime(s.latest.capturedAt, tz)})` : ''}</Text>
      </Text>
      <Text wrap="truncate">
        queue {s.folders.queue} ·{' '}
        {s.cameraHost ? (
          <>
            <Text color={s.cameraHost.state === 'unreachable' ? STATUS.attention.color : s.cameraHost.count ? STATUS.queued.color : undefined}>camera host {describeCameraQueue(s.cameraHost, formatAge)}</Text> ·{' '}
          </>
        ) : null}
        incoming {s.folders.incoming} ·{' '}
        <Text color={s.folders.rejected ? STATUS.attention.color : undefined}>rejected {s.folders.rejected}</Text> ·{' '}
        {fault ? (
          <Text color={STATUS.stale.color} bold>
            camera FAULT ({s.capture?.consecutiveFailures} failed: {s.capture?.lastError ?? '?'})
          </Text>
        ) : s.capture ? (
          <>
            camera <Text color={STATUS.ok.color}>ok</Text>
          </>
        ) : (
          // nothing known is not good news: the record lives on the camera host, which may have none or be out of reach
          <Text dimColor>camera: {noCaptureRecord(s.captureFrom)}</Text>
        )}
      </Text>
      <Text wrap="truncate">
        last {s.perDay.length} days <Text color={STATUS.queued.color}>{sparkBars(s.perDay.map((d) => d.count))}</Text> <Text dimColor>today {s.perDay.at(-1)?.count ?? 0} · {s.total} in all</Text>
      </Text>
      {s.stale.reasons.map((r) => (
        <Text key={r} color={STATUS.stale.color} bold wrap="truncate">
          {r}
        </Text>
      ))}
      {s.cameraHost?.state === 'unreachable' ? (
        <Text dimColor wrap="truncate">
          camera host: {s.cameraHost.message}
        </Text>
      ) : null}
      {data.notes.map((n) => (
        <Text key={n} dimColor wrap="truncate">
          {n}
        </Text>
      ))}
      {choice.mode === 'off' ? (
        <Text dimColor>preview off (webcam.preview)</Text>
      ) : showPreview ? (
        <TerminalImage choice={choice} cols={PREVIEW.cols} rows={PREVIEW.rows} cells={data.preview} png={data.previewPng} />
      ) : (
        <Text dimColor wrap="truncate">
          (the preview needs {PREVIEW.rows} free rows and {PREVIEW.cols} columns: a larger terminal shows it)
        </Text>
      )}
    </Box>
  );
}

/** The flash is one line: the first warning of the run, and how many more (the CLI prints each on stderr). */
function warningTail(warnings: readonly string[]): string {
  if (!warnings.length) return '';
  return ` · ${warnings[0]}${warnings.length > 1 ? ` (+${warnings.length - 1} more warnings)` : ''}`;
}

export function WebcamPane({ ctx, store, paneId, active, width, height }: PaneProps): React.ReactElement {
  const [load, setLoad] = useState<Load>({ status: 'loading', data: undefined });
  /** the title of the work in progress (ingest or timelapse), shown over its progress bar */
  const [working, setWorking] = useState<string | undefined>(undefined);
  const mounted = useRef(true);
  const progress = useProgress();
  const site = useMemo(() => webcamSite(ctx), [ctx]);
  // the terminal announces its image protocol in the environment; no query while Ink owns stdin
  const choice = useMemo(() => choosePreview(site.config.preview, process.env, site.config.previewTmuxPassthrough), [site]);

  const loader = useMemo(
    () =>
      latestLoader(
        // no lock around the read: a refresh must not refuse a cron ingest, nor fail while one runs (loadOverview locks its sandbox playback)
        () => loadOverview(site, ctx.clock, { ...PREVIEW, mode: choice.mode }, { lockDir: lockDirOf(ctx) }),
        (o) => {
          if (!mounted.current) return;
          if (o.ok) {
            setLoad({ status: 'ok', data: o.value });
            store.getState().markRefreshed(ctx.clock.now().getTime(), paneId);
          } else setLoad((l) => ({ status: 'error', data: l.data, error: o.error }));
        },
        { deadlineMs: loadDeadlineMs(ctx), what: 'reading the webcam status' },
      ),
    [ctx, site, store, paneId, choice],
  );
  const refresh = useCallback(async (): Promise<void> => {
    setLoad((l) => ({ ...l, status: 'loading', error: undefined }));
    await loader.request();
  }, [loader]);
  useEffect(() => {
    mounted.current = true;
    void refresh();
    return () => {
      mounted.current = false;
      loader.stop();
    };
  }, [refresh, loader]);
  // on return only: the webcam's status is read from disk, S3 and MySQL, not polled
  useAutoRefresh({ store, paneId, active, intervalMs: refreshIntervalMs(paneId, ctx.config), now: () => ctx.clock.now().getTime(), refresh, paused: working !== undefined });

  const ingestNow = async (): Promise<void> => {
    if (refuseIfReadOnly(store, 'ingesting webcam frames') || working) return;
    // the configured source: the incoming folder, or the S3 incoming prefix with source.method s3
    let source: FrameSource;
    let plan: IngestPlan;
    try {
      source = await site.source();
      plan = await planIngest(site.paths, site.config, ctx.clock.now(), source);
    } catch (error) {
      store.getState().setFlash(describeError(error).message, 'error');
      return;
    }
    if (plan.ready.length === 0) {
      store.getState().setFlash(plan.waiting.length ? `nothing ready: ${plan.waiting.length} still being written` : 'nothing to ingest', 'info');
      return;
    }
    const ok = await store.getState().confirm({
      title: `Ingest ${plan.ready.length} frames?`,
      body: [
        `from ${source.where} into s3://${site.bucket()}/${site.config.prefix}, the archive and the image table`,
        ...(site.config.publicRead ? [publicReadWarning('every size stored')] : []),
        ...plan.ready.map((f) => `  ${f.name}`),
      ],
      confirmLabel: 'Ingest',
    });
    if (!ok) return;
    progress.reset();
    setWorking('Ingesting webcam frames…');
    const warnings: string[] = [];
    try {
      const result = await withLock(INGEST_LOCK, async () => {
        const table = await site.openTable();
        try {
          return await applyIngest(plan, {
            config: site.config,
            paths: site.paths,
            source,
            objects: await site.objects(),
            bucket: site.bucket(),
            table,
            clock: ctx.clock,
            audit: ctx.audit,
            onProgress: progress.sink,
            onWarning: (w) => void warnings.push(w),
          });
        } finally {
          await table.close();
        }
      }, { dir: lockDirOf(ctx) });
      store.getState().setFlash(`webcam: ${describeIngest(result)}${warningTail(warnings)}`, result.failed.length ? 'error' : warnings.length ? 'warn' : 'info');
    } catch (error) {
      store.getState().setFlash(describeError(error).message, 'error');
    } finally {
      if (mounted.current) setWorking(undefined);
      void refresh();
    }
  };

  const timelapseNow = async (): Promise<void> => {
    if (refuseIfReadOnly(store, 'building a webcam timelapse') || working) return;
    // the day of the latest frame: today while the sun is up, yesterday's complete day at night
    const latest = load.data?.status.latest?.capturedAt ?? ctx.clock.now();
    const period = periodOf('day', localDate(latest, site.config.timeZone), site.config.timeZone);
    let table;
    try {
      table = await site.openTable();
      const plan = await planTimelapse({ config: site.config, paths: site.paths, table, bucket: site.bucket(), period });
      if (plan.frames.length === 0 || plan.upToDate) {
        store.getState().setFlash(plan.frames.length ? `timelapse of ${period.label} is up to date (${plan.frames.length} frames)` : `no archived frames for ${period.label} yet`, 'info');
        return;
      }
      const ok = await store.getState().confirm({
        title: `Build the timelapse of ${period.label} from ${plan.frames.length} frames?`,
        body: [
          `${plan.width}x${plan.height} at ${plan.fps} fps (${(plan.frames.length / plan.fps).toFixed(1)} s) with ${site.config.timelapse.ffmpeg}`,
          `to ${plan.output}`,
          `and s3://${plan.bucket}/${plan.key}`,
          ...(plan.missing.length ? [`${plan.missing.length} frames not in the archive here are left out`] : []),
          ...(site.config.publicRead ? [publicReadWarning('the timelapse')] : []),
        ],
        confirmLabel: 'Build',
      });
      if (!ok) return;
      progress.reset();
      setWorking(`Encoding the timelapse of ${period.label}…`);
      const t = table;
      const warnings: string[] = [];
      const r = await withLock(
        TIMELAPSE_LOCK,
        async () => applyTimelapse(plan, { config: site.config, objects: await site.objects(), table: t, clock: ctx.clock, audit: ctx.audit, onProgress: progress.sink, onWarning: (w) => void warnings.push(w) }),
        { dir: lockDirOf(ctx) },
      );
      const built = `webcam: timelapse of ${period.label} ${r.outcome === 'replaced' ? 'rebuilt' : 'built'}, ${r.row.frames} frames, s3://${plan.bucket}/${r.row.key}`;
      store.getState().setFlash(`${built}${warningTail(warnings)}`, warnings.length ? 'warn' : 'info');
    } catch (error) {
      const d = describeError(error);
      store.getState().setFlash(d.hint ? `${d.message}: ${d.hint}` : d.message, 'error');
    } finally {
      await table?.close();
      if (mounted.current) setWorking(undefined);
    }
  };

  const bindings: KeyBinding[] = [
    mutationKey(ctx.options.readOnly, { keys: ['i'], label: 'ingest now', title: 'Ingest the waiting webcam frames', run: () => void ingestNow() }),
    mutationKey(ctx.options.readOnly, { keys: ['t'], label: 'timelapse', title: "Build the timelapse of the latest frame's day (ffmpeg)", run: () => void timelapseNow() }),
    { keys: ['r'], label: 'refresh', title: 'Refresh the webcam status', run: () => void refresh() },
  ];
  usePaneKeys(store, paneId, bindings);

  if (working) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text bold>{working}</Text>
        {progress.event ? <ProgressBar event={progress.event} width={Math.min(width, 72)} /> : <Text dimColor>starting…</Text>}
      </Box>
    );
  }
  if (!load.data) {
    if (load.status === 'error') return <ErrorPanel title="Could not read the webcam status" error={load.error} width={width} />;
    return <Text color="yellow">loading…</Text>;
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      {load.status === 'error' ? <ErrorPanel title="Refresh failed: showing the last status" error={load.error} width={width} /> : null}
      <Overview data={load.data} choice={choice} width={width} height={height - (load.status === 'error' ? 6 : 0)} />
    </Box>
  );
}

/** What `?` lists under the keys: the bar's marks, the queue line, the preview modes. */
export const WEBCAM_LEGEND: readonly LegendEntry[] = [
  { mark: BAR_CHAR.day, color: BAR_COLOUR.day, meaning: 'daylight: capturing' },
  { mark: BAR_CHAR.low, color: BAR_COLOUR.low, meaning: 'low light: first/last webcam.lowLightMinutes, capture.lowLightSettings in force' },
  { mark: BAR_CHAR.dark, color: BAR_COLOUR.dark, meaning: 'dark: no capture' },
  { mark: '┃', color: 'white', meaning: 'now' },
  ...Object.values(STATUS).map((x) => ({ mark: x.mark, color: x.color, meaning: x.meaning })),
  {
    mark: 'queue',
    meaning:
      "frames not yet delivered here; 'camera host N queued, oldest Xm' is the camera host's queue read over SFTP (webcam.cameraHost), or 'unreachable (refused | timeout | auth failed | host key | no such folder | config)' with the reason below",
  },
  {
    mark: 'preview',
    meaning:
      'webcam.preview: auto (kitty or iTerm2 images where the terminal announces them, half blocks elsewhere and inside tmux unless webcam.previewTmuxPassthrough), halfblock, kitty, iterm2, off',
  },
];

export const webcamPane: PaneDefinition = { id: 'webcam', title: 'Webcam', component: WebcamPane, legend: WEBCAM_LEGEND, attention: webcamAttention };
