import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { CloudError } from '../cloud/ports.js';
import { ExitCode, OpsError, formatError, isOpsError } from '../core/errors.js';
import { deadline, parseDuration, raceSignal } from '../core/deadline.js';
import { closest } from '../core/suggest.js';
import { commandWord, registerAll } from './commands/index.js';
import { buildContext, plainIO, type ContextDeps, type PlainWrapper } from './context.js';
import type { CommandContext, GlobalOptions } from '../core/context.js';
import type { ActionWrapper } from './types.js';

export interface MainDeps {
  /** opens the Ink TUI; views/main.ts passes one that imports views/run.js lazily */
  launchTui?: (ctx: CommandContext, opts: { initialPane?: string }) => Promise<ExitCode>;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  /** stdin and stdout are terminals; decides TUI vs batch and colour */
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  createCloud?: ContextDeps['createCloud'];
  clock?: ContextDeps['clock'];
  /**
   * Aborts when the process gets SIGINT or SIGTERM (views/main.ts wires it);
   * its reason is an OpsError whose exitCode is 130 or 143. The running
   * command sees it through ctx.signal, cancels cleanly, and the run exits
   * with that code.
   */
  interrupt?: AbortSignal;
}

const HELP_HINT = 'hint: run `opsdeck --help` for commands and options';

const HELP_AFTER = `
Modes:
  opsdeck                 opens the terminal UI (needs a terminal)
  opsdeck tui [pane]      opens the terminal UI at a pane (fleet, snapshots, ...)
  opsdeck <command>       always runs headless: prints results and exits, also on a
                          terminal; without a terminal --batch is implied (no prompts)

With no config file anywhere and no --profile/--region, opsdeck uses the built-in sandbox.
Exit codes: 0 done, 1 failed, 2 usage or config error, 3 refused by a safety guard,
4 another run holds the lock.`;

/** The package version, found by walking up from this file (works from src/ and dist/). */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'opsdeck' && pkg.version) return pkg.version;
    } catch {
      /* keep walking */
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

/** What to check when the AWS endpoint gave no answer at all (the code is Node's errno name). */
function networkHint(code: string): string | undefined {
  if (code === 'ENOTFOUND') return 'the endpoint host name does not resolve: check aws.endpoint / AWS_ENDPOINT_URL and the region';
  if (!/^E[A-Z]+$/.test(code)) return undefined;
  return 'no answer from the AWS endpoint: check aws.endpoint / AWS_ENDPOINT_URL, proxies (HTTPS_PROXY) and the network; retrying later may work';
}

/** "snapshots rotate" for the rotate subcommand: what a timeout message names. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function flattenArgs(values: unknown[]): string[] {
  return values.flatMap((v) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]));
}

/**
 * The whole CLI as a function: argv without node and the script, returns the
 * exit code. Never throws and never prints a stack trace (unless OPSDECK_DEBUG).
 */
export async function main(argv: string[], deps: MainDeps = {}): Promise<ExitCode> {
  const env = deps.env ?? process.env;
  const rawOut = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  // Whether a command already printed its document: a failure after that must not append a second one.
  let wroteStdout = false;
  const out = (s: string): void => {
    if (s.length > 0) wroteStdout = true;
    rawOut(s);
  };
  const endOfOptions = argv.indexOf('--');
  const jsonRequested = (endOfOptions < 0 ? argv : argv.slice(0, endOfOptions)).includes('--json');
  const err = deps.stderr ?? ((s: string) => void process.stderr.write(s));
  const isTTY = deps.isTTY ?? Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const ctxDeps: ContextDeps = {
    stdout: out,
    stderr: err,
    env,
    ...(deps.cwd ? { cwd: deps.cwd } : {}),
    ...(deps.createCloud ? { createCloud: deps.createCloud } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  };
  let exitCode: ExitCode = ExitCode.Ok;

  /** Says what went wrong on stderr and returns the exit code; with --json, stdout gets it as a document too. */
  const report = (e: unknown): ExitCode => {
    let code: ExitCode;
    let doc: { code: string; message: string; hint?: string; retryable: boolean };
    if (e instanceof CloudError) {
      // The cloud said no (credentials, permissions, throttling): operational, not a bug.
      const generic = !e.code || e.code === 'Error' || e.message.startsWith(e.code);
      const message = generic ? e.message : `${e.code}: ${e.message}`;
      err(`error: ${message}\n`);
      const hint = networkHint(e.code);
      if (hint) err(`hint: ${hint}\n`);
      // No region anywhere is a setup mistake that no retry fixes: cron should see "config", not "failed".
      code = e.code === 'RegionMissing' ? ExitCode.Usage : ExitCode.Failed;
      doc = { code: e.code || 'CLOUD', message, ...(hint ? { hint } : {}), retryable: e.retryable };
    } else if (isOpsError(e)) {
      err(formatError(e) + '\n');
      code = e.exitCode;
      doc = { code: e.code, message: [e.message, ...e.details].join('\n'), ...(e.hint ? { hint: e.hint } : {}), retryable: e.retryable };
    } else {
      err(formatError(e) + '\n');
      err(env.OPSDECK_DEBUG ? `${(e as Error)?.stack ?? ''}\n` : 'hint: this is a bug in opsdeck; rerun with OPSDECK_DEBUG=1 for details\n');
      code = ExitCode.Failed;
      doc = { code: 'BUG', message: e instanceof Error ? e.message : String(e), retryable: false };
    }
    // A script reading --json output gets one document whatever happened, unless the command already printed its own.
    if (jsonRequested && !wroteStdout) out(`${JSON.stringify({ ok: false, exitCode: code, error: doc }, null, 2)}\n`);
    return code;
  };
  const run = async (fn: () => Promise<ExitCode>): Promise<void> => {
    try {
      exitCode = await fn();
    } catch (e) {
      exitCode = report(e);
    }
  };

  const program = new Command('opsdeck');
  program
    .exitOverride()
    .configureOutput({
      writeOut: out,
      writeErr: err,
      // Commander's own usage errors: one line, then where to look.
      outputError: (str, write) => write(`${str.trimEnd()}\n${HELP_HINT}\n`),
    })
    .showSuggestionAfterError(true)
    .description('Terminal operations console for an EC2 web stack')
    .version(packageVersion(), '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--sandbox', 'use the built-in simulated world (no AWS account needed)')
    .option('--read-only', 'turn every mutation off (refused with exit 3)')
    .option('--config <path>', 'config file (default: $OPSDECK_CONFIG, ./opsdeck.yaml, ~/.config/opsdeck/config.yaml)')
    .option('--profile <name>', 'AWS profile (overrides aws.profile)')
    .option('--region <name>', 'AWS region (overrides aws.region)')
    .option('--batch', 'no prompts, no TUI (implied without a terminal)')
    .option('--json', 'machine-readable output on stdout')
    .option('--yes', 'apply the plan without asking')
    .option('--timeout <duration>', "overall deadline for a batch command, e.g. 90s, 10m, 2h (default: the command's own)")
    .addHelpText('after', HELP_AFTER);

  const globals = (cmd: Command): GlobalOptions => {
    const o = cmd.optsWithGlobals<Record<string, unknown>>();
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return {
      sandbox: o.sandbox === true,
      readOnly: o.readOnly === true,
      config: str(o.config),
      profile: str(o.profile),
      region: str(o.region),
      batch: o.batch === true || !isTTY,
      json: o.json === true,
      yes: o.yes === true,
      timeoutMs: typeof o.timeout === 'string' ? parseDuration(o.timeout) : undefined,
    };
  };

  // commander calls actions with (...operands, options, command).
  const split = (args: unknown[]): { cmd: Command; opts: unknown; positional: string[] } => ({
    cmd: args[args.length - 1] as Command,
    opts: args[args.length - 2],
    positional: flattenArgs(args.slice(0, -2)),
  });
  const action: ActionWrapper = (handler, defaults) => async (...args) => {
    const { cmd, opts, positional } = split(args);
    await run(async () => {
      const g = globals(cmd);
      const ms = g.timeoutMs ?? (typeof defaults.timeoutMs === 'function' ? defaults.timeoutMs(opts as never) : defaults.timeoutMs);
      const name = `opsdeck ${commandPath(cmd)}`;
      const dl = deadline(ms, name, `a remote service stopped answering, or the work is larger than the deadline: check the endpoint and network (aws.endpoint, proxies), or pass a longer --timeout`);
      const signal = deps.interrupt ? AbortSignal.any([dl.signal, deps.interrupt]) : dl.signal;
      try {
        const ctx = await buildContext(g, { ...ctxDeps, signal });
        // The handler may be stuck on a socket that never answers: the race hands control back at the deadline.
        // A moment of grace lets it unwind (deletions in flight, locks released in finally blocks) when it does react.
        const code = await raceSignal(handler(ctx, opts as never, positional), signal, defaults.graceMs ?? 5_000);
        // Cancelled by a signal and unwound cleanly: the exit code still says how the run ended.
        if (deps.interrupt?.aborted) throw deps.interrupt.reason;
        return code;
      } finally {
        dl.dispose();
      }
    });
  };
  const plain: PlainWrapper = (handler) => async (...args) => {
    const { cmd, opts, positional } = split(args);
    await run(() => handler(plainIO(globals(cmd), ctxDeps), opts as never, positional));
  };

  const openTui = async (cmd: Command, initialPane: string | undefined): Promise<ExitCode> => {
    const g = globals(cmd);
    if (!isTTY || !deps.launchTui) {
      throw new OpsError('USAGE', 'the terminal UI needs a terminal (stdin and stdout are not a TTY)', {
        hint: 'run a command instead, e.g. `opsdeck instances --batch`; see `opsdeck --help`',
      });
    }
    return deps.launchTui(await buildContext(g, ctxDeps), initialPane === undefined ? {} : { initialPane });
  };

  const valueOptions = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)));
  // A bare `opsdeck` on a terminal opens the TUI, which needs no batch command: skip their
  // modules (zod among them) so the first frame comes sooner. Usage and --help list them all.
  const word = commandWord(argv, valueOptions);
  const bareTui = word === undefined && isTTY && !argv.some((a) => a === '-h' || a === '--help' || a === '--batch');
  await registerAll(program, action, plain, bareTui ? 'tui' : word);

  program
    .command('tui [pane]')
    .description('open the terminal UI, optionally at a pane')
    .action(async (pane: string | undefined, _opts: unknown, cmd: Command) => run(() => openTui(cmd, pane)));

  // Bare `opsdeck`: the TUI on a terminal; otherwise a short usage, since cron
  // calling opsdeck without a command is a mistake worth a non-zero exit.
  program.allowExcessArguments(true).action(async (_opts: unknown, cmd: Command) =>
    run(async () => {
      if (cmd.args.length > 0) {
        const word = String(cmd.args[0]);
        const near = closest(word, program.commands.map((c) => c.name()));
        throw new OpsError('USAGE', `unknown command '${word}'${near ? ` (did you mean ${near}?)` : ''}`, {
          hint: 'run `opsdeck --help` for the commands',
        });
      }
      if (!isTTY || globals(cmd).batch) {
        err(`usage: opsdeck [options] <command>\n${program.commands.map((c) => `  ${c.name().padEnd(10)} ${c.description()}`).join('\n')}\n${HELP_HINT}\n`);
        return ExitCode.Usage;
      }
      return openTui(cmd, undefined);
    }),
  );

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; anything else is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.Ok;
      if (jsonRequested && !wroteStdout) out(`${JSON.stringify({ ok: false, exitCode: ExitCode.Usage, error: { code: 'USAGE', message: e.message.replace(/^error: /, ''), retryable: false } }, null, 2)}\n`);
      return ExitCode.Usage;
    }
    return report(e);
  }
  return exitCode;
}
