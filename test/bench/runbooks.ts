import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import React from 'react';
import { render } from 'ink-testing-library';
import { emptyResult, sleepFor, type Executors } from '../../src/runbooks/executors.js';
import { App, createSessionFor } from '../../views/App.js';
import { startSshd } from '../services/sshd.js';
import { KEY, lines, testContext, waitFor } from '../views/helpers.js';
import { measureKeypresses, type RedrawFigures } from './keypress.js';
import { alternatingMedians, loopbackExecutors, runBenchRunbook, timeOpensshPipe } from './loopback.js';

/** Figures for the runbook engine: stream throughput against OpenSSH, journal cost per step, the pane under streaming output. */

/** Milliseconds per step of a run whose steps do nothing: what the engine and its fsynced journal cost. */
export async function measureJournalOverhead(steps = 300): Promise<{ perStepMs: number; dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-journal-'));
  const idle: Executors = {
    rehearsal: false,
    ssh: async () => emptyResult(),
    sql: async () => emptyResult(),
    mysql: async () => emptyResult(),
    closeSession: async () => undefined,
    openSessions: () => [],
    stream: async () => emptyResult(),
    aws: async () => emptyResult(),
    haproxy: async () => emptyResult(),
    sleep: sleepFor,
    close: async () => [],
  };
  const body = Array.from({ length: steps }, (_, i) => `  - id: s${i}\n    title: step ${i}\n    kind: ssh\n    host: h\n    command: 'true'\n`).join('');
  try {
    const t0 = performance.now();
    await runBenchRunbook(`name: bench\ntitle: bench\ndescription: bench\nsteps:\n${body}`, idle, { hosts: {}, mysql: {} }, dir);
    return { perStepMs: (performance.now() - t0) / steps, dir: os.tmpdir() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `tar c | tar x` of `mib` MiB of random data through sshd twice: opsdeck's stream step and an OpenSSH pipeline, side by side. */
export async function measureStream(mib: number): Promise<{ opsdeckMs: number; opensshMs: number; bytes: number }> {
  const sshd = await startSshd();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-stream-'));
  try {
    const src = path.join(dir, 'src');
    mkdirSync(src);
    execFileSync('sh', ['-c', `head -c ${mib}M /dev/urandom > ${src}/data.bin`]);
    const bytes = statSync(path.join(src, 'data.bin')).size;
    const ex = loopbackExecutors(sshd);
    const io = { signal: new AbortController().signal, output: () => undefined, progress: () => undefined };
    const out = path.join(dir, 'out');
    // warm the connections so both sides time the transfer, not the handshakes
    await ex.ssh('a', 'true', io);
    await ex.ssh('b', 'true', io);
    const ours = async (): Promise<number> => {
      const t0 = performance.now();
      const r = await ex.stream({ host: 'a', command: `tar cf - -C ${src} data.bin` }, { host: 'b', command: `tar xf - -C ${out}` }, bytes, io);
      if (r.exit !== 0) throw new Error(`stream failed: ${r.stderr}`);
      return performance.now() - t0;
    };
    const theirs = (): Promise<number> => timeOpensshPipe(sshd, `tar cf - -C ${src} data.bin`, `tar xf - -C ${out}`);
    // the median of three each
    const m = await alternatingMedians(3, out, { ours, theirs });
    await ex.close();
    return { opsdeckMs: m.ours, opensshMs: m.theirs, bytes };
  } finally {
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Keypress redraw of the Runbooks pane while a step streams `lines` lines from a real sshd; and how many lines it kept. */
export async function measurePaneWhileStreaming(total = 10_000): Promise<RedrawFigures & { kept: number; heapMiB: number }> {
  const sshd = await startSshd();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-rbpane-'));
  const saved = { state: process.env.XDG_STATE_HOME, config: process.env.XDG_CONFIG_HOME };
  process.env.XDG_STATE_HOME = path.join(dir, 'state');
  process.env.XDG_CONFIG_HOME = path.join(dir, 'config');
  mkdirSync(path.join(dir, 'config', 'opsdeck', 'runbooks'), { recursive: true });
  const rest = Array.from({ length: 30 }, (_, i) => `  - id: after${i}\n    title: after ${i}\n    kind: ssh\n    host: alpha\n    command: 'true'\n`).join('');
  // perl paces the lines over a few seconds so the keys land while output arrives
  writeFileSync(
    path.join(dir, 'config', 'opsdeck', 'runbooks', 'chatty.yaml'),
    `name: chatty\ntitle: Chatty\ndescription: bench\nsteps:\n  - id: chatter\n    title: chatter\n    kind: ssh\n    host: alpha\n    command: perl -e '$|=1; for (1..${total}) { print "line $_ of output from a step that talks a lot\\n"; select(undef,undef,undef,0.0004) if $_ % 4 == 0 }'\n${rest}`,
  );
  const host = { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath };
  const ctx = testContext({ options: { sandbox: false }, config: { hosts: { alpha: host } } });
  const store = createSessionFor(ctx, { size: { columns: 100, rows: 30 }, initialPane: 'runbooks' });
  const app = render(React.createElement(App, { ctx, store }));
  try {
    await waitFor(() => app.lastFrame()?.includes('chatty'), 'the list', app.lastFrame, 20_000);
    for (let i = 0; i < 5 && !lines(app.lastFrame()).some((l) => l.startsWith('› ') && l.includes('chatty')); i++) {
      app.stdin.write('j');
      await new Promise((r) => setTimeout(r, 30));
    }
    app.stdin.write(KEY.enter);
    await waitFor(() => app.lastFrame()?.includes('steps:'), 'the plan', app.lastFrame, 20_000);
    app.stdin.write(KEY.enter);
    await waitFor(() => app.lastFrame()?.includes('Run Chatty?'), 'the start dialog', app.lastFrame, 20_000);
    app.stdin.write(KEY.tab);
    await new Promise((r) => setTimeout(r, 30));
    app.stdin.write(KEY.enter);
    await waitFor(() => /line \d{3,} of output/.test(app.lastFrame() ?? ''), 'the output streaming', app.lastFrame, 20_000);
    const figures = await measureKeypresses(app, { presses: 30 });
    await waitFor(() => /^done$/m.test(lines(app.lastFrame()).join('\n')), 'the run to finish', app.lastFrame, 60_000);
    // back to the chatty step: its output header says how much of it was kept
    for (let i = 0; i < 40 && !/last \d+ lines/.test(app.lastFrame() ?? ''); i++) {
      app.stdin.write('k');
      await new Promise((r) => setTimeout(r, 20));
    }
    const kept = Number(/last (\d+) lines/.exec(lines(app.lastFrame()).join('\n'))?.[1] ?? Number.NaN);
    return { ...figures, kept, heapMiB: process.memoryUsage().heapUsed / 1024 / 1024 };
  } finally {
    app.unmount();
    process.env.XDG_STATE_HOME = saved.state;
    process.env.XDG_CONFIG_HOME = saved.config;
    if (saved.state === undefined) delete process.env.XDG_STATE_HOME;
    if (saved.config === undefined) delete process.env.XDG_CONFIG_HOME;
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node --import tsx test/bench/runbooks.ts` prints the figures.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const j = await measureJournalOverhead();
  console.log(`journal: ${j.perStepMs.toFixed(2)} ms per step`);
  const p = await measurePaneWhileStreaming();
  console.log(`pane while streaming: median ${p.medianMs.toFixed(1)} ms, p95 ${p.p95Ms.toFixed(1)} ms, kept ${p.kept} lines, heap ${p.heapMiB.toFixed(0)} MiB`);
  const mib = Number(process.env.BENCH_STREAM_MIB ?? 1024);
  const s = await measureStream(mib);
  console.log(`stream ${mib} MiB: opsdeck ${(s.bytes / 1048576 / (s.opsdeckMs / 1000)).toFixed(0)} MiB/s, openssh ${(s.bytes / 1048576 / (s.opensshMs / 1000)).toFixed(0)} MiB/s`);
  process.exit(0);
}
