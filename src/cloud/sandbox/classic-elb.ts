/**
 * The sandbox's classic ELB `web-elb`, the seed's kind of load balancer,
 * named by web-asg beside its target group. Its instances follow the group:
 * registered at launch, OutOfService ("Instance registration is still in
 * progress.") while booting and until the health check passes, then
 * InService; a deregistered or terminating one stays InService with
 * "Instance deregistration currently in progress." for the connection
 * draining timeout, then leaves — the classic API's own words. Hand-made
 * registrations persist in `classic-elb-state.json` with a world dir.
 */
import type { ClassicInstanceHealth, ClassicLoadBalancer, Instance } from '../ports.js';
import { CloudError } from '../ports.js';
import { CLASSIC_ELB_NAME } from './asg.js';
import { ZONES, type SandboxFleet } from './fleet.js';
import { BOOT_MS, SandboxRegistrations } from './registrations.js';

export { CLASSIC_ELB_NAME } from './asg.js';

/** ConnectionDraining.Timeout (AWS's default is 300; short here so draining is seen ending) */
export const CONNECTION_DRAINING_S = 60;
/** HealthyThreshold 2 × Interval 15 s after the instance can answer */
export const CLASSIC_HEALTH_CHECKS_MS = 30_000;

const notFound = (name: string): CloudError => new CloudError('LoadBalancerNotFound', `There is no ACTIVE Load Balancer named '${name}'`, { status: 400 });
const invalid = (id: string): CloudError => new CloudError('InvalidInstance', `The requested instance is not valid: ${id}`, { status: 400 });

export class SandboxClassicElb {
  private readonly regs: SandboxRegistrations;

  constructor(fleet: SandboxFleet, nowMs: () => number, dir?: string) {
    this.regs = new SandboxRegistrations(fleet, nowMs, dir === undefined ? undefined : { dir, name: 'classic-elb-state.json' });
  }

  private registered(inst: Instance, regMs: number, now: number): ClassicInstanceHealth {
    const id = inst.id;
    if (inst.state === 'stopped' || inst.state === 'stopping') return { instanceId: id, state: 'OutOfService', reasonCode: 'Instance', description: 'Instance is in stopped state.' };
    const bootedMs = (inst.launchTime?.getTime() ?? regMs) + BOOT_MS;
    if (inst.state === 'pending' || now < Math.max(regMs, bootedMs) + CLASSIC_HEALTH_CHECKS_MS) {
      return { instanceId: id, state: 'OutOfService', reasonCode: 'ELB', description: 'Instance registration is still in progress.' };
    }
    return { instanceId: id, state: 'InService', reasonCode: 'N/A', description: 'N/A' };
  }

  private health(): ClassicInstanceHealth[] {
    const now = this.regs.nowMs();
    const out: ClassicInstanceHealth[] = [];
    for (const [id, { inst, reg }] of this.regs.current()) {
      if (reg.registered) out.push(this.registered(inst, reg.atMs, now));
      else if (now < reg.atMs + CONNECTION_DRAINING_S * 1000) out.push({ instanceId: id, state: 'InService', reasonCode: 'N/A', description: 'Instance deregistration currently in progress.' });
    }
    return out;
  }

  describe(names: readonly string[]): ClassicLoadBalancer[] {
    const unknown = names.find((n) => n !== CLASSIC_ELB_NAME);
    if (unknown !== undefined) throw notFound(unknown);
    if (names.length === 0) return [];
    return [
      {
        name: CLASSIC_ELB_NAME,
        dnsName: `${CLASSIC_ELB_NAME}-1234567890.us-east-1.elb.amazonaws.com`,
        scheme: 'internet-facing',
        availabilityZones: [...ZONES],
        healthCheckTarget: 'HTTP:80/health',
        listeners: ['HTTP 80 → HTTP 80'],
        connectionDraining: { enabled: true, timeoutSeconds: CONNECTION_DRAINING_S },
        instances: this.health(),
      },
    ];
  }

  register(name: string, ids: readonly string[]): void {
    if (name !== CLASSIC_ELB_NAME) throw notFound(name);
    const bad = this.regs.unregistrable(ids);
    if (bad !== undefined) throw invalid(bad);
    this.regs.set(ids, true);
  }

  deregister(name: string, ids: readonly string[]): void {
    if (name !== CLASSIC_ELB_NAME) throw notFound(name);
    const listed = new Map(this.health().map((h) => [h.instanceId, h]));
    const bad = ids.find((id) => listed.get(id) === undefined || /deregistration/.test(listed.get(id)?.description ?? ''));
    if (bad !== undefined) throw invalid(bad);
    this.regs.set(ids, false);
  }
}
