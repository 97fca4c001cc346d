import type { CommandContext } from '../src/cli/types.js';
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
  const { runTui } = await import('./run.js');
  return runTui(ctx, opts);
}
