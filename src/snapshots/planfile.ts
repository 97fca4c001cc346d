/**
 * `--plan-out FILE` / `--plan FILE`: a reviewed plan is written as JSON and
 * applied later exactly as written, unless it is malformed or too old.
 */
import { readFile, writeFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { boundMessage } from '../config/issues.js';
import { OpsError } from '../core/errors.js';
import { PLAN_VERSION, type SnapshotPlan } from './plan.js';

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO date');
const count = z.number().int().min(0);

const planSchema = z.object({
  version: z.literal(PLAN_VERSION),
  createdAt: isoDate,
  now: isoDate,
  source: z.string(),
  policy: z.object({
    timeZone: z.string(),
    windows: z.object({ keepAllHours: count, dailyDays: count, weeklyDays: count, monthlyDays: count }),
    keep: z.object({
      last: count.optional(),
      hourly: count.optional(),
      daily: count.optional(),
      weekly: count.optional(),
      monthly: count.optional(),
      yearly: count.optional(),
      tag: z.array(z.string()).optional(),
    }),
  }),
  scope: z.object({
    volumeIds: z.array(z.string()).optional(),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
  volumes: z.array(
    z.object({
      volumeId: z.string(),
      total: count,
      keep: count,
      delete: count,
      volumeSizeGiB: z.number().min(0).optional(),
      deleteFullBytes: z.number().min(0),
      fullSizeUnknown: count,
      usedByImage: count,
      notCompleted: count,
    }),
  ),
  deletions: z.array(
    z.object({
      snapshotId: z.string().regex(/^snap-[0-9a-zA-Z]+$/, 'not a snapshot id'),
      volumeId: z.string(),
      startTime: isoDate,
      sizeGiB: z.number().min(0).optional(),
      fullSizeBytes: z.number().min(0).optional(),
      reason: z.string(),
    }),
  ),
  totals: z.object({ snapshots: count, keep: count, delete: count, deleteFullBytes: z.number().min(0), fullSizeUnknown: count }),
  decisions: z.array(z.unknown()).optional(),
});

/** Atomic write (temp + rename) so a half-written plan can never be applied. */
export async function writePlanFile(path: string, plan: SnapshotPlan): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o644 });
    await rename(tmp, path);
  } catch (e) {
    throw new OpsError('IO', `cannot write plan file ${path}: ${(e as Error).message}`, { cause: e });
  }
}

export function parsePlan(text: string, path: string): SnapshotPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new OpsError('USAGE', `${path} is not valid JSON: ${(e as Error).message}`, {
      hint: 'write a plan with `opsdeck snapshots plan --batch --plan-out FILE`',
    });
  }
  const r = planSchema.safeParse(raw);
  if (!r.success) {
    throw new OpsError('USAGE', `${path} is not an opsdeck snapshot plan`, {
      details: r.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(top)'}: ${boundMessage(i) ?? i.message.replace(/^Invalid input: /, '')}`),
      hint: 'write a plan with `opsdeck snapshots plan --batch --plan-out FILE`',
    });
  }
  const plan = r.data as SnapshotPlan;
  if (plan.deletions.length !== plan.totals.delete) {
    throw new OpsError('USAGE', `${path}: totals.delete (${plan.totals.delete}) does not match ${plan.deletions.length} deletions`, {
      hint: 'the file was edited by hand; write a fresh plan',
    });
  }
  const ids = new Set(plan.deletions.map((d) => d.snapshotId));
  if (ids.size !== plan.deletions.length) {
    throw new OpsError('USAGE', `${path}: a snapshot is listed twice in deletions`, { hint: 'write a fresh plan' });
  }
  return plan;
}

export async function readPlanFile(path: string): Promise<SnapshotPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new OpsError('USAGE', `cannot read plan file ${path}: ${(e as Error).message}`);
  }
  return parsePlan(text, path);
}

/** Refuse (exit 3) a plan made longer ago than the configured age: the world has moved on. */
export function assertPlanFresh(plan: SnapshotPlan, now: Date, maxAgeMinutes: number, path: string): void {
  const ageMin = (now.getTime() - Date.parse(plan.createdAt)) / 60_000;
  // A createdAt ahead of the clock (edited, or another machine's skewed clock) would never age out.
  if (ageMin < -5) {
    throw new OpsError('PLAN_STALE', `${path} says it was made ${Math.ceil(-ageMin)} minutes in the future (createdAt ${plan.createdAt})`, {
      hint: 'check this machine\'s clock, or review a fresh plan: opsdeck snapshots plan --batch --plan-out FILE',
    });
  }
  if (ageMin > maxAgeMinutes) {
    throw new OpsError('PLAN_STALE', `${path} was made ${Math.floor(ageMin)} minutes ago (limit ${maxAgeMinutes})`, {
      hint: 'review a fresh plan: opsdeck snapshots plan --batch --plan-out FILE (or raise snapshots.planMaxAgeMinutes)',
    });
  }
}
