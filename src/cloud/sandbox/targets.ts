/**
 * The sandbox's ALB target group for web-asg. Its targets follow the group:
 * a launched member is registered at launch (AddToLoadBalancer), is
 * `initial` while it boots and passes its first health checks, then
 * `healthy`; a terminating member drains for the deregistration delay on the
 * world clock, then leaves. Registrations made by hand (RegisterTargets /
 * DeregisterTargets) win over the group's own from the moment they are made,
 * and are kept in `targets-state.json` with a world dir, so a batch run sees
 * what the one before it did.
 */
import type { Instance, TargetGroup, TargetHealth } from '../ports.js';
import { CloudError } from '../ports.js';
import { TARGET_GROUP_ARN, TARGET_GROUP_NAME } from './asg.js';
import type { SandboxFleet } from './fleet.js';
import { BOOT_MS, SandboxRegistrations } from './registrations.js';

export { TARGET_GROUP_ARN, TARGET_GROUP_NAME } from './asg.js';

/** deregistration_delay.timeout_seconds of the simulated group (AWS's default is 300; short here so draining is seen ending) */
export const DEREGISTRATION_DELAY_S = 45;
/** healthy threshold 2 × interval 15 s: a booted target turns healthy this long after it could answer */
export const HEALTH_CHECKS_MS = 30_000;
const PORT = 80;

function targetGroupNotFound(arn: string): CloudError {
  return new CloudError('TargetGroupNotFound', `One or more target groups not found: ${arn}`, { status: 400 });
}

export class SandboxTargets {
  private readonly regs: SandboxRegistrations;

  constructor(fleet: SandboxFleet, nowMs: () => number, dir?: string) {
    this.regs = new SandboxRegistrations(fleet, nowMs, dir === undefined ? undefined : { dir, name: 'targets-state.json' });
  }

  /** Registered since `regMs`: initial while booting and health checking, then healthy; a stopped instance is unused. */
  private registered(inst: Instance, regMs: number, now: number): Pick<TargetHealth, 'state' | 'reason' | 'description'> {
    if (inst.state === 'stopped' || inst.state === 'stopping') return { state: 'unused', reason: 'Target.InvalidState', description: 'Target is in the stopped state' };
    if (inst.state === 'pending') return { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' };
    const bootedMs = (inst.launchTime?.getTime() ?? regMs) + BOOT_MS;
    if (now < Math.max(regMs, bootedMs) + HEALTH_CHECKS_MS) return { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' };
    return { state: 'healthy' };
  }

  private targets(): TargetHealth[] {
    const now = this.regs.nowMs();
    const out: TargetHealth[] = [];
    for (const [id, { inst, reg }] of this.regs.current()) {
      const where = { id, port: PORT, availabilityZone: inst.availabilityZone };
      if (reg.registered) out.push({ ...where, ...this.registered(inst, reg.atMs, now) });
      else if (now < reg.atMs + DEREGISTRATION_DELAY_S * 1000) out.push({ ...where, state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' });
    }
    return out;
  }

  describe(arns: readonly string[]): TargetGroup[] {
    const unknown = arns.find((a) => a !== TARGET_GROUP_ARN);
    if (unknown !== undefined) throw targetGroupNotFound(unknown);
    if (arns.length === 0) return [];
    return [
      {
        arn: TARGET_GROUP_ARN,
        name: TARGET_GROUP_NAME,
        protocol: 'HTTP',
        port: PORT,
        targetType: 'instance',
        loadBalancerArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/50dc6c495c0c9188'],
        healthCheckPath: '/health',
        deregistrationDelaySeconds: DEREGISTRATION_DELAY_S,
        targets: this.targets(),
      },
    ];
  }

  register(arn: string, ids: readonly string[]): void {
    if (arn !== TARGET_GROUP_ARN) throw targetGroupNotFound(arn);
    const bad = this.regs.unregistrable(ids);
    if (bad !== undefined) throw new CloudError('InvalidTarget', `The following targets are not in a running state and cannot be registered: '${bad}'`, { status: 400 });
    this.regs.set(ids, true);
  }

  deregister(arn: string, ids: readonly string[]): void {
    if (arn !== TARGET_GROUP_ARN) throw targetGroupNotFound(arn);
    const listed = new Map(this.targets().map((t) => [t.id, t.state]));
    const bad = ids.find((id) => listed.get(id) === undefined || listed.get(id) === 'draining');
    if (bad !== undefined) throw new CloudError('InvalidTarget', `The following targets are not registered in target group '${TARGET_GROUP_NAME}': '${bad}'`, { status: 400 });
    this.regs.set(ids, false);
  }
}
