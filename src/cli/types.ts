import type { Command } from 'commander';
import type { ExitCode } from '../core/errors.js';
import type { CommandContext } from '../core/context.js';

/** A batch command body: does its work, prints through ctx, returns an exit code. Throw OpsError for failures. */
export type BatchHandler<O> = (ctx: CommandContext, opts: O, args: string[]) => Promise<ExitCode>;

/** What a command declares about itself when it registers. */
export interface ActionDefaults<O = never> {
  /**
   * The overall deadline when no --timeout is given. Every command that talks
   * to a remote service has one, so a hung endpoint cannot hold cron forever.
   * A function of the options for a command with a long-running mode
   * (`webcam ingest --watch`: Infinity, no overall deadline; each call keeps its own).
   */
  timeoutMs: number | ((opts: O) => number);
  /** After Ctrl-C, how long the handler may take to unwind before it is abandoned (default 5 s). */
  graceMs?: number;
}

/** Wraps a handler into a commander action: builds the context, applies the deadline, maps errors to exit codes. */
export type ActionWrapper = <O>(handler: BatchHandler<O>, defaults: ActionDefaults<O>) => (...commanderArgs: unknown[]) => Promise<void>;

/** Each area exports one of these from src/cli/commands/<area>.ts. */
export type RegisterArea = (program: Command, action: ActionWrapper) => void;
