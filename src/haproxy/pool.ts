/**
 * The Fleet pane's view of the pool, headless: the sync plan (discovery,
 * diff, guards), which instances are servers now, and their live state
 * from the runtime API. On the sandbox no haproxy runs, so drain/maint/ready
 * are recorded in the sandbox dir (sandbox-state.ts) and say so.
 */
import { lockDirOf, type CommandContext } from '../core/context.js';
import { applySync, type ApplyResult } from './apply.js';
import { planSync, type PlanOptions, type SyncPlan } from './plan.js';
import { serverStateText } from './health.js';
import { poolMembers } from './members.js';
import { liveServers, setServerState, type LiveServer, type ServerAdminState } from './runtime.js';
import { syncSettings, type SyncSettings } from './sandbox.js';
import { sandboxLiveServers, setSandboxServerState, SIMULATED as SIMULATED_CHECK } from './sandbox-state.js';

export type PoolContext = Pick<CommandContext, 'config' | 'sandboxDir' | 'clock' | 'cloud' | 'audit' | 'options' | 'stateDir'>;

export interface PoolView {
  settings: SyncSettings;
  /** undefined when planning failed (see planError) */
  plan: SyncPlan | undefined;
  planError: unknown;
  /** instance id -> the backends whose live config lists it */
  inPool: Map<string, string[]>;
  /** instance id -> its server as the runtime API reports it (first backend that has it) */
  live: Map<string, LiveServer>;
  /** why live states are missing: socket down, sandbox... */
  liveNote: string | undefined;
}

export { SIMULATED } from './sandbox-state.js';

/** A fresh plan (new discovery) with the given guard overrides; what the pane shows and confirms. */
export async function planPool(ctx: PoolContext, settings: SyncSettings, options: Pick<PlanOptions, 'force' | 'allowEmpty'> = {}): Promise<SyncPlan> {
  return planSync({ cloud: await ctx.cloud(), fleet: settings.fleet, haproxy: settings.haproxy, clock: ctx.clock, options: { ...options, sandbox: settings.sandbox } });
}

export async function loadPool(ctx: PoolContext): Promise<PoolView> {
  const settings = await syncSettings(ctx.config, ctx.sandboxDir);
  const view: PoolView = { settings, plan: undefined, planError: undefined, inPool: new Map(), live: new Map(), liveNote: undefined };
  const [plan, live] = await Promise.allSettled([
    planPool(ctx, settings),
    settings.sandbox ? sandboxLiveServers(settings) : liveServers(settings.haproxy.runtimeSocket, settings.haproxy.backends),
  ]);
  if (plan.status === 'fulfilled') view.plan = plan.value;
  else view.planError = plan.reason;
  view.inPool = (await poolMembers(settings)).members;
  if (live.status === 'fulfilled') {
    for (const s of live.value) if (!view.live.has(s.name)) view.live.set(s.name, s);
    if (settings.sandbox) view.liveNote = 'sandbox: no runtime API, server states simulated (sim)';
  } else {
    view.liveNote = `no live state: ${live.reason instanceof Error ? live.reason.message : String(live.reason)}`;
  }
  return view;
}

/**
 * Each pool member's state as the Fleet pane shows it (`UP`, `DRAIN·DOWN`,
 * `sim ready`), for other panes that list instances (Scaling): the live
 * config says who is a server, the runtime API how it is. No discovery, no
 * plan: this is a look, not a sync.
 */
export async function poolStates(ctx: Pick<PoolContext, 'config' | 'sandboxDir'>): Promise<{ of(instanceId: string): string | undefined; note: string | undefined }> {
  const settings = await syncSettings(ctx.config, ctx.sandboxDir);
  const { members, unreadable } = await poolMembers(settings);
  const live = new Map<string, LiveServer>();
  let note = unreadable === undefined ? undefined : `pool membership unknown (${unreadable})`;
  try {
    for (const s of settings.sandbox ? await sandboxLiveServers(settings) : await liveServers(settings.haproxy.runtimeSocket, settings.haproxy.backends)) if (!live.has(s.name)) live.set(s.name, s);
  } catch (e) {
    note ??= `no live HAProxy state: ${e instanceof Error ? e.message : String(e)}`;
  }
  return {
    note,
    of: (id) => {
      const s = live.get(id);
      return s ? serverStateText(s) : members.has(id) ? 'in config' : unreadable === undefined ? '-' : undefined;
    },
  };
}

/** drain / maint / ready on every synced backend that has the server; audited. */
export async function setPoolServerState(ctx: PoolContext, view: PoolView, instanceId: string, state: ServerAdminState): Promise<string[]> {
  const backends = view.inPool.get(instanceId) ?? [];
  for (const backend of backends) {
    if (view.settings.sandbox) {
      await setSandboxServerState(view.settings, backend, instanceId, state);
    } else {
      await setServerState(view.settings.haproxy.runtimeSocket, backend, instanceId, state);
    }
    await ctx.audit.append({ action: 'haproxy.server-state', target: `${backend}/${instanceId}`, result: 'ok', details: { state, ...(view.settings.sandbox ? { simulated: true } : {}) } });
  }
  return backends;
}

/** `log` gets each step as it happens (validated, backup, reload failing and restoring): a reload can take seconds. */
export function applyPool(ctx: PoolContext, view: PoolView, plan: SyncPlan, log?: (line: string) => void): Promise<ApplyResult> {
  return applySync(plan, { lockDir: lockDirOf(ctx), haproxy: view.settings.haproxy, audit: ctx.audit, clock: ctx.clock, sandbox: view.settings.sandbox, readOnly: ctx.options.readOnly, ...(log ? { log } : {}) });
}

/**
 * The pool's servers counted by what an operator sees first: the admin state
 * an operator set (DRAIN, MAINT), else the health (UP, DOWN, NOLB...), worst
 * first: "10 UP · 1 DOWN · 1 MAINT". Simulated states (the sandbox) say so.
 */
export function poolStateCounts(live: ReadonlyMap<string, LiveServer>): string {
  const order = ['DOWN', 'MAINT', 'DRAIN', 'NOLB', 'READY', 'UP'];
  const counts = new Map<string, number>();
  let simulated = false;
  for (const s of live.values()) {
    if (s.check === SIMULATED_CHECK) simulated = true;
    const word = (s.status.split(/\s/)[0] ?? '').toUpperCase();
    // no health to report (the sandbox, a server without checks): say it is ready, not a made-up UP
    const health = s.check === SIMULATED_CHECK || /^no check/i.test(s.status) ? 'READY' : ['UP', 'DOWN', 'NOLB', 'MAINT', 'DRAIN'].includes(word) ? word : s.status || '?';
    const state = s.admin !== 'ready' ? s.admin.toUpperCase() : health;
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const rank = (k: string): number => (order.includes(k) ? order.indexOf(k) : -1);
  const parts = [...counts].sort((a, b) => rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${n} ${k}`);
  return `${simulated ? 'sim ' : ''}${parts.join(' · ')}`;
}
