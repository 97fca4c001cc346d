import { z } from 'zod';
import { knownTimeZone } from '../snapshots/calendar.js';

/** The `scaling:` section. Owned by the scaling area. */
export const scalingConfigSchema = z
  .object({
    /** the groups the pane and `scaling status` show; empty: every group of the account and region */
    groups: z.array(z.string().min(1)).default([]),
    /** IANA zone for --at / --until times written without an offset */
    timeZone: z.string().refine(knownTimeZone, 'unknown time zone: use an IANA name such as UTC or Europe/Berlin').default('UTC'),
    /** recent scaling activities read per group in the detail view */
    activities: z.number().int().min(1).max(100).default(20),
    /** how long the shutdown waits for the group's instances to terminate */
    shutdownWaitMinutes: z.number().int().min(1).max(180).default(30),
    /** before a terminate (or a shutdown), how long an instance in the HAProxy pool may keep its sessions in DRAIN */
    drainTimeoutSeconds: z.number().int().min(0).max(3600).default(120),
  })
  .strict();

export type ScalingConfig = z.infer<typeof scalingConfigSchema>;
