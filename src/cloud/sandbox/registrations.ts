/**
 * Which instances a simulated load balancer has registered, and since when:
 * the group's own registrations (at launch, AddToLoadBalancer; gone when a
 * member starts terminating) with the ones made by hand on top, the later
 * winning. The target group and the classic ELB both keep one; with a world
 * dir the hand-made ones persist in their own file, so a batch run sees what
 * the one before it did.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirSync } from '../../core/dirs.js';
import type { Instance } from '../ports.js';
import { ASG_NAME } from './asg.js';
import type { SandboxFleet } from './fleet.js';

export interface Registration {
  registered: boolean;
  /** when it was registered, or deregistered (world ms) */
  atMs: number;
}

interface Manual extends Registration {
  id: string;
}

/** A member answers health checks this long after launch (the group's Pending time). */
export const BOOT_MS = 90_000;

export class SandboxRegistrations {
  private manual = new Map<string, Manual>();

  constructor(
    private readonly fleet: SandboxFleet,
    readonly nowMs: () => number,
    private readonly file?: { dir: string; name: string },
  ) {
    if (file === undefined) return;
    try {
      const saved = JSON.parse(readFileSync(join(file.dir, file.name), 'utf8')) as Manual[];
      this.manual = new Map(saved.map((m) => [m.id, m]));
    } catch {
      // no file yet: only the group's own registrations
    }
  }

  instance(id: string): Instance | undefined {
    return this.fleet.describeInstances({ instanceIds: [id] })[0];
  }

  /** Every instance the load balancer knows, still running, with its latest registration or deregistration. */
  current(): Map<string, { inst: Instance; reg: Registration }> {
    const now = this.nowMs();
    const group = this.fleet.describeGroups([ASG_NAME])[0];
    const since = this.fleet.terminatingSince();
    const state = new Map<string, Registration>();
    for (const m of group?.instances ?? []) {
      const at = since.get(m.id);
      const launched = this.instance(m.id)?.launchTime?.getTime() ?? now;
      state.set(m.id, at !== undefined ? { registered: false, atMs: at } : { registered: true, atMs: launched });
    }
    for (const m of this.manual.values()) {
      const own = state.get(m.id);
      if (!own || m.atMs >= own.atMs) state.set(m.id, { registered: m.registered, atMs: m.atMs });
    }
    const out = new Map<string, { inst: Instance; reg: Registration }>();
    for (const [id, reg] of [...state].sort(([a], [b]) => a.localeCompare(b))) {
      const inst = this.instance(id);
      if (inst && inst.state !== 'terminated') out.set(id, { inst, reg });
    }
    return out;
  }

  /** An instance that cannot be registered: unknown, terminated or on its way there. */
  unregistrable(ids: readonly string[]): string | undefined {
    return ids.find((id) => {
      const i = this.instance(id);
      return !i || i.state === 'terminated' || i.state === 'shutting-down';
    });
  }

  set(ids: readonly string[], registered: boolean): void {
    const now = this.nowMs();
    for (const id of ids) this.manual.set(id, { id, registered, atMs: now });
    if (this.file === undefined) return;
    ensureDirSync(this.file.dir, { what: 'the sandbox directory' });
    const path = join(this.file.dir, this.file.name);
    writeFileSync(`${path}.tmp`, JSON.stringify([...this.manual.values()]));
    renameSync(`${path}.tmp`, path);
  }
}
