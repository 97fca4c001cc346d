import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { resolveRegion } from '../../config/aws-profile.js';
import { discoverConfig, loadConfig, loadConfigFile, userConfigPath } from '../../config/loader.js';
import type { Config } from '../../config/schema.js';
import { listSecretRefs, parseSecretRefs, redact, resolveSecret, secretFilePath } from '../../config/secrets.js';
import { REMOTE_DEFAULTS } from '../../core/deadline.js';
import { ExitCode, OpsError, isOpsError } from '../../core/errors.js';
import type { PlainIO, PlainWrapper } from '../context.js';
import { toJson } from '../output.js';

/** Keys that must never hold a literal value: a secret pasted into the file. */
const LITERAL_SECRET_KEY = /password|passwd|secret|token/i;

interface SecretStatus {
  keyPath: string;
  refs: string[];
  resolvable: boolean;
  problem?: string;
}

function literalSecrets(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string' && LITERAL_SECRET_KEY.test(k) && !v.includes('${')) return [p];
    return literalSecrets(v, p);
  });
}

/** Secret files anyone else on the machine can read: ssh refuses such keys, we at least say so. */
function exposedSecretFiles(config: Config, file: string): { keyPath: string; text: string }[] {
  const out: { keyPath: string; text: string }[] = [];
  for (const { keyPath, text } of listSecretRefs(config)) {
    for (const ref of parseSecretRefs(text).refs) {
      if (ref.kind !== 'file') continue;
      const abs = secretFilePath(ref.target, path.dirname(file));
      const mode = statSync(abs, { throwIfNoEntry: false })?.mode;
      if (mode !== undefined && (mode & 0o077) !== 0) {
        out.push({ keyPath, text: `${abs} (${keyPath}) is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 600 ${abs}` });
      }
    }
  }
  return out;
}

/** Try each reference without keeping the value: only whether it resolves, and why not. */
function secretStatus(config: Config, file: string, env: NodeJS.ProcessEnv): SecretStatus[] {
  return listSecretRefs(config).map(({ keyPath, refs, text }) => {
    try {
      resolveSecret(text, { keyPath, env, baseDir: path.dirname(file) });
      return { keyPath, refs, resolvable: true };
    } catch (e) {
      return { keyPath, refs, resolvable: false, problem: isOpsError(e) ? e.message : String(e) };
    }
  });
}

function summary(config: Config, region: { region: string; from: string } | undefined): string[] {
  const d = config.fleet.discovery;
  const discovery = [
    d.amiPointer && `AMI pointer ${d.amiPointer}`,
    d.tags && `tags ${Object.keys(d.tags).join(', ')}`,
    d.autoScalingGroup && `ASG ${d.autoScalingGroup}`,
  ].filter(Boolean);
  const w = config.snapshots.windows;
  const names = (r: Record<string, unknown>): string => (Object.keys(r).length ? Object.keys(r).join(', ') : 'none');
  return [
    `aws:       profile ${config.aws.profile ?? '(default chain)'}, region ${region ? `${region.region} (from ${region.from})` : 'not set'}${config.aws.endpoint ? `, endpoint ${config.aws.endpoint}` : ''}; timeouts: connect ${config.aws.connectTimeoutSeconds ?? REMOTE_DEFAULTS.awsConnectTimeoutSeconds}s, read ${config.aws.readTimeoutSeconds ?? REMOTE_DEFAULTS.awsReadTimeoutSeconds}s`,
    `fleet:     ${discovery.length ? discovery.join(' + ') : 'no discovery configured'}; ${config.fleet.address} address, port ${config.fleet.port}`,
    `haproxy:   backends ${config.haproxy.backends.join(', ')} in ${config.haproxy.configPath}; reload via ${config.haproxy.reload.method}`,
    `snapshots: all ${w.keepAllHours}h, daily ${w.dailyDays}d, weekly ${w.weeklyDays}d, monthly ${w.monthlyDays}d (${config.snapshots.timeZone})`,
    `hosts:     ${names(config.hosts)}`,
    `mysql:     ${names(config.mysql)}`,
    `webcam:    ${config.webcam.bucket ? `s3://${config.webcam.bucket}/${config.webcam.prefix}` : 'no bucket'}, every ${config.webcam.intervalMinutes} min`,
  ];
}

async function check(io: PlainIO): Promise<ExitCode> {
  const found = discoverConfig({ explicit: io.options.config, env: io.env, cwd: io.cwd });
  if (!found) {
    throw new OpsError('CONFIG_NOT_FOUND', 'no config file found (looked at $OPSDECK_CONFIG, ./opsdeck.yaml, ' + userConfigPath(io.env) + ')', {
      hint: 'create one with `opsdeck init`; without one opsdeck runs on the sandbox',
    });
  }
  let config: Config;
  try {
    config = await loadConfigFile(found.path);
  } catch (e) {
    if (io.options.json && isOpsError(e) && e.code === 'CONFIG_INVALID') {
      io.stdout(toJson({ valid: false, path: found.path, problems: e.details }));
      return e.exitCode;
    }
    throw e;
  }
  const secrets = secretStatus(config, found.path, io.env);
  const literals = literalSecrets(config);
  // Warnings, not failures: secrets resolve at use, and cron's environment may differ from this shell's.
  // loaded here, not at the top: this module is registered on every run, and the
  // snapshots schema module brings zod, which the cron path must not pay for
  const { windowWarnings } = await import('../../snapshots/config.js');
  const windows = windowWarnings(config.snapshots.windows);
  const warnings: { keyPath: string; text: string }[] = [
    ...secrets.flatMap((s) => (s.resolvable ? [] : [{ keyPath: s.keyPath, text: s.problem ?? 'cannot be resolved' }])),
    ...literals.map((p) => ({ keyPath: p, text: `${p} holds a literal secret; use \${env:NAME} or \${file:PATH} instead` })),
    ...exposedSecretFiles(config, found.path),
    ...windows.map((w) => ({ keyPath: /^\S+/.exec(w)?.[0] ?? '', text: w })),
  ];
  if (warnings.length > 0) {
    // like the errors: file:line:column first, so an editor can jump to the key
    const { locateKey } = await import('../../config/parse.js');
    const text = readFileSync(found.path, 'utf8');
    for (const w of warnings) {
      const at = locateKey(text, w.keyPath);
      io.stderr(`warning: ${at ? `${found.path}:${at.line}:${at.col}  ` : ''}${w.text}`);
    }
  }
  // Without a region every AWS call fails: that is a configuration error, said now rather than at 3 a.m.
  const region = resolveRegion(io.options, config.aws, io.env);
  const regionProblem = region || io.options.sandbox ? undefined : 'region: not set (no --region, aws.region, AWS_REGION, AWS_DEFAULT_REGION or profile region)';
  if (regionProblem) io.stderr(`error: ${regionProblem}\nhint: set aws.region in ${found.path} (e.g. region: us-east-1), or export AWS_REGION`);
  if (io.options.json) {
    io.stdout(toJson({ valid: regionProblem === undefined, path: found.path, source: found.source, region: region ?? null, config: redact(config), secrets, literalSecrets: literals, policyWarnings: windows, ...(regionProblem ? { problems: [regionProblem] } : {}) }));
    return regionProblem ? ExitCode.Usage : ExitCode.Ok;
  }
  io.stdout(`${found.path}: valid (found via ${found.source === 'flag' ? '--config' : found.source === 'env' ? '$OPSDECK_CONFIG' : found.source === 'cwd' ? './opsdeck.yaml' : '$XDG_CONFIG_HOME'})`);
  io.stdout(summary(config, region).map((l) => `  ${l}`).join('\n'));
  if (secrets.length) {
    io.stdout(`  secrets:   ${secrets.length} reference${secrets.length === 1 ? '' : 's'}`);
    for (const s of secrets) io.stdout(`    ${s.keyPath} <- ${s.refs.join(' ')}: ${s.resolvable ? 'resolves' : 'NOT resolvable here'}`);
  }
  return regionProblem ? ExitCode.Usage : ExitCode.Ok;
}

/** The effective config, defaults filled in, literal secrets hidden: what opsdeck will actually use. */
async function show(io: PlainIO): Promise<ExitCode> {
  const loaded = await loadConfig({ explicit: io.options.config, env: io.env, cwd: io.cwd });
  if (!loaded.path) io.stderr('no config file found: showing the defaults (opsdeck runs on the sandbox)');
  const safe = redact(loaded.config);
  if (io.options.json) io.stdout(toJson({ path: loaded.path ?? null, config: safe }));
  else {
    const { configToYaml } = await import('../../config/parse.js');
    io.stdout(`# ${loaded.path ?? 'defaults (no config file)'}\n${configToYaml(safe)}`);
  }
  return ExitCode.Ok;
}

export function registerConfig(program: Command, plain: PlainWrapper): void {
  const cmd = program.command('config').description('inspect the configuration');
  cmd
    .command('check')
    .description('validate the config and print a summary (secret values are never printed)')
    .action(plain(async (io) => check(io)));
  cmd
    .command('show')
    .description('print the effective config with defaults filled in (secret values hidden)')
    .action(plain(async (io) => show(io)));
}
