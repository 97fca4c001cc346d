import type { Command } from 'commander';
import type { CloudPorts } from '../cloud/ports.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { ExitCode } from '../core/errors.js';
import type { ProgressSink } from '../core/progress.js';
import type { AuditLog } from '../core/audit.js';

/** Global flags, parsed once by src/cli/main.ts. */
export interface GlobalOptions {
  sandbox: boolean;
  readOnly: boolean;
  config: string | undefined;
  profile: string | undefined;
  region: string | undefined;
  batch: boolean;
  json: boolean;
  yes: boolean;
}

/** What a batch command gets. Built by src/cli/context.ts; the TUI builds the same. */
export interface CommandContext {
  options: GlobalOptions;
  config: Config;
  /** the file the config came from; undefined when defaults / sandbox */
  configPath: string | undefined;
  clock: Clock;
  /** Lazily built so commands that need no cloud never load an SDK. */
  cloud(): Promise<CloudPorts>;
  audit: AuditLog;
  /** stdout: results (text or JSON). Never progress. */
  stdout: (text: string) => void;
  /** stderr: progress and warnings, one line at a time. */
  stderr: (text: string) => void;
  progress: ProgressSink;
  /** Where the sandbox keeps its files (haproxy work dir, object store, state); undefined when not on the sandbox. */
  sandboxDir: string | undefined;
}

/** A batch command body: does its work, prints through ctx, returns an exit code. Throw OpsError for failures. */
export type BatchHandler<O> = (ctx: CommandContext, opts: O, args: string[]) => Promise<ExitCode>;

/** Wraps a handler into a commander action: builds the context, maps errors to exit codes. */
export type ActionWrapper = <O>(handler: BatchHandler<O>) => (...commanderArgs: unknown[]) => Promise<void>;

/** Each area exports one of these from src/cli/commands/<area>.ts. */
export type RegisterArea = (program: Command, action: ActionWrapper) => void;
