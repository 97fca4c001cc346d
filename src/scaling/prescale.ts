/**
 * Pre-scaling for a known spike (the seeds launched instances by hand the
 * night before): raise the group's minimum at a time, and put it back
 * afterwards, as two one-time scheduled actions, or raise now and schedule
 * only the restore. Times in the past are refused before any call.
 */
import type { AutoScalingGroup, ScalingPolicy } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import { knownTimeZone, ZoneCalendar } from '../snapshots/calendar.js';
import { planBase, type ScalingCall, type ScalingPlan } from './calls.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Wall-clock time in a zone to an instant; the offset is checked again at the result (a DST change between). */
export function zonedToUtc(wallMs: number, timeZone: string): number {
  const cal = new ZoneCalendar(timeZone);
  const off1 = cal.wall(wallMs) - wallMs;
  const t = wallMs - off1;
  const off2 = cal.wall(t) - t;
  return off2 === off1 ? t : wallMs - off2;
}

/**
 * `now`; `+90m` / `+2h` / `+1d`; an ISO time with Z or an offset; or a wall
 * time (`2026-06-20 07:30`, `2026-06-20T07:30`) read in `timeZone`.
 * An unknown zone is a usage error whatever the time's form: a typo in it must
 * not pass unnoticed because this time happened to be relative.
 */
export function parseWhen(text: string, o: { now: Date; timeZone: string; flag: string; zoneFlag?: string }): Date | 'now' {
  if (!knownTimeZone(o.timeZone)) {
    throw new OpsError('USAGE', `${o.zoneFlag ?? 'time zone'} ${o.timeZone}: not a known time zone`, { hint: 'use an IANA name such as UTC, Europe/Berlin or America/New_York' });
  }
  const t = text.trim();
  if (t === 'now') return 'now';
  const rel = /^\+(\d+)\s*([mhd])$/.exec(t);
  if (rel) return new Date(o.now.getTime() + Number(rel[1]) * (UNITS[rel[2] ?? 'm'] ?? 60_000));
  const wall = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (wall) {
    const [y, mo, d, h, mi, s] = wall.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(ms);
    if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) throw new OpsError('USAGE', `${o.flag} ${text}: not a date and time`);
    return new Date(zonedToUtc(ms, o.timeZone));
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return new Date(ms);
  }
  throw new OpsError('USAGE', `${o.flag} ${text}: expected now, +90m / +2h / +1d, an ISO time with Z or an offset, or "YYYY-MM-DD HH:MM" (read in ${o.timeZone})`);
}

export interface PrescaleRequest {
  /** the minimum during the spike */
  min: number;
  /** raise desired to this at the start too (default: the minimum raises it as needed) */
  desired?: number | undefined;
  /** raise max to this (default: only as far as min needs) */
  max?: number | undefined;
  at: Date | 'now';
  until: Date;
}

/** Scheduled action names carry the start so two spikes never overwrite each other's. */
function actionName(at: Date, which: 'raise' | 'restore'): string {
  return `opsdeck-prescale-${at.toISOString().slice(0, 16).replace(/[-:]/g, '')}Z-${which}`;
}

const refuse = (message: string, hint: string): OpsError => new OpsError('REFUSED', message, { hint });

export function planPrescale(group: AutoScalingGroup, policies: readonly ScalingPolicy[], req: PrescaleRequest, o: { now: Date; source: string }): ScalingPlan {
  for (const [v, what] of [[req.min, '--min'], [req.desired, '--desired'], [req.max, '--max']] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new OpsError('USAGE', `${what} must be a whole number of instances, not ${v}`);
  }
  const now = o.now.getTime();
  const start = req.at === 'now' ? o.now : req.at;
  if (req.at !== 'now' && req.at.getTime() <= now) {
    throw refuse(`--at ${req.at.toISOString()} is in the past (now ${o.now.toISOString()})`, 'give a later time, or --at now to raise the minimum now and schedule only the restore');
  }
  if (req.until.getTime() <= now) throw refuse(`--until ${req.until.toISOString()} is in the past (now ${o.now.toISOString()})`, 'the restore must come after now');
  if (req.until.getTime() <= start.getTime()) throw refuse(`--until ${req.until.toISOString()} is not after --at ${start.toISOString()}`, 'the restore comes after the raise');
  if (req.min <= group.minSize && req.desired === undefined) {
    throw new OpsError('USAGE', `--min ${req.min} does not raise ${group.name}'s minimum (${group.minSize})`, { hint: 'pre-scaling raises the floor; set-capacity changes the capacity now' });
  }
  if (req.desired !== undefined && req.desired < req.min) throw new OpsError('USAGE', `--desired ${req.desired} is below --min ${req.min}`);
  const peak = Math.max(req.min, req.desired ?? 0);
  const max = Math.max(req.max ?? group.maxSize, peak);
  const raise = { minSize: req.min, ...(max !== group.maxSize ? { maxSize: max } : {}), ...(req.desired !== undefined ? { desiredCapacity: req.desired } : {}) };
  const driven = policies.some((p) => p.enabled);
  // Without a policy nothing brings the capacity down again: the restore sets it back too.
  const restore = { minSize: group.minSize, ...(max !== group.maxSize ? { maxSize: group.maxSize } : {}), ...(driven ? {} : { desiredCapacity: group.desiredCapacity }) };
  const calls: ScalingCall[] = [];
  if (req.at === 'now') {
    calls.push({ op: 'updateGroupSize', group: group.name, min: raise.minSize, ...(raise.maxSize !== undefined ? { max: raise.maxSize } : {}), ...(raise.desiredCapacity !== undefined ? { desired: raise.desiredCapacity } : {}) });
  } else {
    calls.push({ op: 'putScheduledAction', group: group.name, name: actionName(start, 'raise'), startTime: start.toISOString(), ...raise });
  }
  calls.push({ op: 'putScheduledAction', group: group.name, name: actionName(start, 'restore'), startTime: req.until.toISOString(), ...restore });
  const notes = [
    `raise ${req.at === 'now' ? 'now' : `at ${start.toISOString()}`}: min ${group.minSize} → ${req.min}${raise.maxSize !== undefined ? `, max ${group.maxSize} → ${raise.maxSize}` : ''}${raise.desiredCapacity !== undefined ? `, desired → ${raise.desiredCapacity}` : ' (desired rises with the minimum)'}`,
    `restore at ${req.until.toISOString()}: min → ${group.minSize}${restore.maxSize !== undefined ? `, max → ${group.maxSize}` : ''}${
      driven ? '; the scaling policies bring the capacity back down' : `, desired → ${group.desiredCapacity} (the group has no scaling policy to do it)`
    }`,
    'instances launched for the raise take their warm-up before they serve: raise early enough',
  ];
  return { ...planBase(group, 'prescale', o), calls, notes };
}
