import { z } from 'zod';

const tagValues = z.union([z.string(), z.array(z.string()).min(1)]);

/** The `fleet:` section: how instances are discovered. Owned by the fleet area. */
export const fleetConfigSchema = z
  .object({
    discovery: z
      .object({
        /** s3://bucket/key of an object holding an AMI id (the recipe's way). */
        amiPointer: z.string().regex(/^s3:\/\/[^/]+\/.+$/, 'expected s3://bucket/key').optional(),
        /** EC2 tag filters: key -> value or list of values. */
        tags: z.record(z.string(), tagValues).optional(),
        /** Auto Scaling group name: InService members only. */
        autoScalingGroup: z.string().optional(),
      })
      .strict()
      .default({}),
    address: z.enum(['private', 'public']).default('private'),
    port: z.number().int().min(1).max(65535).default(80),
    /** Optional instance tag whose value overrides the port. */
    portTag: z.string().optional(),
    refreshSeconds: z.number().int().min(1).default(15),
  })
  .strict();
export type FleetConfig = z.infer<typeof fleetConfigSchema>;
