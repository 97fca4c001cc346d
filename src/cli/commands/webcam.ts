/**
 * `opsdeck webcam schedule|status|capture|ingest|timelapse`: the seed's two
 * cron jobs (capture on the camera host, ingest on the server), the checks
 * around them and the timelapse. capture, ingest and timelapse print what
 * they would do without --yes.
 */
import type { Command } from 'commander';
import { lockDirOf, type CommandContext } from '../../core/context.js';
import { MINUTE } from '../../core/deadline.js';
import { ExitCode, OpsError } from '../../core/errors.js';
import { formatAge } from '../../core/format.js';
import { withLock } from '../../core/lock.js';
import { describeCameraQueue } from '../../webcam/camera-host.js';
import { cameraArgv, CAPTURE_LOCK, runCapture } from '../../webcam/capture.js';
import { applyIngest, describeIngest, INGEST_LOCK, planIngest, type IngestPlan } from '../../webcam/ingest.js';
import { periodOf, type Period } from '../../webcam/period.js';
import { captureDecision, daySchedule, type DaySchedule } from '../../webcam/schedule.js';
import { webcamSite, type WebcamSite } from '../../webcam/site.js';
import { noCaptureRecord, webcamStatus, type WebcamStatus } from '../../webcam/status.js';
import { localDate, localTime } from '../../webcam/time.js';
import { applyTimelapse, planTimelapse, TIMELAPSE_LOCK, type TimelapsePlan } from '../../webcam/timelapse.js';
import { watchIngest } from '../../webcam/watch.js';
import { stdoutPainter, toJson } from '../output.js';
import type { RegisterArea } from '../types.js';

function refuseReadOnly(ctx: CommandContext, what: string): void {
  if (ctx.options.readOnly && ctx.options.yes) {
    throw new OpsError('READ_ONLY', `webcam ${what} changes files, S3 and MySQL, and --read-only is set`, { hint: `drop --yes to see what it would do` });
  }
}

export function renderSchedule(s: DaySchedule): string {
  const t = (d: Date): string => localTime(d, s.timeZone);
  const lines = [`${s.date} at ${s.latitude}, ${s.longitude} (${s.timeZone}): capture while the sun is above ${s.sunAltitude}° (highest today ${s.maxAltitude}°)`];
  if (s.polar === 'night') lines.push('  no capture today: the sun stays below the threshold (polar night)');
  if (s.polar === 'day') lines.push('  capture all day: the sun stays above the threshold (polar day)');
  for (const w of s.windows) {
    const from = w.startCrossing ? t(w.start) : `${t(w.start)} (from the day before)`;
    const to = w.endCrossing ? t(w.end) : `${t(w.end)} (into the next day)`;
    lines.push(`  daylight  ${from} - ${to}`);
  }
  for (const l of s.lowLight) lines.push(`  low light ${t(l.start)} - ${t(l.end)}`);
  return lines.join('\n');
}

export function renderStatus(s: WebcamStatus): string {
  const p = stdoutPainter(false);
  const now = Date.parse(s.now);
  const age = (iso: string | Date | undefined): string => (iso === undefined ? 'never' : `${formatAge(now - new Date(iso).getTime())} ago`);
  const lines = [
    `now ${localDate(now, s.timeZone)} ${localTime(now, s.timeZone)} (${s.timeZone}): ${s.decision.capture ? (s.decision.lowLight ? 'daylight, low light' : 'daylight') : 'dark'} (sun ${s.decision.altitude}°)`,
    s.capture
      ? `capture: last ${age(s.capture.lastSuccessAt)}${s.capture.consecutiveFailures ? `, ${s.capture.consecutiveFailures} failed since (${s.capture.lastError ?? '?'})` : ''}${s.captureFrom ? ` ${s.captureFrom.where}` : ''}`
      : s.captureFrom
        ? `capture: ${noCaptureRecord(s.captureFrom)} ${s.captureFrom.where}`
        : 'capture: no record on this host (the camera host keeps it)',
    `ingest:  last ${age(s.lastIngestedAt)}, newest image captured ${age(s.latest?.capturedAt)}, ${s.total} in all`,
    `folders: queue ${s.folders.queue}, incoming ${s.folders.incoming}, rejected ${s.folders.rejected}`,
    ...(s.cameraHost ? [`camera host: ${describeCameraQueue(s.cameraHost, formatAge)} ${s.cameraHost.where}${s.cameraHost.state === 'unreachable' ? `: ${s.cameraHost.message}` : ''}`] : []),
    `last ${s.perDay.length} days: ${s.perDay.map((d) => d.count).join(' ')}`,
  ];
  if (s.capture?.fault) lines.push(p.paint('red', `FAULT: ${s.capture.consecutiveFailures} failed captures in a row`));
  for (const r of s.stale.reasons) lines.push(p.paint('red', `problem: ${r}`));
  return lines.join('\n');
}

function renderPlan(plan: IngestPlan): string {
  const lines = [`incoming ${plan.incoming}: ${plan.ready.length} ready, ${plan.waiting.length} still being written`];
  for (const f of plan.ready) lines.push(`  ${f.name}  ${f.size} bytes`);
  for (const f of plan.waiting) lines.push(`  ${f.name}  (waiting: changed less than quiescenceSeconds ago)`);
  return lines.join('\n');
}

async function scheduleCommand(ctx: CommandContext, opts: { date?: string }): Promise<ExitCode> {
  const cfg = ctx.config.webcam;
  const s = daySchedule(opts.date ?? localDate(ctx.clock.now(), cfg.timeZone), cfg);
  ctx.stdout(ctx.options.json ? toJson(s) : renderSchedule(s));
  return ExitCode.Ok;
}

async function statusCommand(ctx: CommandContext): Promise<ExitCode> {
  const site = webcamSite(ctx);
  // The status is wanted most when something is broken: a table that cannot be reached is reported, not fatal.
  let tableError: string | undefined;
  // A camera host has no image table: without webcam.database.target its status is the capture side's.
  const wanted = site.sandbox || site.config.database.target !== undefined;
  const table = wanted
    ? await site.openTable().catch((e: unknown) => {
        tableError = (e as Error).message;
        return undefined;
      })
    : undefined;
  let sourceError: string | undefined;
  const source = await site.source().catch((e: unknown) => {
    sourceError = (e as Error).message;
    return undefined;
  });
  try {
    const s = await webcamStatus(site.config, site.paths, table, ctx.clock.now(), { cameraHost: site.cameraHost, source });
    if (tableError) s.stale.reasons.push(`cannot read the image table: ${tableError}`);
    if (sourceError) s.stale.reasons.push(`cannot reach the incoming frames: ${sourceError}`);
    ctx.stdout(ctx.options.json ? toJson({ ...s, ok: s.stale.reasons.length === 0 }) : renderStatus(s));
    return s.stale.reasons.length > 0 ? ExitCode.Failed : ExitCode.Ok;
  } finally {
    await table?.close();
  }
}

async function captureCommand(ctx: CommandContext, opts: { force?: boolean }): Promise<ExitCode> {
  refuseReadOnly(ctx, 'capture');
  const site = webcamSite(ctx);
  const cfg = site.config;
  if (!ctx.options.yes) {
    const d = captureDecision(ctx.clock.now(), cfg);
    const settings = { ...cfg.capture.settings, ...(d.lowLight ? cfg.capture.lowLightSettings : {}) };
    const argv = site.sandbox ? ['(sandbox camera)'] : cameraArgv(cfg.capture.command, '<queue>/<time>.jpg', settings);
    const would = d.capture || opts.force;
    if (ctx.options.json) ctx.stdout(toJson({ decision: d, wouldCapture: would, command: argv, delivery: site.deliverer().where, applied: false }));
    else ctx.stdout(`${d.reason}\n${would ? `would run: ${argv.join(' ')}` : 'would not capture'}\ndelivery to ${site.deliverer().where}`);
    ctx.stderr('nothing captured: rerun with --yes (cron: opsdeck webcam capture --batch --yes)');
    return ExitCode.Ok;
  }
  const camera = await site.camera();
  const deliver = site.deliverer();
  return withLock(
    CAPTURE_LOCK,
    async () => {
      const r = await runCapture({ config: cfg, paths: site.paths, camera, clock: ctx.clock, force: opts.force === true, audit: ctx.audit, signal: ctx.signal, deliver });
      if (ctx.options.json) ctx.stdout(toJson(r));
      else {
        ctx.stdout(r.captured ? `captured ${r.captured}${r.decision.lowLight ? ' (low light)' : ''}` : r.error ? `capture failed: ${r.error}` : `no capture: ${r.decision.reason}`);
        if (r.delivered.length) ctx.stdout(`delivered ${r.delivered.length} to ${r.where ?? site.paths.incoming}`);
        if (r.queued) ctx.stdout(`${r.queued} still queued in ${site.paths.queue}`);
        if (r.fault) ctx.stdout(`camera fault: ${r.state.consecutiveFailures} failed captures in a row`);
      }
      return r.error ? ExitCode.Failed : ExitCode.Ok;
    },
    { onWarning: ctx.stderr, signal: ctx.signal, dir: lockDirOf(ctx) },
  );
}

type IngestOpts = { watch?: boolean; interval?: string };

async function watchCommand(ctx: CommandContext, site: WebcamSite, interval: string | undefined): Promise<ExitCode> {
  const seconds = Number(interval ?? '5');
  if (!Number.isFinite(seconds) || seconds <= 0) throw new OpsError('USAGE', `--interval takes seconds > 0, not ${JSON.stringify(interval)}`);
  const bucket = site.bucket();
  const objects = await site.objects();
  const source = await site.source();
  ctx.stderr(`watching ${source.where} every ${seconds}s (${source.atomic ? 'every complete object is taken' : `frames quiet for ${site.config.quiescenceSeconds}s are taken`}); Ctrl-C stops after the frame in flight`);
  const sum = await watchIngest({
    config: site.config,
    paths: site.paths,
    source,
    objects,
    bucket,
    openTable: () => site.openTable(),
    clock: ctx.clock,
    intervalMs: seconds * 1000,
    stop: ctx.signal,
    lockDir: lockDirOf(ctx),
    audit: ctx.audit,
    onWarning: ctx.stderr,
    onPass: (_plan, r) => {
      const now = ctx.clock.now();
      if (ctx.options.json) ctx.stdout(JSON.stringify({ at: now.toISOString(), result: r }));
      else ctx.stdout(`${localTime(now, site.config.timeZone)} ${describeIngest(r)}`);
      for (const x of r.rejected) if (!ctx.options.json) ctx.stdout(`  rejected ${x.name}: ${x.reason}`);
    },
  });
  ctx.stderr(`watch stopped after ${sum.passes} passes: ${sum.ingested} ingested, ${sum.rejected} rejected, ${sum.failedPasses} passes failed`);
  return ExitCode.Ok;
}

async function ingestCommand(ctx: CommandContext, opts: IngestOpts = {}): Promise<ExitCode> {
  refuseReadOnly(ctx, 'ingest');
  const site = webcamSite(ctx);
  const source = await site.source();
  if (!ctx.options.yes) {
    const plan = await planIngest(site.paths, site.config, ctx.clock.now(), source, ctx.signal);
    ctx.stdout(ctx.options.json ? toJson({ plan, applied: false }) : renderPlan(plan));
    if (plan.ready.length || opts.watch) ctx.stderr(opts.watch ? 'not watching: rerun with --yes to ingest as frames arrive' : `nothing ingested: rerun with --yes to ingest these ${plan.ready.length}`);
    return ExitCode.Ok;
  }
  if (opts.watch) return watchCommand(ctx, site, opts.interval);
  const bucket = site.bucket();
  const objects = await site.objects();
  return withLock(
    INGEST_LOCK,
    async () => {
      // Planned under the lock: what another run took meanwhile is not in it.
      const plan = await planIngest(site.paths, site.config, ctx.clock.now(), source, ctx.signal);
      if (plan.ready.length === 0) {
        if (ctx.options.json) ctx.stdout(toJson({ plan, applied: true, result: undefined }));
        ctx.stderr(plan.waiting.length ? `nothing ready: ${plan.waiting.length} still being written` : 'nothing to ingest');
        return ExitCode.Ok;
      }
      const table = await site.openTable();
      try {
        const result = await applyIngest(plan, { config: site.config, paths: site.paths, source, objects, bucket, table, clock: ctx.clock, audit: ctx.audit, signal: ctx.signal, onProgress: ctx.progress, onWarning: ctx.stderr });
        if (ctx.options.json) ctx.stdout(toJson({ plan, applied: true, result }));
        else {
          ctx.stdout(describeIngest(result));
          for (const r of result.rejected) ctx.stdout(`  rejected ${r.name}: ${r.reason}`);
          for (const f of result.failed) ctx.stdout(`  failed ${f.name}: ${f.error}`);
        }
        return result.failed.length ? ExitCode.Failed : ExitCode.Ok;
      } finally {
        await table.close();
      }
    },
    { onWarning: ctx.stderr, signal: ctx.signal, dir: lockDirOf(ctx) },
  );
}

type PeriodOpts = { day?: string; date?: string; week?: string; month?: string };

function periodFrom(ctx: CommandContext, o: PeriodOpts): Period {
  const tz = ctx.config.webcam.timeZone;
  const day = o.day ?? o.date;
  const given = [day, o.week, o.month].filter((x) => x !== undefined);
  if (given.length > 1) throw new OpsError('USAGE', 'give one of --day, --week or --month');
  if (o.week !== undefined) return periodOf('week', o.week, tz);
  if (o.month !== undefined) return periodOf('month', o.month, tz);
  return periodOf('day', day ?? localDate(ctx.clock.now(), tz), tz);
}

function renderTimelapsePlan(p: TimelapsePlan): string {
  const lines = [`${p.period}: ${p.frames.length} frames${p.frames.length ? ` → ${p.width}x${p.height} at ${p.fps} fps, ${(p.frames.length / p.fps).toFixed(1)} s` : ''}`];
  if (p.frames.length) lines.push(`  first ${p.frames[0]!.capturedAt}, last ${p.frames.at(-1)!.capturedAt}`, `  to ${p.output} and s3://${p.bucket}/${p.key}`);
  if (p.missing.length) lines.push(`  ${p.missing.length} frames in the table but not in the archive here, left out (first: ${p.missing[0]})`);
  if (p.upToDate) lines.push('  up to date: this build is already recorded');
  return lines.join('\n');
}

async function timelapseCommand(ctx: CommandContext, opts: PeriodOpts & { rebuild?: boolean }): Promise<ExitCode> {
  const period = periodFrom(ctx, opts);
  refuseReadOnly(ctx, 'timelapse');
  const site = webcamSite(ctx);
  const bucket = site.bucket();
  const table = await site.openTable();
  try {
    const plan = await planTimelapse({ config: site.config, paths: site.paths, table, bucket, period });
    const nothing = plan.frames.length === 0 || (plan.upToDate && !opts.rebuild);
    if (!ctx.options.yes || nothing) {
      ctx.stdout(ctx.options.json ? toJson({ plan, applied: false }) : renderTimelapsePlan(plan));
      if (plan.frames.length === 0) ctx.stderr(`no archived frames for ${plan.period}: nothing to do`);
      else if (nothing) ctx.stderr('nothing to do (--rebuild makes it again)');
      else ctx.stderr(`nothing built: rerun with --yes to encode these ${plan.frames.length} frames`);
      return ExitCode.Ok;
    }
    const objects = await site.objects();
    return await withLock(
      TIMELAPSE_LOCK,
      async () => {
        const r = await applyTimelapse(plan, { config: site.config, objects, table, clock: ctx.clock, audit: ctx.audit, signal: ctx.signal, onProgress: ctx.progress, onWarning: ctx.stderr });
        if (ctx.options.json) ctx.stdout(toJson({ plan, applied: true, result: r }));
        else ctx.stdout(`${r.outcome === 'replaced' ? 'rebuilt' : 'built'} ${plan.period}: ${r.row.frames} frames, ${r.row.width}x${r.row.height}, ${r.row.bytes} bytes\n  ${r.row.localPath}\n  s3://${bucket}/${r.row.key}`);
        return ExitCode.Ok;
      },
      { onWarning: ctx.stderr, signal: ctx.signal, dir: lockDirOf(ctx) },
    );
  } finally {
    await table.close();
  }
}

export const register: RegisterArea = (program: Command, action) => {
  const webcam = program
    .command('webcam')
    .description('webcam pipeline: daylight capture, ingest to S3 and MySQL, status')
    .addHelpText(
      'after',
      `
Examples:
  opsdeck webcam schedule --batch --date 2026-06-21   the day's capture windows
  opsdeck webcam capture --batch --yes                camera host cron, every interval
  opsdeck webcam ingest --batch --yes                 server cron
  opsdeck webcam ingest --batch --yes --watch         or as a service: ingests as frames arrive
  opsdeck webcam status --batch                       exit 1 when stale or faulty (a cron check)
  opsdeck webcam timelapse --batch --day 2026-06-21 --yes   the day's frames as an MP4 (ffmpeg)

Exit codes: 0 done or nothing to do, 1 a capture or ingest failed, or status
found the pipeline stale, 2 usage or config, 3 refused (--read-only), 4 another
capture or ingest holds the lock.`,
    );
  webcam
    .command('schedule')
    .description("print a day's daylight and low-light windows")
    .option('--date <YYYY-MM-DD>', 'the day, in webcam.timeZone (default today)')
    .action(action<{ date?: string }>((ctx, opts) => scheduleCommand(ctx, opts), { timeoutMs: MINUTE }));
  webcam
    .command('status')
    .description('last capture and ingest, folders, camera fault; exit 1 when stale')
    .action(action((ctx) => statusCommand(ctx), { timeoutMs: 2 * MINUTE }));
  webcam
    .command('capture')
    .description('capture one frame if the sun is up and deliver the queue; without --yes only says what it would do')
    .option('--force', 'capture even in the dark (a test shot)')
    .action(action<{ force?: boolean }>((ctx, opts) => captureCommand(ctx, opts), { timeoutMs: 10 * MINUTE }));
  webcam
    .command('ingest')
    .description('ingest the incoming frames into S3, the archive and MySQL; without --yes only lists them')
    .option('--watch', 'keep running: a pass every --interval seconds; Ctrl-C stops after the frame in flight')
    .option('--interval <seconds>', 'between --watch passes (default 5)')
    // --watch has no overall deadline (each S3 and MySQL call keeps its own); after Ctrl-C the frame in flight may finish
    .action(action<IngestOpts>((ctx, opts) => ingestCommand(ctx, opts), { timeoutMs: (o) => (o.watch ? Infinity : 60 * MINUTE), graceMs: 2 * MINUTE }));
  webcam
    .command('timelapse')
    .description("encode a day's (week's, month's) archived frames into an MP4 with ffmpeg, upload and record it; without --yes only plans")
    .option('--day <YYYY-MM-DD>', 'a local day in webcam.timeZone (default today)')
    .option('--date <YYYY-MM-DD>', 'same as --day')
    .option('--week <YYYY-Www>', 'an ISO week, e.g. 2026-W24')
    .option('--month <YYYY-MM>', 'a calendar month')
    .option('--rebuild', 'encode again even when this build is already recorded')
    .action(action<PeriodOpts & { rebuild?: boolean }>((ctx, opts) => timelapseCommand(ctx, opts), { timeoutMs: 120 * MINUTE }));
};
