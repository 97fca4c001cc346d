/**
 * CloudWatch alarm states of the sandbox's policies, worked out from the
 * world's load curve: the group's average CPU stands at 20% when idle and
 * 75% at the daily peak. Only the alarms of policies that exist are there,
 * as AWS deletes a target tracking policy's alarms with it.
 */
import type { AlarmState, AlarmsPort, ListOptions } from '../ports.js';
import type { SandboxFleet } from './fleet.js';
import { loadAt } from './load.js';

type Listed = <T>(o: ListOptions | undefined, get: () => T[]) => Promise<T[]>;

export function sandboxCpu(ms: number, seed: number): number {
  return Math.round(20 + loadAt(ms, seed) * 55);
}

function stateOf(name: string, cpu: number, target: number | undefined): { state: string; reason: string } {
  const high = /AlarmHigh$/.test(name) ? (target ?? 50) : /above-(\d+)/.exec(name)?.[1];
  const low = /AlarmLow$/.test(name) ? (target ?? 50) * 0.9 : /below-(\d+)/.exec(name)?.[1];
  const pct = `${cpu}%`;
  if (high !== undefined) {
    const t = Number(high);
    return cpu > t ? { state: 'ALARM', reason: `Threshold Crossed: CPUUtilization ${pct} was greater than the threshold (${t})` } : { state: 'OK', reason: `CPUUtilization ${pct} not above ${t}` };
  }
  if (low !== undefined) {
    const t = Number(low);
    return cpu < t ? { state: 'ALARM', reason: `Threshold Crossed: CPUUtilization ${pct} was less than the threshold (${t})` } : { state: 'OK', reason: `CPUUtilization ${pct} not below ${t}` };
  }
  return { state: 'INSUFFICIENT_DATA', reason: 'no datapoints' };
}

export function sandboxAlarms(fleet: SandboxFleet, seed: number, nowMs: () => number, listed: Listed): AlarmsPort {
  return {
    describeAlarms: (names, o) =>
      listed(o, () => {
        const now = nowMs();
        const cpu = sandboxCpu(now, seed);
        const wanted = new Set(names);
        const out: AlarmState[] = [];
        for (const p of fleet.describePolicies(undefined)) {
          for (const a of p.alarms) {
            if (!wanted.delete(a)) continue;
            // the state last changed at the start of the current 5-minute period
            out.push({ name: a, ...stateOf(a, cpu, p.targetTracking?.targetValue), updatedAt: new Date(Math.floor(now / 300_000) * 300_000) });
          }
        }
        return out;
      }),
  };
}
