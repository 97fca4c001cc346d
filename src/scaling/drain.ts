/**
 * Taking an instance out of an Auto Scaling group without cutting its
 * users off: when the Fleet's HAProxy pool holds the instance, it is set to
 * DRAIN there first (no new sessions), its current sessions are waited on
 * (up to drainTimeoutSeconds), and only then is it terminated. The scaling
 * area knows HAProxy only through the PoolDrain port below; src/haproxy/drain.ts
 * implements it over the runtime API (or the sandbox's recorded states).
 */
import type { Clock } from '../core/clock.js';

/** The HAProxy pool as a terminate or a shutdown needs it. */
export interface PoolDrain {
  /** the pool backends whose live config lists this instance as a server (empty: not in the pool) */
  backendsOf(instanceId: string): string[];
  /** set the server to DRAIN in that backend */
  drain(backend: string, instanceId: string): Promise<void>;
  /** current sessions of the server; 0 where nothing can be counted (the sandbox) */
  sessions(backend: string, instanceId: string): Promise<number>;
  /** why the pool could not be read, when it could not: then no drain step is planned and the plan says so */
  unreadable?: string | undefined;
}

export interface DrainServer {
  instanceId: string;
  backends: string[];
}

/** The drain step for the instances of `ids` that the pool holds; undefined when it holds none. */
export function drainStep(group: string, ids: readonly string[], pool: PoolDrain | undefined, timeoutSeconds: number) {
  const servers: DrainServer[] = pool ? ids.map((id) => ({ instanceId: id, backends: pool.backendsOf(id) })).filter((s) => s.backends.length > 0) : [];
  return servers.length ? { op: 'drainServer' as const, group, servers, timeoutSeconds } : undefined;
}

/**
 * Applies a drain step: every server to DRAIN, then polls their sessions
 * until none is left or the timeout passes. A timeout does not stop the
 * plan: the person confirmed "drain, then terminate", and the step says how
 * many sessions were cut.
 */
export async function applyDrain(
  c: { group: string; servers: DrainServer[]; timeoutSeconds: number },
  o: { pool: PoolDrain; clock: Clock; signal?: AbortSignal | undefined; onStep?: ((line: string) => void) | undefined; pollMs?: number | undefined },
): Promise<{ left: number }> {
  for (const s of c.servers) for (const b of s.backends) await o.pool.drain(b, s.instanceId);
  const end = o.clock.now().getTime() + c.timeoutSeconds * 1000;
  for (;;) {
    o.signal?.throwIfAborted();
    let left = 0;
    for (const s of c.servers) for (const b of s.backends) left += await o.pool.sessions(b, s.instanceId);
    if (left === 0) return { left };
    if (o.clock.now().getTime() >= end) {
      o.onStep?.(`  ${left} session(s) still open after ${c.timeoutSeconds} s in DRAIN: going on (scaling.drainTimeoutSeconds)`);
      return { left };
    }
    o.onStep?.(`  DRAIN: ${left} session(s) still open`);
    await o.clock.sleep(Math.min(o.pollMs ?? 1000, 1000), o.signal);
  }
}
