import path from 'node:path';
import type { CreateCloudOptions } from '../cloud/index.js';
import type { CloudPorts } from '../cloud/ports.js';
import { loadConfig } from '../config/loader.js';
import type { Config } from '../config/schema.js';
import { openAuditLog } from '../core/audit.js';
import { systemClock, type Clock } from '../core/clock.js';
import { NEVER } from '../core/deadline.js';
import { xdgStateHome } from '../core/paths.js';
import type { ExitCode } from '../core/errors.js';
import { stderrProgress } from './output.js';
import { sandboxDirFor, type CommandContext, type GlobalOptions } from '../core/context.js';

export interface ContextDeps {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  clock?: Clock;
  /** the command's deadline (see src/core/deadline.ts); default: none */
  signal?: AbortSignal;
  /** tests inject a world; default: src/cloud/index.ts createCloud, loaded on first use */
  createCloud?: (opts: CreateCloudOptions) => Promise<CloudPorts>;
}

/** ctx.stdout / ctx.stderr take a line or a block; the newline is added when missing. */
const lines = (write: (s: string) => void) => (text: string) => write(text.endsWith('\n') ? text : `${text}\n`);

/**
 * Build what every command gets. The config is loaded here (a bad one stops
 * the run with exit 2); the cloud only when a command asks for it, so
 * `config check` never loads an SDK. With no config file anywhere (and no
 * --profile/--region), opsdeck runs on the sandbox: nothing real can be
 * touched by accident.
 */
export async function buildContext(options: GlobalOptions, deps: ContextDeps): Promise<CommandContext> {
  const loaded = await loadConfig({ explicit: options.config, env: deps.env, ...(deps.cwd ? { cwd: deps.cwd } : {}) });
  const stdout = lines(deps.stdout);
  const stderr = lines(deps.stderr);
  // --profile/--region name an AWS account: without a config file they still mean AWS, never the sandbox.
  const implicitSandbox = loaded.path === undefined && !options.sandbox && !options.profile && !options.region;
  const opts: GlobalOptions = { ...options, sandbox: options.sandbox || implicitSandbox };
  const config: Config = {
    ...loaded.config,
    // Flags win over the file.
    aws: {
      ...loaded.config.aws,
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.region ? { region: options.region } : {}),
    },
  };
  const clock = deps.clock ?? systemClock;
  const sandboxDir = opts.sandbox ? sandboxDirFor(deps.env) : undefined;
  // The sandbox keeps its own audit trail: demo runs must not fill the real one.
  const stateDir = sandboxDir ? path.join(sandboxDir, 'state') : path.join(xdgStateHome(deps.env), 'opsdeck');
  const audit = openAuditLog({ env: deps.env, clock, ...(sandboxDir ? { path: path.join(sandboxDir, 'audit.log') } : {}) });

  let cloud: Promise<CloudPorts> | undefined;
  return {
    options: opts,
    config,
    configPath: loaded.path,
    clock,
    audit,
    stdout,
    stderr,
    progress: stderrProgress(stderr),
    signal: deps.signal ?? NEVER,
    stateDir,
    sandboxDir,
    cloud() {
      cloud ??= (async () => {
        if (implicitSandbox && opts.batch) stderr('no config found: using the sandbox');
        const create = deps.createCloud ?? (await import('../cloud/index.js')).createCloud;
        return create({
          sandbox: opts.sandbox,
          config,
          clock,
          env: deps.env,
          ...(sandboxDir ? { sandboxDir } : {}),
          ...(options.profile ? { profile: options.profile } : {}),
          ...(options.region ? { region: options.region } : {}),
        });
      })();
      return cloud;
    },
  };
}

/** What a command that must work without a (valid) config gets: `init`, `config check`. */
export interface PlainIO {
  options: GlobalOptions;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type PlainHandler<O> = (io: PlainIO, opts: O, args: string[]) => Promise<ExitCode>;
export type PlainWrapper = <O>(handler: PlainHandler<O>) => (...commanderArgs: unknown[]) => Promise<void>;

export function plainIO(options: GlobalOptions, deps: ContextDeps): PlainIO {
  return { options, stdout: lines(deps.stdout), stderr: lines(deps.stderr), env: deps.env, cwd: deps.cwd ?? process.cwd() };
}

