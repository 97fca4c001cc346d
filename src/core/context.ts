/**
 * The context every command, pane and domain receives: config, clock, cloud,
 * audit, progress and output. It lives below the domains (DESIGN.md: arrows
 * point down) so a domain such as haproxy/ or runbooks/ takes it without
 * reaching up into cli/. The CLI builds it (src/cli/context.ts); the TUI gets
 * the same object.
 */
import os from 'node:os';
import path from 'node:path';
import type { CloudPorts } from '../cloud/ports.js';
import { isAwsEndpoint, readProfile } from '../config/aws-profile.js';
import type { Config } from '../config/schema.js';
import type { AuditLog } from './audit.js';
import { REMOTE_DEFAULTS } from './deadline.js';
import type { Clock } from './clock.js';
import type { ProgressSink } from './progress.js';

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
  /** --timeout in ms; undefined: the command's own default (none for the TUI) */
  timeoutMs?: number | undefined;
}

/** What a command, a pane or a domain function gets. Built by src/cli/context.ts; the TUI receives the same. */
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
  /**
   * Aborts when the command's overall deadline passes (--timeout, or the
   * command's default); never in the TUI, whose loads have per-call deadlines.
   * Pass it to locks and long loops: work that outlives it is abandoned.
   */
  signal: AbortSignal;
  /**
   * Where this session keeps its state: locks/, runs/, the audit log.
   * $XDG_STATE_HOME/opsdeck for real runs; inside sandboxDir on the sandbox,
   * so a rehearsal at a terminal never takes the nightly cron's lock.
   */
  stateDir: string;
  /** Where the sandbox keeps its files (haproxy work dir, object store, state); undefined when not on the sandbox. */
  sandboxDir: string | undefined;
}

export function sandboxDirFor(env: NodeJS.ProcessEnv = process.env): string {
  const uid = process.getuid?.() ?? (env.USER || 'user');
  // the injected environment decides, as it does for every other path here
  return path.join(env.TMPDIR || os.tmpdir(), `opsdeck-sandbox-${uid}`);
}

/**
 * The account a person sees in the TUI header: what the SDK will use, so the
 * environment counts (AWS_PROFILE, AWS_REGION) when no flag or config names one,
 * and the endpoint whenever it is not AWS's own.
 */
export function accountLabel(ctx: Pick<CommandContext, 'options' | 'config'>, env: NodeJS.ProcessEnv): { profile: string; region: string; endpoint?: string } {
  const { options, config } = ctx;
  if (options.sandbox) return { profile: options.profile ?? config.aws.profile ?? 'sandbox', region: options.region ?? config.aws.region ?? 'sandbox-1' };
  const named = options.profile ?? config.aws.profile ?? (env['AWS_PROFILE'] || undefined);
  const fromProfile = named ? readProfile(named, env) : undefined;
  const endpoint = config.aws.endpoint ?? (env['AWS_ENDPOINT_URL'] || fromProfile?.endpoint || Object.values(fromProfile?.serviceEndpoints ?? {})[0]);
  const label = {
    profile: named ?? 'default',
    region: options.region ?? config.aws.region ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || fromProfile?.region || 'no region'),
  };
  if (endpoint === undefined || isAwsEndpoint(endpoint)) return label;
  let host = endpoint;
  try {
    host = new URL(endpoint).host;
  } catch {
    /* shown as written */
  }
  return { ...label, endpoint: host };
}

/** The lock directory of a session: see CommandContext.stateDir. */
export const lockDirOf = (ctx: Pick<CommandContext, 'stateDir'>): string => path.join(ctx.stateDir, 'locks');

/** How long a TUI load may take before it shows as an error: --timeout, or REMOTE_DEFAULTS.tuiLoadTimeoutMs. */
export const loadDeadlineMs = (ctx: Pick<CommandContext, 'options'>): number => ctx.options.timeoutMs ?? REMOTE_DEFAULTS.tuiLoadTimeoutMs;
