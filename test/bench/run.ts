/**
 * `npm run bench`: prints opsdeck's performance figures. Not a timed test:
 * it reports, it does not pass or fail. Each figure is shown with its target
 * and, where one exists, as a ratio against a reference run in this same
 * process (so a slow machine shows up in both numbers, not as a regression).
 */
import type { RedrawFigures } from './keypress.js';
import { builtEntry, repeat, timeFirstFrame, timeProcess } from './process.js';

interface Row {
  name: string;
  value: string;
  target: string;
  reference: string;
}

const rows: Row[] = [];
const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;

function report(row: Row): void {
  rows.push(row);
  process.stderr.write(`  ${row.name}: ${row.value}\n`);
}

// BENCH_ONLY=regex runs the matching figures only (the 1 GiB copies take minutes; rerun one on a quiet machine)
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : undefined;

async function bench(name: string, fn: () => Promise<void>): Promise<void> {
  if (only && !only.test(name)) return;
  try {
    await fn();
  } catch (e) {
    report({ name, value: `ERROR ${(e as Error).message.split('\n')[0]}`, target: '', reference: '' });
    process.exitCode = 1;
  }
}

const node = process.execPath;
const runs = Number(process.env.BENCH_RUNS ?? 7);

process.stderr.write(`opsdeck bench (${runs} runs per process figure; node ${process.version})\n`);

// Reference for every process figure: a bare Node start on this machine now.
const bare = await repeat(runs, () => timeProcess(node, ['-e', '']));
report({ name: 'reference: bare node start', value: fmt(bare.medianMs), target: '', reference: '1.00x' });

await bench('launch to first TUI frame (sandbox)', async () => {
  const s = await repeat(runs, () => timeFirstFrame('opsdeck', ['--sandbox']));
  report({
    name: 'launch to first TUI frame (sandbox)',
    value: `${fmt(s.medianMs)} (p95 ${fmt(s.p95Ms)})`,
    target: '< 600 ms',
    reference: `${ratio(s.medianMs, bare.medianMs)} bare node`,
  });
});

await bench('instances --batch --json (sandbox)', async () => {
  const s = await repeat(runs, () => timeProcess(node, [builtEntry, 'instances', '--batch', '--json', '--sandbox']));
  report({
    name: 'instances --batch --json (sandbox)',
    value: `${fmt(s.medianMs)} (p95 ${fmt(s.p95Ms)})`,
    target: '< 500 ms',
    reference: `${ratio(s.medianMs, bare.medianMs)} bare node`,
  });
});

/** A keypress-redraw figure against a smaller reference of the same view. */
function redrawRow(name: string, big: RedrawFigures, small: RedrawFigures, smallLabel: string): Row {
  return {
    name,
    value: `${fmt(big.medianMs)} (p95 ${fmt(big.p95Ms)}, CPU ${fmt(big.cpuMedianMs)})`,
    target: '< 50 ms',
    reference: `${ratio(big.medianMs, small.medianMs)} ${smallLabel}`,
  };
}

await bench('table keypress redraw', async () => {
  const { measureTableRedraw } = await import('./table-redraw.js');
  const small = await measureTableRedraw(100);
  const big = await measureTableRedraw(10_000);
  report(redrawRow('Fleet table keypress redraw, 10,000 rows', big, small, 'a 100-row table'));
});

await bench('snapshot plan', async () => {
  const { measurePlan } = await import('./snapshots-plan.js');
  const small = measurePlan(10_000, 5);
  const big = measurePlan(100_000, 50);
  report({
    name: 'snapshot plan, 100,000 snapshots / 50 volumes',
    value: fmt(big.ms),
    target: '< 300 ms',
    reference: `${ratio(big.ms, small.ms * 10)} 10x a 10,000-snapshot plan (1.00 = linear)`,
  });
});

const median = (f: () => { ms: number }, n = 5): number => {
  const xs = Array.from({ length: n }, () => f().ms).sort((a, b) => a - b);
  return xs[Math.floor(n / 2)] ?? Number.NaN;
};

await bench('haproxy render + diff', async () => {
  const { measureRenderDiff, measureFirstFill } = await import('./haproxy-plan.js');
  const small = median(() => measureRenderDiff(500));
  const big = median(() => measureRenderDiff(5000));
  report({
    name: 'HAProxy render + diff, 5,000 instances (5% churn)',
    value: fmt(big),
    target: '< 50 ms',
    reference: `${ratio(big, small * 10)} 10x a 500-instance pool (1.00 = linear)`,
  });
  const fill = median(() => measureFirstFill(5000));
  report({ name: 'HAProxy first fill, 5,000 servers into an empty backend', value: fmt(fill), target: '< 50 ms', reference: '' });
});

await bench('fleet pane redraw', async () => {
  const { measureFleetPoolRedraw } = await import('./haproxy-pane.js');
  const small = await measureFleetPoolRedraw(50);
  const big = await measureFleetPoolRedraw(5000);
  report(redrawRow('Fleet pane with a 5,000-server pool, keypress redraw', big, small, 'a 50-server pool'));
});

await bench('snapshots pane redraw', async () => {
  const { measureSnapshotsPaneRedraw } = await import('./snapshots-pane.js');
  const volumes = await measureSnapshotsPaneRedraw('volumes');
  const volume = await measureSnapshotsPaneRedraw('volume');
  report(redrawRow(`Snapshots pane, sandbox set, keypress redraw in a volume (${volume.rows} rows)`, volume, volumes, 'the 3-row volumes table'));
});

await bench('scaling pane redraw', async () => {
  const { measureScalingPaneRedraw, measureScalingRefresh } = await import('./scaling-pane.js');
  const small = await measureScalingPaneRedraw(10);
  const big = await measureScalingPaneRedraw(200);
  report(redrawRow('Scaling pane, 200 groups / 5,000 instances, keypress redraw', big, small, '10 groups'));
  const work = await measureScalingRefresh(200);
  report({ name: 'Scaling refresh work beyond the calls, 200 groups / 5,000 instances', value: fmt(work), target: '< 50 ms', reference: '' });
});

await bench('webcam resize', async () => {
  const { measureResize, CONVERT } = await import('./webcam.js');
  const r = await measureResize();
  report({
    name: `webcam: resize a 12-MP JPEG to ${r.sizes} (sharp)`,
    value: fmt(r.sharpMs),
    target: '>= 4x faster than ImageMagick',
    reference: r.convertMs === undefined ? `${CONVERT} missing: apt-get install imagemagick` : `${ratio(r.convertMs, r.sharpMs)} faster than convert (${fmt(r.convertMs)})`,
  });
});

await bench('webcam ingest', async () => {
  const { measureIngest } = await import('./webcam.js');
  const n = Number(process.env.BENCH_WEBCAM_IMAGES ?? 200);
  const r = await measureIngest(n);
  report({ name: `webcam: ingest ${n} 12-MP frames end to end (sharp, s3rver, MariaDB, archive)`, value: `${r.perSecond.toFixed(1)} images/s`, target: '', reference: '2 cores' });
  report({ name: 'webcam: peak RSS while ingesting them', value: `${r.peakRssMiB.toFixed(0)} MiB`, target: 'bounded', reference: `+${(r.peakRssMiB - r.baseRssMiB).toFixed(0)} MiB over the process before the run` });
});

await bench('webcam ingest sources', async () => {
  const { measureIngestSources } = await import('./webcam.js');
  const n = Number(process.env.BENCH_WEBCAM_SOURCE_IMAGES ?? 40);
  const r = await measureIngestSources(n);
  report({ name: `webcam: ingest ${n} 12-MP frames from an S3 incoming prefix (s3rver: list, get, delete each)`, value: `${r.s3PerSecond.toFixed(1)} images/s`, target: '', reference: `${ratio(r.s3PerSecond, r.folderPerSecond)} the folder source (${r.folderPerSecond.toFixed(1)} images/s), same run` });
});

await bench('webcam timelapse', async () => {
  const { measureTimelapse } = await import('./webcam.js');
  const n = Number(process.env.BENCH_WEBCAM_TIMELAPSE_FRAMES ?? 144);
  const r = await measureTimelapse(n);
  report({ name: `webcam: timelapse of ${n} archived 12-MP frames (a 12-hour day at 5 min) with ffmpeg, ${r.size} H.264`, value: `${r.perSecond.toFixed(1)} frames/s`, target: '', reference: `${r.seconds.toFixed(1)} s, ${(r.bytes / 2 ** 20).toFixed(1)} MiB MP4, 2 cores` });
});

await bench('runbook journal', async () => {
  const { measureJournalOverhead } = await import('./runbooks.js');
  const j = await measureJournalOverhead();
  report({ name: 'runbook engine + journal per step (2 fsynced lines, audit, events)', value: `${j.perStepMs.toFixed(2)} ms`, target: '< 5 ms', reference: `journal in ${j.dir}` });
});

await bench('runbooks pane while streaming', async () => {
  const { measurePaneWhileStreaming } = await import('./runbooks.js');
  const r = await measurePaneWhileStreaming(10_000);
  report({ name: 'Runbooks pane keypress redraw while a step streams 10,000 lines (real sshd)', value: `${fmt(r.medianMs)} (p95 ${fmt(r.p95Ms)}, CPU ${fmt(r.cpuMedianMs)})`, target: '< 50 ms', reference: `kept the last ${r.kept} lines, heap ${r.heapMiB.toFixed(0)} MiB` });
});

await bench('runbook stream step', async () => {
  const { measureStream } = await import('./runbooks.js');
  const mib = Number(process.env.BENCH_STREAM_MIB ?? 1024);
  const r = await measureStream(mib);
  const rate = (ms: number): string => `${(r.bytes / 1048576 / (ms / 1000)).toFixed(0)} MiB/s`;
  report({
    name: `runbook stream step: tar c | tar x of ${mib} MiB through two sshd connections`,
    value: rate(r.opsdeckMs),
    target: '>= 0.8x OpenSSH',
    reference: `${ratio(r.opensshMs, r.opsdeckMs)} of ssh | ssh (${rate(r.opensshMs)}), median of 3 alternating`,
  });
});

await bench('resync copy', async () => {
  const { measureResyncCopy } = await import('./resync.js');
  const mib = Number(process.env.BENCH_RESYNC_MIB ?? 1024);
  const r = await measureResyncCopy(mib);
  const figure = (ms: number): string => `${(ms / 1000).toFixed(1)} s, ${(r.bytes / 1048576 / (ms / 1000)).toFixed(0)} MiB/s`;
  const tree = `${mib} MiB datadir-like tree (${r.files} files) on loopback`;
  const ref = `of ssh a 'tar c' | ssh b 'tar x' (${figure(r.opensshMs)}), median of 3 alternating`;
  report({ name: `resync copy, transfer: relay (stream step through opsdeck), ${tree}`, value: figure(r.relayMs), target: '>= 0.8x', reference: `${ratio(r.opensshMs, r.relayMs)} ${ref}` });
  report({ name: `resync copy, transfer: direct (tar c | ssh target 'tar x' on the source), ${tree}`, value: figure(r.directMs), target: '>= 0.95x', reference: `${ratio(r.opensshMs, r.directMs)} ${ref}` });
});

await bench('mysql-resync runbook', async () => {
  const { measureResyncRunbook } = await import('./resync-runbook.js');
  const r = await measureResyncRunbook(Number(process.env.BENCH_RESYNC_MIB ?? 1024));
  const size = `${(r.datadirBytes / 1048576).toFixed(0)} MiB datadir`;
  for (const [mode, f] of [['relay', r.relay], ['direct', r.direct]] as const) {
    report({ name: `mysql-resync end to end, transfer: ${mode}, ${size} (two real MariaDB, sshd, haproxy page)`, value: `${(f.ms / 1000).toFixed(1)} s`, target: '', reference: `copy step ${(f.copyMs / 1000).toFixed(1)} s (${((r.datadirBytes / 1048576) / (f.copyMs / 1000)).toFixed(0)} MiB/s)` });
  }
});

await bench('db checksum', async () => {
  const { measureChecksum } = await import('./checksum.js');
  const r = await measureChecksum(1_000_000);
  report({ name: `db checksum, 1,000,000-row table on a real source and replica (${r.chunks} chunks)`, value: `${(r.ms / 1000).toFixed(1)} s`, target: 'no statement over 1 s on the source', reference: `longest source statement ${r.longestSourceMs} ms; ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s` });
});

const w = [0, 0, 0, 0];
const cells = (r: Row): string[] => [r.name, r.value, r.target, r.reference];
for (const r of rows) cells(r).forEach((c, i) => (w[i] = Math.max(w[i] ?? 0, c.length)));
const line = (c: string[]): string => c.map((x, i) => x.padEnd(w[i] ?? 0)).join('  ').trimEnd();
console.log(line(['figure', 'value', 'target', 'vs reference']));
for (const r of rows) console.log(line(cells(r)));
