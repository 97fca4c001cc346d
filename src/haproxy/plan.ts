import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { CloudPorts } from '../cloud/ports.js';
import type { Clock } from '../core/clock.js';
import { isOpsError, OpsError } from '../core/errors.js';
import type { FleetConfig } from '../fleet/config.js';
import { discoverFleet, type DiscoveryProblem, type DiscoveryResult, type PoolMember } from '../fleet/discover.js';
import { checkBackendName, checkServerOptions } from '../fleet/validate.js';
import type { HaproxyConfig } from './config.js';
import { summarize, unifiedDiff, type PoolSummary } from './diff.js';
import { redactConfigText } from './redact.js';
import { renderConfig, serversIn } from './render.js';
import { validateText, type Validation } from './validate.js';

export interface GuardVerdict {
  guard: 'discovery' | 'empty' | 'removal' | 'validation';
  ok: boolean;
  message: string;
}

/** Serializable: what a person (or --yes) approves is exactly what apply() writes. */
export interface SyncPlan {
  kind: 'haproxy.sync';
  createdAt: string;
  configPath: string;
  backends: string[];
  /** sha256 of the live file the diff was made against ('' when it did not exist) */
  liveHash: string;
  liveExists: boolean;
  newConfig: string;
  diff: string;
  summary: PoolSummary;
  /** changed lines that are not server lines: the template and the live file differ elsewhere (a hand edit this sync reverts) */
  otherLines: number;
  members: PoolMember[];
  problems: DiscoveryProblem[];
  source: string;
  guards: GuardVerdict[];
  validation: Validation;
  /** the new config differs from the live one */
  changed: boolean;
  /** every guard passed */
  allowed: boolean;
}

export interface PlanOptions {
  allowEmpty?: boolean;
  force?: boolean;
  /** sandbox: a missing binary is reported as skipped instead of failing */
  sandbox?: boolean;
  signal?: AbortSignal;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OpsError('IO', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

export async function readTemplate(cfg: HaproxyConfig): Promise<string> {
  if (!cfg.template) {
    throw new OpsError('CONFIG_INVALID', 'haproxy.template is not set', {
      hint: 'point haproxy.template at the "default config": your full haproxy.cfg with the pool backend(s) left without server lines',
    });
  }
  const text = await readOptional(cfg.template);
  if (text === undefined) throw new OpsError('CONFIG_INVALID', `haproxy.template ${cfg.template} does not exist`);
  return text;
}

function checkConfigValues(cfg: HaproxyConfig): void {
  for (const b of cfg.backends) {
    const c = checkBackendName(b);
    if (!c.ok) throw new OpsError('CONFIG_INVALID', `haproxy.backends: ${c.reason}`);
  }
  const o = checkServerOptions(cfg.serverOptions);
  if (!o.ok) throw new OpsError('CONFIG_INVALID', `haproxy.serverOptions: ${o.reason}`);
}

/**
 * haproxy.serverStateFile only keeps drain/maint across a reload when the
 * template makes the new worker read that file back; otherwise every sync
 * would silently undo an operator's drains. Refused as a config error.
 */
export function checkStateFileWiring(template: string, cfg: HaproxyConfig): void {
  if (!cfg.serverStateFile) return;
  const where = cfg.template ?? 'the template';
  const named = [...template.matchAll(/^[ \t]*server-state-file[ \t]+(\S+)/gm)].map((m) => m[1] as string);
  const fix = `add "server-state-file ${cfg.serverStateFile}" to global and "load-server-state-from-file global" to defaults, or unset haproxy.serverStateFile`;
  if (!named.some((n) => n === cfg.serverStateFile || cfg.serverStateFile?.endsWith(`/${n}`))) {
    throw new OpsError('CONFIG_INVALID', `haproxy.serverStateFile is ${cfg.serverStateFile}, but ${where} names ${named.length ? named.join(', ') : 'no server-state-file'}: drains would be lost at every sync`, { hint: fix });
  }
  if (!/^[ \t]*load-server-state-from-file[ \t]+(global|local)\b/m.test(template)) {
    throw new OpsError('CONFIG_INVALID', `haproxy.serverStateFile is set, but ${where} has no "load-server-state-from-file": drains would be lost at every sync`, { hint: fix });
  }
}

/**
 * Pure part of planning: template + members + live text -> plan. The guards
 * are verdicts, not exceptions, so a refused plan can still be shown in full.
 */
export function buildSyncPlan(input: {
  template: string;
  live: string | undefined;
  discovery: DiscoveryResult | { error: OpsError };
  haproxy: HaproxyConfig;
  now: Date;
  validation?: Validation;
  options?: PlanOptions;
}): SyncPlan {
  const { haproxy: cfg, options: o = {} } = input;
  const live = input.live ?? '';
  const base = {
    kind: 'haproxy.sync' as const,
    createdAt: input.now.toISOString(),
    configPath: cfg.configPath,
    backends: [...cfg.backends],
    liveHash: input.live === undefined ? '' : sha256(live),
    liveExists: input.live !== undefined,
  };
  if ('error' in input.discovery) {
    const message = `discovery failed, pool left unchanged: ${input.discovery.error.message}`;
    return {
      ...base,
      newConfig: live,
      diff: '',
      summary: summarize(live, live, cfg.backends),
      otherLines: 0,
      members: [],
      problems: [],
      source: '',
      guards: [{ guard: 'discovery', ok: false, message }],
      validation: { status: 'skipped', message: 'not validated: nothing to apply' },
      changed: false,
      allowed: false,
    };
  }
  const d = input.discovery;
  const newConfig = renderConfig(input.template, d.members, {
    backends: cfg.backends,
    serverOptions: cfg.serverOptions,
    templatePath: cfg.template,
    ...(cfg.backendPorts ? { backendPorts: cfg.backendPorts } : {}),
  });
  const summary = summarize(live, newConfig, cfg.backends);
  const guards: GuardVerdict[] = [{ guard: 'discovery', ok: true, message: `discovery: ${d.members.length} instance(s) from ${d.source}` }];
  if (d.members.length === 0) {
    guards.push(
      o.allowEmpty
        ? { guard: 'empty', ok: true, message: 'discovery found no instances: emptying the pool (--allow-empty)' }
        : { guard: 'empty', ok: false, message: 'discovery found no instances: refusing to empty the pool (use --allow-empty if that is intended)' },
    );
  }
  const fraction = summary.before === 0 ? 0 : summary.removed.length / summary.before;
  if (fraction > cfg.maxRemoveFraction) {
    const what = `removes ${summary.removed.length} of ${summary.before} servers (${Math.round(fraction * 100)}% > ${Math.round(cfg.maxRemoveFraction * 100)}%)`;
    guards.push(o.force ? { guard: 'removal', ok: true, message: `${what}: allowed by --force` } : { guard: 'removal', ok: false, message: `the change ${what}: refused without --force` });
  }
  const changed = newConfig !== live;
  const validation = input.validation ?? { status: 'skipped', message: changed ? 'not validated yet' : 'no change: nothing to validate' };
  if (validation.status === 'failed') guards.push({ guard: 'validation', ok: false, message: `haproxy -c rejects the new config: ${validation.message}` });
  // Shown and printed, never applied: secrets inline in the template (stats auth ...) stay out of it.
  const diff = redactConfigText(unifiedDiff(live, newConfig, cfg.configPath.replace(/^\/+/, '')));
  return {
    ...base,
    newConfig,
    diff,
    summary,
    otherLines: otherChangedLines(diff, live, newConfig, cfg.backends),
    members: d.members,
    problems: d.problems,
    source: d.source,
    guards,
    validation,
    changed,
    allowed: guards.every((g) => g.ok),
  };
}

/**
 * Changed lines of the diff that are not the pool's own server lines: hand
 * edits the sync would revert (a server added to another backend, a listen
 * block, a tweaked timeout). Every pool server line that differs counts once
 * on its side, whatever the backend text around it.
 */
function otherChangedLines(diff: string, live: string, next: string, backends: readonly string[]): number {
  const changed = diff.split('\n').filter((l) => /^[-+](?![-+]{2} [ab]\/)/.test(l)).length;
  const before = serversIn(live, backends);
  const after = serversIn(next, backends);
  let pool = 0;
  for (const b of backends) {
    const was = new Set(before.get(b)?.values() ?? []);
    const now = new Set(after.get(b)?.values() ?? []);
    for (const line of was) if (!now.has(line)) pool++;
    for (const line of now) if (!was.has(line)) pool++;
  }
  return Math.max(0, changed - pool);
}

/** Discovers, renders, diffs against the live file and validates with `haproxy -c`. Read-only. */
export async function planSync(deps: {
  cloud: CloudPorts;
  fleet: FleetConfig;
  haproxy: HaproxyConfig;
  clock: Clock;
  options?: PlanOptions;
}): Promise<SyncPlan & { discovery: DiscoveryResult | undefined }> {
  const { haproxy: cfg } = deps;
  checkConfigValues(cfg);
  const template = await readTemplate(cfg);
  checkStateFileWiring(template, cfg);
  const live = await readOptional(cfg.configPath);
  let discovery: DiscoveryResult | { error: OpsError };
  try {
    discovery = await discoverFleet(deps.cloud, deps.fleet, deps.options?.signal ? { signal: deps.options.signal } : {});
  } catch (e) {
    if (isOpsError(e) && e.code === 'DISCOVERY_FAILED') discovery = { error: e };
    else throw e;
  }
  const inputs = { template, live, discovery, haproxy: cfg, now: deps.clock.now(), ...(deps.options ? { options: deps.options } : {}) };
  let plan = buildSyncPlan(inputs);
  if (plan.changed) {
    const validation = await validateText(cfg.binary, plan.newConfig, cfg.configPath, deps.options?.sandbox ?? false);
    plan = buildSyncPlan({ ...inputs, validation });
  }
  return { ...plan, discovery: 'error' in discovery ? undefined : discovery };
}
