/**
 * The HAProxy side of taking an instance away (scaling terminate, shutdown):
 * which pool backends list it as a server (the live haproxy.cfg the sync
 * wrote), DRAIN there through the runtime API, and its current sessions.
 * On the sandbox the admin state is recorded as the Fleet pane's is, and
 * there are no sessions to count.
 */
import type { Config } from '../config/schema.js';
import type { AuditLog } from '../core/audit.js';
import type { PoolDrain } from '../scaling/drain.js';
import { poolMembers } from './members.js';
import { liveServers, serverSessions, setServerState } from './runtime.js';
import { syncSettings } from './sandbox.js';
import { sandboxLiveServers, setSandboxServerState } from './sandbox-state.js';

export async function poolDrain(o: { config: Config; sandboxDir: string | undefined; audit: AuditLog }): Promise<PoolDrain> {
  const settings = await syncSettings(o.config, o.sandboxDir);
  const { members: inPool, unreadable } = await poolMembers(settings);
  const socket = settings.haproxy.runtimeSocket;
  return {
    unreadable,
    backendsOf: (id) => inPool.get(id) ?? [],
    async drain(backend, id) {
      const live = settings.sandbox ? await sandboxLiveServers(settings) : await liveServers(socket, [backend]);
      // MAINT already takes no traffic; DRAIN from there would clear MAINT and let checks and persistent clients back in
      if (live.find((x) => x.backend === backend && x.name === id)?.admin === 'maint') {
        await o.audit.append({ action: 'haproxy.server-state', target: `${backend}/${id}`, result: 'skipped', details: { state: 'drain', why: 'in MAINT already' } });
        return;
      }
      if (settings.sandbox) await setSandboxServerState(settings, backend, id, 'drain');
      else await setServerState(socket, backend, id, 'drain');
      await o.audit.append({ action: 'haproxy.server-state', target: `${backend}/${id}`, result: 'ok', details: { state: 'drain', why: 'before terminating the instance', ...(settings.sandbox ? { simulated: true } : {}) } });
    },
    // a server the worker no longer lists has no sessions left to wait for
    sessions: async (backend, id) => (settings.sandbox ? 0 : ((await serverSessions(socket, backend, id)) ?? 0)),
  };
}
