import type { Command } from 'commander';
import type { ExitCode } from '../core/errors.js';
import type { CommandContext } from '../core/context.js';

/** A batch command body: does its work, prints through ctx, returns an exit code. Throw OpsError for failures. */
export type BatchHandler<O> = (ctx: CommandContext, opts: O, args: string[]) => Promise<ExitCode>;

/** Wraps a handler into a commander action: builds the context, maps errors to exit codes. */
export type ActionWrapper = <O>(handler: BatchHandler<O>) => (...commanderArgs: unknown[]) => Promise<void>;

/** Each area exports one of these from src/cli/commands/<area>.ts. */
export type RegisterArea = (program: Command, action: ActionWrapper) => void;
