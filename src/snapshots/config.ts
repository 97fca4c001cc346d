import { z } from 'zod';
import { isKnownTimeZone } from './calendar.js';

/** The `snapshots:` section: retention policy and rotation scope. Owned by the snapshots area. */
export const snapshotsConfigSchema = z
  .object({
    /** IANA zone for day/week/month boundaries. */
    timeZone: z.string().refine(isKnownTimeZone, 'unknown time zone: use an IANA name such as UTC or Europe/Berlin').default('UTC'),
    /** Windows measured back from now (the recipe's grandfather-father-son). */
    windows: z
      .object({
        keepAllHours: z.number().int().min(0).default(24),
        dailyDays: z.number().int().min(0).default(7),
        weeklyDays: z.number().int().min(0).default(31),
        monthlyDays: z.number().int().min(0).default(365),
      })
      .strict()
      .default({ keepAllHours: 24, dailyDays: 7, weeklyDays: 31, monthlyDays: 365 }),
    /** restic-style count rules, applied in addition to the windows. */
    keep: z
      .object({
        last: z.number().int().min(0).optional(),
        hourly: z.number().int().min(0).optional(),
        daily: z.number().int().min(0).optional(),
        weekly: z.number().int().min(0).optional(),
        monthly: z.number().int().min(0).optional(),
        yearly: z.number().int().min(0).optional(),
        /**
         * Snapshots carrying one of these tags ("key" or "key=value") are kept.
         * `retain` by default: someone tagged that snapshot on purpose, and a
         * deletion cannot be undone; `tag: []` turns it off.
         */
        tag: z.array(z.string()).default(['retain']),
      })
      .strict()
      .default({ tag: ['retain'] }),
    volumes: z.array(z.string()).optional(),
    tags: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
    /** A saved plan older than this is refused by `rotate --plan FILE`. */
    planMaxAgeMinutes: z.number().int().min(1).default(60),
    concurrency: z.number().int().min(1).max(64).default(8),
  })
  .strict();
export type SnapshotsConfig = z.infer<typeof snapshotsConfigSchema>;

/**
 * Window settings that are valid but probably not meant: a tier no longer
 * than the one before it keeps nothing of its own (all are measured back from
 * now, and within a shorter span the newest of a week or month is also the
 * newest of its day). 0 turns a tier off on purpose and is not warned.
 */
export function windowWarnings(w: SnapshotsConfig['windows']): string[] {
  const tiers = [
    { key: 'keepAllHours', hours: w.keepAllHours, value: `${w.keepAllHours}h` },
    { key: 'dailyDays', hours: w.dailyDays * 24, value: `${w.dailyDays}d` },
    { key: 'weeklyDays', hours: w.weeklyDays * 24, value: `${w.weeklyDays}d` },
    { key: 'monthlyDays', hours: w.monthlyDays * 24, value: `${w.monthlyDays}d` },
  ];
  const out: string[] = [];
  let widest: (typeof tiers)[number] | undefined;
  for (const t of tiers) {
    if (t.hours === 0) continue;
    if (widest && t.hours <= widest.hours) {
      out.push(
        `snapshots.windows.${t.key} (${t.value}) is not longer than ${widest.key} (${widest.value}): that tier keeps nothing of its own; set it above ${widest.value}, or to 0 to turn it off`,
      );
    } else widest = t;
  }
  return out;
}
