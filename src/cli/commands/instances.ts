import { Option } from 'commander';
import type { Instance } from '../../cloud/ports.js';
import { MINUTE } from '../../core/deadline.js';
import { ExitCode } from '../../core/errors.js';
import { formatAge } from '../../core/format.js';
import { renderTable, stdoutPainter, toJson, type Column, type Style } from '../output.js';
import type { RegisterArea } from '../types.js';

const STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;

/** The `--json` schema: stable, ISO dates, null rather than missing. */
export interface InstanceJson {
  id: string;
  name: string | null;
  state: string;
  availabilityZone: string | null;
  instanceType: string | null;
  imageId: string | null;
  privateIp: string | null;
  publicIp: string | null;
  launchTime: string | null;
}

export function instanceJson(i: Instance): InstanceJson {
  return {
    id: i.id,
    name: i.name ?? null,
    state: i.state,
    availabilityZone: i.availabilityZone ?? null,
    instanceType: i.instanceType ?? null,
    imageId: i.imageId ?? null,
    privateIp: i.privateIp ?? null,
    publicIp: i.publicIp ?? null,
    launchTime: i.launchTime ? i.launchTime.toISOString() : null,
  };
}

const stateStyle = (s: string): Style | undefined =>
  s === 'running' ? 'green' : s === 'pending' || s === 'stopping' ? 'yellow' : s === 'stopped' || s === 'terminated' || s === 'shutting-down' ? 'red' : undefined;

export const register: RegisterArea = (program, action) => {
  program
    .command('instances')
    .description('list EC2 instances (all states unless --state)')
    .addOption(new Option('--state <state>', 'only instances in this state').choices(STATES))
    .action(
      action<{ state?: string }>(async (ctx, opts) => {
        const cloud = await ctx.cloud();
        const found = await cloud.compute.describeInstances(opts.state ? { states: [opts.state] } : {}, { signal: ctx.signal });
        // Plain code-unit order: stable across locales, and localeCompare's ICU start-up costs ~15 ms.
        const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
        const rows = [...found].sort((a, b) => cmp(a.name ?? '', b.name ?? '') || cmp(a.id, b.id));
        if (ctx.options.json) {
          ctx.stdout(toJson({ instances: rows.map(instanceJson) }));
          return ExitCode.Ok;
        }
        if (rows.length === 0) {
          ctx.stderr(opts.state ? `no ${opts.state} instances` : 'no instances');
          return ExitCode.Ok;
        }
        const now = ctx.clock.now();
        const dash = (v: string | undefined): string => v ?? '-';
        const columns: Column<Instance>[] = [
          { header: 'ID', get: (i) => i.id },
          { header: 'NAME', get: (i) => dash(i.name) },
          { header: 'STATE', get: (i) => i.state, style: (i) => stateStyle(i.state) },
          { header: 'AZ', get: (i) => dash(i.availabilityZone) },
          { header: 'TYPE', get: (i) => dash(i.instanceType) },
          { header: 'PRIVATE IP', get: (i) => dash(i.privateIp) },
          { header: 'PUBLIC IP', get: (i) => dash(i.publicIp) },
          { header: 'AGE', get: (i) => (i.launchTime ? formatAge(now.getTime() - i.launchTime.getTime()) : '-'), align: 'right' },
        ];
        const p = stdoutPainter(false);
        ctx.stdout(renderTable(rows, columns, p));
        const running = rows.filter((i) => i.state === 'running').length;
        ctx.stdout(p.paint('dim', `${rows.length} instance${rows.length === 1 ? '' : 's'}, ${running} running (${cloud.kind})`));
        return ExitCode.Ok;
      }, { timeoutMs: 2 * MINUTE }),
    );
};
