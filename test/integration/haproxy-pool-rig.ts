/**
 * A real haproxy in front of three loopback backends, plus a mocked EC2 whose
 * instance n is backend n (127.0.0.1, port in the opsdeck:port tag), and a
 * one-call sync to a chosen set of backends. For tests that exercise apply
 * paths (reload methods, state file) rather than planning.
 */
import path from 'node:path';
import { memoryAuditLog } from '../../src/core/audit.js';
import { systemClock } from '../../src/core/clock.js';
import { fleetConfigSchema } from '../../src/fleet/config.js';
import { applySync, type ApplyResult } from '../../src/haproxy/apply.js';
import type { HaproxyConfig } from '../../src/haproxy/config.js';
import { planSync } from '../../src/haproxy/plan.js';
import { liveServers } from '../../src/haproxy/runtime.js';
import { startBackend, startHaproxyRig, type Backend, type HaproxyRig } from '../services/haproxy.js';
import { FakeAws, fakeCloud, iid } from '../unit/fleet-fixtures.js';

export interface PoolRig {
  rig: HaproxyRig;
  /** the mocked EC2 and Auto Scaling behind discovery; a test may answer more Auto Scaling calls on aws.asg */
  aws: FakeAws;
  /** a test may push a backend of its own and sync it by its index */
  backends: Backend[];
  /** plan and apply a pool of the given backend indexes; cfg defaults to rig.config as it is at call time */
  syncTo(members: number[], cfg?: HaproxyConfig): Promise<ApplyResult>;
  /** server names of www_farm as the runtime API lists them */
  names(): Promise<string[]>;
  stop(): Promise<void>;
}

/** The seed's maintenance page: a backend that answers 503 when the pool has no usable server. */
export function withMaintenancePage(cfg: string): string {
  return cfg
    .replace('    default_backend www_farm', '    use_backend maintenance if { nbsrv(www_farm) eq 0 }\n    default_backend www_farm')
    .concat('\nbackend maintenance\n    http-request return status 503 content-type text/plain string "down for maintenance"\n');
}

const fleet = fleetConfigSchema.parse({ discovery: { tags: { role: 'web' } }, portTag: 'opsdeck:port' });

export async function startPoolRig(opts: Parameters<typeof startHaproxyRig>[0] = {}): Promise<PoolRig> {
  const aws = new FakeAws();
  const backends = await Promise.all(['app-a', 'app-b', 'app-c'].map(startBackend));
  let rig: HaproxyRig;
  try {
    rig = await startHaproxyRig(opts);
  } catch (e) {
    aws.restore();
    await Promise.all(backends.map((b) => b.stop()));
    throw e;
  }
  return {
    rig,
    aws,
    backends,
    async syncTo(members, cfg = rig.config) {
      aws.instances = members.map((n) => ({ id: iid(n + 1), privateIp: '127.0.0.1', tags: { role: 'web', 'opsdeck:port': String(backends[n]!.port) } }));
      const plan = await planSync({ cloud: fakeCloud(), fleet, haproxy: cfg, clock: systemClock, options: { force: true } });
      return applySync(plan, { haproxy: cfg, audit: memoryAuditLog(), clock: systemClock, lockDir: path.join(rig.dir, 'locks'), reloadDeadlineMs: 5000 });
    },
    names: async () => (await liveServers(rig.adminSocket, ['www_farm'])).map((s) => s.name),
    async stop() {
      aws.restore();
      await rig.stop();
      await Promise.all(backends.map((b) => b.stop()));
    },
  };
}
