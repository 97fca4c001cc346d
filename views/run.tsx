import React from 'react';
import { render } from 'ink';
import type { CommandContext } from '../src/core/context.js';
import { ExitCode, OpsError, formatError, isOpsError } from '../src/core/errors.js';
import { resolvePane } from '../src/store/session.js';
import { App, createSessionFor } from './App.js';
import { installImageOverlay } from './image-overlay.js';
import { panes } from './panes/index.js';

const ENTER_ALT = '\x1b[?1049h';
const LEAVE_ALT = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * Opens the TUI on the alternate screen and gives the terminal back exactly
 * as it was, whatever happens: normal quit, an uncaught exception, an
 * unhandled rejection, SIGTERM or SIGINT. Never blocks the first frame on
 * data: panes load after mount.
 */
export async function runTui(ctx: CommandContext, opts: { initialPane?: string }): Promise<ExitCode> {
  const asked = opts.initialPane;
  if (asked !== undefined && asked !== '' && resolvePane(panes.map((p) => ({ id: p.id, title: p.title, filterable: false })), asked) === undefined) {
    // A typo in `opsdeck tui <pane>` is a usage error like any other: said before the screen is taken.
    throw new OpsError('USAGE', `no pane called "${asked}"`, { hint: `the panes are ${panes.map((p) => p.id).join(', ')} (or 1-${panes.length})` });
  }
  const out = process.stdout;
  const store = createSessionFor(ctx, {
    initialPane: opts.initialPane,
    size: { columns: out.columns || 80, rows: out.rows || 24 },
  });

  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    out.write(LEAVE_ALT + SHOW_CURSOR);
  };
  out.write(ENTER_ALT);

  let instance: ReturnType<typeof render> | undefined;
  const crash = (e: unknown): void => {
    instance?.unmount();
    restore();
    process.stderr.write(`${formatError(e)}\n`);
    // Same wording as the CLI's top level (src/cli/main.ts): an unexpected error is our bug.
    if (!isOpsError(e)) {
      process.stderr.write(
        process.env.OPSDECK_DEBUG && e instanceof Error && e.stack ? `${e.stack}\n` : 'hint: this is a bug in opsdeck; rerun with OPSDECK_DEBUG=1 for details\n',
      );
    }
    process.exit(ExitCode.Failed);
  };
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // The conventional 128 + signal number, so a wrapper script sees how we ended.
    const code = signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated;
    const stop = (): never => {
      instance?.unmount();
      restore();
      process.exit(code);
    };
    if (signalled) stop();
    signalled = true;
    // Cancel running work cleanly (a deletion stops after the calls in flight), then go; at most 5 s.
    const busy = store.getState().busy;
    if (!busy) stop();
    busy?.cancel?.();
    const t0 = Date.now();
    const wait = setInterval(() => {
      if (store.getState().busy === undefined || Date.now() - t0 > 5_000) stop();
    }, 50);
    wait.unref?.();
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('exit', restore);
  try {
    // through the image overlay: kitty/iTerm2 previews are drawn after each frame Ink writes (views/image-overlay.ts)
    instance = render(<App ctx={ctx} store={store} />, { exitOnCtrlC: false, patchConsole: true, stdout: installImageOverlay(out) });
    await instance.waitUntilExit();
  } finally {
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('exit', restore);
    restore();
  }
  // The alternate screen took the session's results with it: say what changed.
  const note = store.getState().exitNote;
  if (note) process.stderr.write(`${note}\n`);
  return store.getState().interrupted ? ExitCode.Interrupted : ExitCode.Ok;
}
