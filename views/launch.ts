import type { CommandContext } from '../src/core/context.js';
import type { ExitCode } from '../src/core/errors.js';

/**
 * Opens the TUI. Called only when stdin and stdout are a terminal (src/cli/main.ts).
 *
 * Ink decides once, when its module is evaluated, that any CI variable means
 * "no live frames, print the last one at exit" (is-in-ci). Here a person is
 * waiting at a terminal, so a CI=true inherited from a job runner or a shell
 * profile must not leave them a blank screen: clear it before Ink loads.
 */
export async function launchTui(ctx: CommandContext, opts: { initialPane?: string }): Promise<ExitCode> {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { runTui } = await loadWithoutFetch(() => import('./run.js'));
  return runTui(ctx, opts);
}

/**
 * Ink's layout engine (yoga) carries its WebAssembly as a data: URL and, when a
 * global fetch exists, reads it through fetch: on Node that loads undici and
 * runs a whole fetch for bytes already in memory, tens of ms before the first
 * frame. Without fetch it decodes the bytes itself. Nothing else runs while
 * the module loads, and fetch is back as soon as it has.
 */
export async function loadWithoutFetch<T>(load: () => Promise<T>): Promise<T> {
  const g = globalThis as { fetch?: typeof fetch };
  const saved = g.fetch;
  g.fetch = undefined;
  try {
    return await load();
  } finally {
    g.fetch = saved;
  }
}

