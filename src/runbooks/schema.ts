import { z } from 'zod';

/**
 * The runbook file format (runbooks/*.yaml). Every field a person writes is
 * here, strict, so a typo is a located error rather than a silently ignored
 * key. Cross-references (templates, goto targets, conditions) are checked
 * after the shape, in check.ts, because zod cannot see across steps.
 */

const ID = /^[a-z][a-z0-9_-]*$/;
const idString = z.string().regex(ID, 'a lower-case name: letters, digits, - and _ (starting with a letter)');
/** input and capture names: camelCase reads well in templates ({{ inputs.sourceHost }}) */
const nameString = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a name: letters, digits, - and _ (starting with a letter)');

/** `30s`, `5m`, `2h`; parsed by core/deadline.parseDuration. */
const duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'a duration such as 30s, 5m or 2h');

const inputBase = {
  help: z.string(),
  secret: z.boolean().default(false),
  /** the value a sandbox rehearsal uses when none is given (the inventory's default for the type otherwise) */
  sandbox: z.string().optional(),
};

export const inputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('host'), ...inputBase, default: z.string().optional() }).strict(),
  z.object({ type: z.literal('mysql'), ...inputBase, default: z.string().optional() }).strict(),
  z.object({ type: z.literal('volume'), ...inputBase, default: z.string().optional() }).strict(),
  z.object({ type: z.literal('instance'), ...inputBase, default: z.string().optional() }).strict(),
  z.object({ type: z.literal('group'), ...inputBase, default: z.string().optional() }).strict(),
  z.object({ type: z.literal('string'), ...inputBase, pattern: z.string().optional(), default: z.string().optional() }).strict(),
  z.object({ type: z.literal('int'), ...inputBase, min: z.number().int().optional(), max: z.number().int().optional(), default: z.number().int().optional() }).strict(),
  z.object({ type: z.literal('bool'), ...inputBase, default: z.boolean().optional() }).strict(),
]);
export type InputSpec = z.infer<typeof inputSchema>;
export type InputType = InputSpec['type'];

/** Named outputs taken from a step's result. */
const captureSchema = z.union([
  z.object({ regex: z.string(), from: z.enum(['stdout', 'stderr']).default('stdout') }).strict(),
  z.object({ column: z.string(), row: z.number().int().min(0).default(0) }).strict(),
  z.object({ field: z.string() }).strict(),
]);
export type CaptureSpec = z.infer<typeof captureSchema>;

/**
 * Replication operations named, not written: the engine asks the server its
 * vendor and version and sends the words it accepts (src/mysql/dialect.ts).
 */
export const MYSQL_OPERATIONS = [
  'stopReplica',
  'startReplica',
  'resetReplica',
  'pointAt',
  'changeSource',
  'replicaStatus',
  'binlogStatus',
  'resetBinaryLogs',
  'readOnly',
  /** does the server answer at all (fields.alive); never fails */
  'alive',
  /** until the server no longer answers: how a stop is confirmed before its files are touched */
  'waitDown',
  /** until the server answers again after a start */
  'waitUp',
  /** the server lets args.as (another mysql target) log in with that target's account */
  'acceptsLogin',
  /** per-table checksums equal on this server and args.against (another mysql target); fails naming the tables that differ */
  'checksumsEqual',
  /** until both replication threads run with no error and the lag is 0 or has fallen over args.samples checks (default 3, every args.interval, default 2s) */
  'waitReplicating',
] as const;
export type MysqlOperation = (typeof MYSQL_OPERATIONS)[number];

/** What a read-only probe runs: the same targets as steps, never a change. */
const probeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mysql'), target: z.string(), operation: z.enum(['replicaStatus', 'binlogStatus', 'alive']) }).strict(),
  z.object({ kind: z.literal('ssh'), host: z.string(), command: z.string() }).strict(),
  z.object({ kind: z.literal('sql'), target: z.string(), query: z.string(), session: idString.optional() }).strict(),
  z.object({ kind: z.literal('aws'), operation: z.enum(['describeVolume', 'describeSnapshot', 'describeGroup', 'describeInstance']), args: z.record(z.string(), z.string()).default({}) }).strict(),
  z.object({ kind: z.literal('haproxy'), server: z.string().default('all') }).strict(),
]);

/** A probe plus the condition its result must meet (`exit == 0` when none is given). */
export const verifySchema = z
  .object({
    probe: probeSchema,
    captures: z.record(nameString, captureSchema).default({}),
    expect: z.string().optional(),
  })
  .strict();
export type VerifySpec = z.infer<typeof verifySchema>;
export type ProbeSpec = z.infer<typeof probeSchema>;

const confirmSchema = z.union([z.enum(['none', 'yes']), z.object({ typed: z.string().regex(/^[A-Za-z0-9_-]{3,32}$/, 'a word of 3-32 letters, digits, - or _') }).strict()]);
export type ConfirmSpec = z.infer<typeof confirmSchema>;

const onFailureSchema = z.union([z.enum(['abort', 'continue']), z.object({ goto: idString }).strict()]);
export type OnFailure = z.infer<typeof onFailureSchema>;

const common = {
  id: idString,
  title: z.string(),
  when: z.string().optional(),
  confirm: confirmSchema.default('none'),
  timeout: duration.optional(),
  retries: z.number().int().min(0).max(10).default(0),
  onFailure: onFailureSchema.default('abort'),
  idempotent: z.boolean().default(false),
  verify: verifySchema.optional(),
  captures: z.record(nameString, captureSchema).default({}),
};

/** Changes an `aws` step may make (world-steps.ts); probes only read (describe*). */
export const AWS_OPERATIONS = [
  'setDesiredCapacity',
  'updateGroupSize',
  'deleteScheduledActions',
  'deletePolicies',
  'resumeTerminate',
  'clearProtection',
  'deleteWarmPool',
  'deleteGroup',
  'deleteLaunchTemplate',
  'deleteLaunchConfiguration',
  'createSnapshot',
  'createVolume',
  'attachVolume',
  'detachVolume',
  'deleteVolume',
] as const;
export type AwsOperation = (typeof AWS_OPERATIONS)[number];

const streamEnd = z.object({ host: z.string(), command: z.string() }).strict();

/**
 * Progress of a long ssh step read from its own output (a host-to-host copy
 * never passes opsdeck, so only the command can say how far it got): lines
 * matching `bytesFrom.regex` carry the bytes done in their first group and
 * are progress only, not output; `sizeBytes` (a template) is the total.
 */
const sshProgressSchema = z
  .object({
    sizeBytes: z.string(),
    bytesFrom: z.object({ regex: z.string(), from: z.enum(['stdout', 'stderr']).default('stderr') }).strict(),
  })
  .strict();
export type SshProgressSpec = z.infer<typeof sshProgressSchema>;

export const stepSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('ssh'), host: z.string(), command: z.string(), progress: sshProgressSchema.optional() }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('sql'),
      target: z.string(),
      /** a named connection kept open across steps (a held FLUSH TABLES WITH READ LOCK) */
      session: idString.optional(),
      /** close the named session after this step */
      closeSession: z.boolean().default(false),
      /** none only with closeSession: forget a session whose server went away (a lock that ended with its mysqld) */
      statements: z.array(z.string()),
    })
    .strict(),
  z.object({ ...common, kind: z.literal('mysql'), target: z.string(), operation: z.enum(MYSQL_OPERATIONS), args: z.record(z.string(), z.string()).default({}) }).strict(),
  z.object({ ...common, kind: z.literal('stream'), from: streamEnd, to: streamEnd, sizeBytes: z.string().optional() }).strict(),
  z.object({ ...common, kind: z.literal('aws'), operation: z.enum(AWS_OPERATIONS), args: z.record(z.string(), z.string()).default({}) }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('haproxy'),
      action: z.enum(['drain', 'maint', 'ready']),
      /** a server name, or `all` for every server of the backend */
      server: z.string().default('all'),
    })
    .strict(),
  z
    .object({
      ...common,
      kind: z.literal('wait'),
      until: verifySchema,
      interval: duration.default('5s'),
    })
    .strict(),
  z.object({ ...common, kind: z.literal('manual'), instruction: z.string() }).strict(),
  z.object({ ...common, kind: z.literal('check'), assert: verifySchema, message: z.string().optional() }).strict(),
]);
export type StepSpec = z.infer<typeof stepSchema>;
export type StepKind = StepSpec['kind'];

export const runbookSchema = z
  .object({
    name: idString,
    title: z.string(),
    description: z.string(),
    inputs: z.record(nameString, inputSchema).default({}),
    preconditions: z.array(verifySchema.extend({ title: z.string() }).strict()).default([]),
    steps: z.array(stepSchema).min(1),
  })
  .strict();
export type Runbook = z.infer<typeof runbookSchema>;
