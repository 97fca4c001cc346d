import { z } from 'zod';
import { fleetConfigSchema } from '../fleet/config.js';
import { haproxyConfigSchema } from '../haproxy/config.js';
import { scalingConfigSchema } from '../scaling/config.js';
import { snapshotsConfigSchema } from '../snapshots/config.js';
import { webcamConfigSchema } from '../webcam/config.js';

/**
 * One schema for opsdeck.yaml. Each area owns its section (src/<area>/config.ts);
 * this file only composes them. Every section has defaults so an empty file is valid.
 *
 * Secret-bearing fields hold `${env:NAME}` / `${file:PATH}` references; they are
 * resolved at use (src/config/secrets.ts), never echoed back.
 */
const awsSchema = z
  .object({
    profile: z.string().optional(),
    region: z.string().optional(),
    /** Any AWS-compatible endpoint; AWS_ENDPOINT_URL is honoured too. */
    endpoint: z.string().url().optional(),
    /** Seconds to open a connection to an AWS endpoint (default 60, as the AWS CLI). */
    connectTimeoutSeconds: z.number().positive().max(3600).optional(),
    /** Seconds an AWS call may wait without receiving a byte (default 60, as the AWS CLI). */
    readTimeoutSeconds: z.number().positive().max(3600).optional(),
  })
  .strict()
  .default({});

const hostSchema = z
  .object({
    host: z.string(),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string(),
    identityFile: z.string().optional(),
    knownHosts: z.string().optional(),
    /** accept this host's key the first time and record it (never a changed key); off by default */
    trustOnFirstUse: z.boolean().optional(),
    /**
     * How runbooks stop and start this host's MySQL/MariaDB server (run over
     * SSH as the host's user; mysql-resync's cold copy). Unset: systemctl,
     * mariadb's unit or else mysql's (src/runbooks/inputs.ts mysqldCommands).
     */
    mysqld: z.object({ stop: z.string().min(1).optional(), start: z.string().min(1).optional() }).strict().optional(),
  })
  .strict();

const mysqlTargetSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(3306),
    user: z.string().default('root'),
    /** A secret reference such as ${env:MYSQL_PASSWORD}. */
    password: z.string().optional(),
    role: z.enum(['primary', 'replica']).optional(),
    /** Inventory host to reach it over SSH for runbooks. */
    sshHost: z.string().optional(),
  })
  .strict();

export const configSchema = z
  .object({
    aws: awsSchema,
    fleet: fleetConfigSchema.default(fleetConfigSchema.parse({})),
    haproxy: haproxyConfigSchema.default(haproxyConfigSchema.parse({})),
    snapshots: snapshotsConfigSchema.default(snapshotsConfigSchema.parse({})),
    scaling: scalingConfigSchema.default(scalingConfigSchema.parse({})),
    hosts: z.record(z.string(), hostSchema).default({}),
    mysql: z.record(z.string(), mysqlTargetSchema).default({}),
    webcam: webcamConfigSchema.default(webcamConfigSchema.parse({})),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type HostConfig = z.infer<typeof hostSchema>;
export type MysqlTarget = z.infer<typeof mysqlTargetSchema>;

/** The defaults without loading zod; equal to configSchema.parse({}) (a test holds them together). */
export { defaultConfig } from './defaults.js';
