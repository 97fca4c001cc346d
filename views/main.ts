#!/usr/bin/env node
/**
 * Process entry and composition root. Batch runs never load Ink or React: the
 * TUI module is imported only when a TUI must open.
 */
import { main } from '../src/cli/main.js';
import { ExitCode, OpsError } from '../src/core/errors.js';
import { launchTui } from './launch.js';

// `opsdeck instances | head -1`: the reader left, which is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

// Ctrl-C / SIGTERM in batch: the running command cancels through its signal
// (a rotation waits for the deletions in flight), then the run exits 130 / 143.
// A second signal does not wait. The TUI installs its own handlers.
const interrupt = new AbortController();
let tuiOpen = false;
const onSignal = (sig: NodeJS.Signals): void => {
  if (tuiOpen) return; // views/run.tsx restores the terminal and exits itself
  const code = sig === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated;
  if (interrupt.signal.aborted) process.exit(code);
  process.stderr.write(`\n${sig === 'SIGINT' ? 'interrupted' : 'terminated'}: cancelling (${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again stops at once)\n`);
  interrupt.abort(new OpsError(sig === 'SIGINT' ? 'INTERRUPTED' : 'TERMINATED', `stopped by ${sig}`, { exitCode: code, hint: 'what was done is in the audit log; re-running is safe' }));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await main(process.argv.slice(2), {
  launchTui: (ctx, opts) => {
    tuiOpen = true;
    return launchTui(ctx, opts);
  },
  interrupt: interrupt.signal,
});
// Exit explicitly: an SDK keep-alive socket or a sandbox timer must not keep cron waiting.
// But first let the streams drain: a pipe takes only 64 KiB before Node queues
// the rest, and exiting then cut `opsdeck snapshots plan --json | jq` mid-document.
// A write's callback runs once everything queued before it has been written.
const drained = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
