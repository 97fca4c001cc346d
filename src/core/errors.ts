/**
 * Exit codes are a contract with cron and scripts (DESIGN.md "Batch conventions"):
 * never renumber them.
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Usage: 2,
  Refused: 3,
  Locked: 4,
  /** 128 + SIGINT: what shells and cron wrappers expect of a run stopped by Ctrl-C */
  Interrupted: 130,
  /** 128 + SIGTERM */
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'USAGE'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'SECRET_UNRESOLVED'
  | 'LOCK_HELD'
  | 'REFUSED'
  | 'READ_ONLY'
  | 'DISCOVERY_FAILED'
  | 'VALIDATION_FAILED'
  | 'CLOUD'
  | 'IO'
  | 'PLAN_STALE'
  | 'INTERNAL'
  | 'TIMEOUT'
  | (string & {});

const exitFor: Record<string, ExitCode> = {
  USAGE: ExitCode.Usage,
  CONFIG_NOT_FOUND: ExitCode.Usage,
  CONFIG_INVALID: ExitCode.Usage,
  SECRET_UNRESOLVED: ExitCode.Usage,
  LOCK_HELD: ExitCode.Locked,
  REFUSED: ExitCode.Refused,
  READ_ONLY: ExitCode.Refused,
  PLAN_STALE: ExitCode.Refused,
};

/**
 * The one error type that reaches a user. `message` says what happened,
 * `hint` says what to do about it; neither may contain a secret.
 */
export class OpsError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: ExitCode;
  /** Extra lines (e.g. one per config problem) printed under the message. */
  readonly details: readonly string[];
  /** Trying again later may work (a timeout, a refused connection), as opposed to a mistake to fix first. */
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { hint?: string; exitCode?: ExitCode; details?: readonly string[]; cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'OpsError';
    this.code = code;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? exitFor[code] ?? ExitCode.Failed;
    this.details = opts.details ?? [];
    this.retryable = opts.retryable ?? false;
  }
}

export function refused(message: string, hint?: string): OpsError {
  return new OpsError('REFUSED', message, hint === undefined ? {} : { hint });
}

export function isOpsError(e: unknown): e is OpsError {
  return e instanceof OpsError;
}

/** Render any thrown value for a person: never a stack trace unless OPSDECK_DEBUG is set. */
export function formatError(e: unknown): string {
  if (isOpsError(e)) {
    const lines = [`error: ${e.message}`];
    for (const d of e.details) lines.push(`  ${d}`);
    if (e.hint) lines.push(`hint: ${e.hint}`);
    return lines.join('\n');
  }
  const msg = e instanceof Error ? e.message : String(e);
  return `error: ${msg}`;
}
