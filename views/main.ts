#!/usr/bin/env node
/**
 * Process entry and composition root. Batch runs never load Ink or React: the
 * TUI module is imported only when a TUI must open.
 */
import { main } from '../src/cli/main.js';
import { launchTui } from './launch.js';

// `opsdeck instances | head -1`: the reader left, which is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const code = await main(process.argv.slice(2), { launchTui });
// Exit explicitly: an SDK keep-alive socket or a sandbox timer must not keep cron waiting.
// But first let the streams drain: a pipe takes only 64 KiB before Node queues
// the rest, and exiting then cut `opsdeck snapshots plan --json | jq` mid-document.
// A write's callback runs once everything queued before it has been written.
const drained = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
