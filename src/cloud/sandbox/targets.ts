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
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirSync } from '../../core/dirs.js';
import type { Instance, TargetGroup, TargetHealth } from '../ports.js';
import { CloudError } from '../ports.js';
import { ASG_NAME, TARGET_GROUP_ARN, TARGET_GROUP_NAME } from './asg.js';
import type { SandboxFleet } from './fleet.js';

export { TARGET_GROUP_ARN, TARGET_GROUP_NAME } from './asg.js';

/** deregistration_delay.timeout_seconds of the simulated group (AWS's default is 300; short here so draining is seen ending) */
export const DEREGISTRATION_DELAY_S = 45;
/** healthy threshold 2 × interval 15 s: a booted target turns healthy this long after it could answer */
export const HEALTH_CHECKS_MS = 30_000;
const STATE_FILE = 'targets-state.json';
const PORT = 80;

interface Manual {
  id: string;
  registered: boolean;
  atMs: number;
}

function targetGroupNotFound(arn: string): CloudError {
  return new CloudError('TargetGroupNotFound', `One or more target groups not found: ${arn}`, { status: 400 });
}

export class SandboxTargets {
  private manual = new Map<string, Manual>();

  constructor(
    private readonly fleet: SandboxFleet,
    private readonly nowMs: () => number,
    private readonly dir?: string,
  ) {
    if (dir === undefined) return;
    try {
      const saved = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as Manual[];
      this.manual = new Map(saved.map((m) => [m.id, m]));
    } catch {
      // no file yet: only the group's own registrations
    }
  }

  private save(): void {
    if (this.dir === undefined) return;
    ensureDirSync(this.dir, { what: 'the sandbox directory' });
    const file = join(this.dir, STATE_FILE);
    writeFileSync(`${file}.tmp`, JSON.stringify([...this.manual.values()]));
    renameSync(`${file}.tmp`, file);
  }

  private instance(id: string): Instance | undefined {
    return this.fleet.describeInstances({ instanceIds: [id] })[0];
  }

  /** Registered since `regMs`: initial while booting and health checking, then healthy; a stopped instance is unused. */
  private registered(inst: Instance, regMs: number, now: number): Pick<TargetHealth, 'state' | 'reason' | 'description'> {
    if (inst.state === 'stopped' || inst.state === 'stopping') return { state: 'unused', reason: 'Target.InvalidState', description: 'Target is in the stopped state' };
    if (inst.state === 'pending') return { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' };
    const bootedMs = (inst.launchTime?.getTime() ?? regMs) + 90_000;
    if (now < Math.max(regMs, bootedMs) + HEALTH_CHECKS_MS) return { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' };
    return { state: 'healthy' };
  }

  private targets(): TargetHealth[] {
    const now = this.nowMs();
    const group = this.fleet.describeGroups([ASG_NAME])[0];
    const since = this.fleet.terminatingSince();
    // the group's own view: registered at launch, deregistered when it starts terminating
    const state = new Map<string, { registered: boolean; atMs: number }>();
    for (const m of group?.instances ?? []) {
      const at = since.get(m.id);
      const launched = this.instance(m.id)?.launchTime?.getTime() ?? now;
      state.set(m.id, at !== undefined ? { registered: false, atMs: at } : { registered: true, atMs: launched });
    }
    // a hand-made change after the group's own wins
    for (const m of this.manual.values()) {
      const own = state.get(m.id);
      if (!own || m.atMs >= own.atMs) state.set(m.id, m);
    }
    const out: TargetHealth[] = [];
    for (const [id, s] of state) {
      const inst = this.instance(id);
      if (!inst || inst.state === 'terminated') continue;
      const where = { id, port: PORT, availabilityZone: inst.availabilityZone };
      if (s.registered) out.push({ ...where, ...this.registered(inst, s.atMs, now) });
      else if (now < s.atMs + DEREGISTRATION_DELAY_S * 1000) out.push({ ...where, state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
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
    const bad = ids.find((id) => {
      const i = this.instance(id);
      return !i || i.state === 'terminated' || i.state === 'shutting-down';
    });
    if (bad !== undefined) throw new CloudError('InvalidTarget', `The following targets are not in a running state and cannot be registered: '${bad}'`, { status: 400 });
    const now = this.nowMs();
    for (const id of ids) this.manual.set(id, { id, registered: true, atMs: now });
    this.save();
  }

  deregister(arn: string, ids: readonly string[]): void {
    if (arn !== TARGET_GROUP_ARN) throw targetGroupNotFound(arn);
    const listed = new Map(this.targets().map((t) => [t.id, t.state]));
    const bad = ids.find((id) => listed.get(id) === undefined || listed.get(id) === 'draining');
    if (bad !== undefined) throw new CloudError('InvalidTarget', `The following targets are not registered in target group '${TARGET_GROUP_NAME}': '${bad}'`, { status: 400 });
    const now = this.nowMs();
    for (const id of ids) this.manual.set(id, { id, registered: false, atMs: now });
    this.save();
  }
}
