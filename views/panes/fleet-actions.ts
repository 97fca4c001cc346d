/**
 * The Fleet pane's mutations: apply the pool plan (a), apply it past the
 * removal/empty guards (F), set a server's admin state (d/m/u). Each shows
 * what will happen, asks, then does exactly what was shown.
 */
import type { CommandContext } from '../../src/core/context.js';
import type { Instance } from '../../src/cloud/ports.js';
import type { SyncPlan } from '../../src/haproxy/plan.js';
import { applyPool, planPool, setPoolServerState, type PoolView } from '../../src/haproxy/pool.js';
import { summaryLine } from '../../src/haproxy/report.js';
import type { ServerAdminState } from '../../src/haproxy/runtime.js';
import { refuseIfReadOnly, type SessionStore } from '../../src/store/session.js';
import { describeError } from '../components/ErrorPanel.js';
import { fit } from '../format.js';

/** Guards a person may override in the pane (like --force / --allow-empty); discovery and haproxy -c never. */
const OVERRIDABLE = new Set(['removal', 'empty']);

function failed(store: SessionStore, e: unknown): void {
  const d = describeError(e);
  store.getState().setFlash(`not applied: ${d.message}${d.hint ? ` (${d.hint})` : ''}`, 'error');
}

async function confirmAndApply(ctx: CommandContext, store: SessionStore, view: PoolView, p: SyncPlan, overridden: readonly string[]): Promise<void> {
  const diffBody = p.diff.split('\n').filter((l) => /^[-+][^-+]/.test(l));
  const removed = p.summary.removed.length;
  const ok = await store.getState().confirm({
    title: `Apply HAProxy change to ${p.configPath}`,
    body: [
      summaryLine(p),
      // What is confirmed is what is written: say when it was made (a time stays
      // true while the dialog is open; an age would not), and that a changed live file refuses it.
      `planned at ${new Date(p.createdAt).toISOString().slice(11, 19)} UTC (refused if the live file changed since) · ${p.validation.message}`,
      ...overridden.map((m) => `OVERRIDING: ${m.replace(/: allowed by --force$| \(--allow-empty\)$/, '')}`),
      ...diffBody.slice(0, 8),
      ...(diffBody.length > 8 ? [`… ${diffBody.length - 8} more lines`] : []),
    ],
    confirmLabel: `Apply +${p.summary.added.length} -${removed}`,
    destructive: removed > 0,
    ...(overridden.length ? { typed: String(removed) } : {}),
  });
  if (!ok) return;
  // Quitting half-way would leave a renamed but unverified config: the shell waits for the apply.
  store.getState().setBusy({ label: 'an HAProxy apply' });
  try {
    store.getState().setFlash(`applying ${summaryLine(p)}: haproxy -c, backup, rename, reload…`);
    const r = await applyPool(ctx, view, p, (line) => store.getState().setFlash(`applying: ${line}`));
    store.getState().setFlash(`applied ${summaryLine(p)}; ${r.reload}${r.backup ? `; backup ${r.backup}` : ''}`);
    store.getState().setExitNote(`haproxy: applied ${summaryLine(p)}; ${r.reload}`);
  } catch (e) {
    failed(store, e);
  } finally {
    store.getState().setBusy(undefined);
  }
}

/** a: the plan on screen, after confirmation. */
export async function applyShownPlan(ctx: CommandContext, store: SessionStore, view: PoolView | undefined, loading: boolean): Promise<void> {
  if (refuseIfReadOnly(store, 'applying the HAProxy change')) return;
  const p = view?.plan;
  if (!view || !p) {
    store.getState().setFlash(loading ? 'the plan is still loading' : 'no plan: see the pool panel', 'warn');
    return;
  }
  // Refusals first: a plan from a failed discovery is unchanged only because nothing is known.
  if (!p.allowed) {
    const bad = p.guards.filter((g) => !g.ok);
    const canForce = bad.every((g) => OVERRIDABLE.has(g.guard));
    store.getState().setFlash(`${bad[0]?.message ?? 'refused'}${canForce ? ' · F reviews and applies it anyway' : ''}`, 'warn');
    return;
  }
  if (!p.changed) {
    store.getState().setFlash('pool already in sync: nothing to apply');
    return;
  }
  await confirmAndApply(ctx, store, view, p, []);
}

/** F: re-plan with the removal/empty guards overridden, show it, typed confirmation (the number removed). */
export async function forceApply(ctx: CommandContext, store: SessionStore, view: PoolView | undefined): Promise<void> {
  if (refuseIfReadOnly(store, 'applying the HAProxy change')) return;
  if (!view?.plan) {
    store.getState().setFlash('no plan yet: see the pool panel', 'warn');
    return;
  }
  if (view.plan.allowed) {
    store.getState().setFlash('no guard refuses this plan: a applies it', 'warn');
    return;
  }
  let p: SyncPlan;
  try {
    p = await planPool(ctx, view.settings, { force: true, allowEmpty: true });
  } catch (e) {
    failed(store, e);
    return;
  }
  const hard = p.guards.filter((g) => !g.ok);
  if (hard.length > 0 || !p.changed) {
    store.getState().setFlash(hard[0] ? `cannot be overridden: ${hard[0].message}` : 'pool already in sync: nothing to apply', 'warn');
    return;
  }
  const overridden = p.guards.filter((g) => OVERRIDABLE.has(g.guard)).map((g) => g.message);
  await confirmAndApply(ctx, store, view, p, overridden);
}

/** d/m/u on the selected instance. */
export async function setSelectedState(ctx: CommandContext, store: SessionStore, view: PoolView | undefined, selected: Instance | undefined, state: ServerAdminState): Promise<void> {
  if (!selected || !view) return;
  if (refuseIfReadOnly(store, `setting servers to ${state}`)) return;
  if (!view.inPool.has(selected.id)) {
    store.getState().setFlash(`${selected.id} is not a server in the pool`, 'warn');
    return;
  }
  const where = view.inPool.get(selected.id)?.join(', ') ?? '';
  const ok = await store.getState().confirm({
    title: `Set ${selected.id} to ${state}`,
    body: [
      // The Name tag is API data: fit() neutralises control characters.
      `server ${selected.id} (${selected.name === undefined ? 'no name' : fit(selected.name, 40).trimEnd()}) in backend ${where}`,
      state === 'drain' ? 'drain: no new connections, current ones finish (e.g. before terminating it)' : state === 'maint' ? 'maint: taken out of the pool now' : 'ready: back in rotation',
      ...(view.settings.sandbox ? ['sandbox: simulated, no haproxy runs here'] : [`runtime API: ${view.settings.haproxy.runtimeSocket}`]),
    ],
    confirmLabel: `Set ${state}`,
    destructive: state !== 'ready',
  });
  if (!ok) return;
  try {
    await setPoolServerState(ctx, view, selected.id, state);
    store.getState().setFlash(`${selected.id}: ${state}`);
  } catch (e) {
    store.getState().setFlash(describeError(e).message, 'error');
  }
}
