import type { Config } from '../../config/schema.js';
import { readProfile } from '../../config/aws-profile.js';
import { REMOTE_DEFAULTS } from '../../core/deadline.js';
import type { AlarmsPort, BalancingPort, ClassicElbPort, CloudPorts, ComputePort, ObjectStorePort, ScalingPort } from '../ports.js';

/**
 * Client settings shared by the EC2, Auto Scaling, S3, ELB (classic and v2) and CloudWatch clients. Credentials
 * are never handled here: the SDK's default provider chain finds them (env,
 * shared files for `profile`, SSO, instance role).
 */
export interface AwsSettings {
  region: string | undefined;
  profile: string | undefined;
  /** any AWS-compatible endpoint; S3 then uses path-style addressing */
  endpoint: string | undefined;
  /** per-service endpoints from the profile's `services` section (ec2, auto_scaling, s3) */
  serviceEndpoints?: Record<string, string>;
  maxAttempts: number;
  /** HTTP connect and idle-read timeouts: no SDK call waits forever on a silent endpoint */
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

export interface AwsSettingsInput {
  config: Config;
  /** --profile / --region flags win over the config file */
  profile?: string | undefined;
  region?: string | undefined;
  maxAttempts?: number | undefined;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_MAX_ATTEMPTS = 5;

export function resolveAwsSettings(input: AwsSettingsInput): AwsSettings {
  const env = input.env ?? process.env;
  const envAttempts = Number(env['AWS_MAX_ATTEMPTS']);
  const profile = input.profile ?? input.config.aws.profile ?? undefined;
  // The SDK honours a profile's endpoint_url and services only when the profile comes from
  // AWS_PROFILE; named by flag or config it would reach real AWS instead. Read it as AWS_PROFILE would.
  const fromProfile = profile !== undefined ? readProfile(profile, env) : undefined;
  const settings: AwsSettings = {
    region: input.region ?? input.config.aws.region ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || fromProfile?.region || undefined),
    profile,
    endpoint: input.config.aws.endpoint ?? (env['AWS_ENDPOINT_URL'] || fromProfile?.endpoint || undefined),
    maxAttempts:
      input.maxAttempts ?? (Number.isInteger(envAttempts) && envAttempts > 0 ? envAttempts : DEFAULT_MAX_ATTEMPTS),
    connectTimeoutMs: (input.config.aws.connectTimeoutSeconds ?? REMOTE_DEFAULTS.awsConnectTimeoutSeconds) * 1000,
    readTimeoutMs: (input.config.aws.readTimeoutSeconds ?? REMOTE_DEFAULTS.awsReadTimeoutSeconds) * 1000,
  };
  // An explicit endpoint (config, AWS_ENDPOINT_URL) wins over the profile's per-service ones, as it does in the SDK.
  if (fromProfile && Object.keys(fromProfile.serviceEndpoints).length > 0 && !input.config.aws.endpoint && !env['AWS_ENDPOINT_URL']) {
    settings.serviceEndpoints = fromProfile.serviceEndpoints;
  }
  return settings;
}

/** The endpoint a service's client uses: its own from the profile's services section, else the common one. */
function endpointFor(s: AwsSettings, service: 'ec2' | 'auto_scaling' | 's3' | 'elastic_load_balancing' | 'elastic_load_balancing_v2' | 'cloudwatch'): AwsSettings {
  const own = s.serviceEndpoints?.[service];
  return own ? { ...s, endpoint: own } : s;
}

/**
 * The SDK prints a multi-line Node-version notice on stderr once per process;
 * from cron that is mail on every run. Users can still opt back in by setting
 * the variable to anything else.
 */
function quietSdkNotices(): void {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
}

/** The constructor options every client gets; undefined fields let the SDK's own resolution apply. */
export function clientConfig(s: AwsSettings): {
  region?: string;
  profile?: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: 'adaptive';
  requestHandler: { connectionTimeout: number; socketTimeout: number };
} {
  quietSdkNotices();
  const c: ReturnType<typeof clientConfig> = {
    maxAttempts: s.maxAttempts,
    retryMode: 'adaptive',
    // The SDK's own default is no timeout at all: a black-holed endpoint hung cron runs forever.
    // socketTimeout is an idle timeout (the AWS CLI's read_timeout), so a large S3 download still completes.
    requestHandler: { connectionTimeout: s.connectTimeoutMs, socketTimeout: s.readTimeoutMs },
  };
  if (s.region !== undefined) c.region = s.region;
  if (s.profile !== undefined) c.profile = s.profile;
  if (s.endpoint !== undefined) c.endpoint = s.endpoint;
  return c;
}

// The SDK packages are large: each is imported on the first call that needs it,
// so `opsdeck --help` and sandbox runs never load them.
export async function createEc2Client(s: AwsSettings) {
  const { EC2Client } = await import('@aws-sdk/client-ec2');
  return new EC2Client(clientConfig(endpointFor(s, 'ec2')));
}

export async function createAutoScalingClient(s: AwsSettings) {
  const { AutoScalingClient } = await import('@aws-sdk/client-auto-scaling');
  return new AutoScalingClient(clientConfig(endpointFor(s, 'auto_scaling')));
}

export async function createS3Client(s: AwsSettings) {
  const { S3Client } = await import('@aws-sdk/client-s3');
  // Custom endpoints (MinIO, s3rver, LocalStack...) rarely resolve bucket subdomains.
  const own = endpointFor(s, 's3');
  return new S3Client({ ...clientConfig(own), forcePathStyle: own.endpoint !== undefined });
}

export async function createElbv2Client(s: AwsSettings) {
  const { ElasticLoadBalancingV2Client } = await import('@aws-sdk/client-elastic-load-balancing-v2');
  return new ElasticLoadBalancingV2Client(clientConfig(endpointFor(s, 'elastic_load_balancing_v2')));
}

export async function createClassicElbClient(s: AwsSettings) {
  const { ElasticLoadBalancingClient } = await import('@aws-sdk/client-elastic-load-balancing');
  return new ElasticLoadBalancingClient(clientConfig(endpointFor(s, 'elastic_load_balancing')));
}

export async function createCloudWatchClient(s: AwsSettings) {
  const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
  return new CloudWatchClient(clientConfig(endpointFor(s, 'cloudwatch')));
}

const BALANCING_METHODS = Object.keys({
  describeTargetGroups: true,
  registerTargets: true,
  deregisterTargets: true,
} satisfies Record<keyof BalancingPort, true>) as (keyof BalancingPort)[];

const CLASSIC_ELB_METHODS = Object.keys({
  describeLoadBalancers: true,
  registerInstances: true,
  deregisterInstances: true,
} satisfies Record<keyof ClassicElbPort, true>) as (keyof ClassicElbPort)[];

/** Every ScalingPort method: the compiler checks the list is complete, so the lazy port forwards them all. */
const SCALING_METHODS = Object.keys({
  describeGroups: true,
  setDesiredCapacity: true,
  updateGroupSize: true,
  describeActivities: true,
  describePolicies: true,
  describeScheduledActions: true,
  describeLifecycleHooks: true,
  describeWarmPool: true,
  putScheduledAction: true,
  deleteScheduledAction: true,
  putTargetTrackingPolicy: true,
  deletePolicy: true,
  suspendProcesses: true,
  resumeProcesses: true,
  setInstanceProtection: true,
  terminateInstance: true,
  deleteWarmPool: true,
  deleteGroup: true,
  deleteLaunchTemplate: true,
  deleteLaunchConfiguration: true,
} satisfies Record<keyof ScalingPort, true>) as (keyof ScalingPort)[];

const COMPUTE_METHODS = Object.keys({
  describeInstances: true,
  describeImages: true,
  describeVolumes: true,
  describeSnapshots: true,
  deleteSnapshot: true,
  createSnapshot: true,
  createVolume: true,
  attachVolume: true,
  detachVolume: true,
  deleteVolume: true,
} satisfies Record<keyof ComputePort, true>) as (keyof ComputePort)[];

/** A port whose methods build the real one (and load its SDK) on their first call. */
function forward<T extends object>(get: () => Promise<T>, keys: readonly (keyof T)[]): T {
  const out: Partial<Record<keyof T, unknown>> = {};
  for (const k of keys) {
    out[k] = async (...args: unknown[]) => {
      const port = await get();
      return (port[k] as (...a: unknown[]) => unknown).apply(port, args);
    };
  }
  return out as T;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= make().catch((e: unknown) => {
      p = undefined;
      throw e;
    });
    return p;
  };
}

/** CloudPorts over AWS, each port built (and its SDK loaded) on first use. */
export function createAwsCloud(settings: AwsSettings): CloudPorts {
  // One EC2 client: compute uses it, and the scaling port for launch templates (an EC2 API).
  const ec2 = once(() => createEc2Client(settings));
  const compute = once(async (): Promise<ComputePort> => {
    const [{ createEc2Compute }, client] = await Promise.all([import('./compute.js'), ec2()]);
    return createEc2Compute(client);
  });
  const scaling = once(async (): Promise<ScalingPort> => {
    const [{ createAutoScaling }, client] = await Promise.all([import('./scaling.js'), createAutoScalingClient(settings)]);
    return createAutoScaling(client, ec2);
  });
  const objects = once(async (): Promise<ObjectStorePort> => {
    const [{ createS3ObjectStore }, client] = await Promise.all([import('./objects.js'), createS3Client(settings)]);
    return createS3ObjectStore(client);
  });
  const balancing = once(async (): Promise<BalancingPort> => {
    const [{ createElbv2Balancing }, client] = await Promise.all([import('./balancing.js'), createElbv2Client(settings)]);
    return createElbv2Balancing(client);
  });
  const classicElb = once(async (): Promise<ClassicElbPort> => {
    const [{ createClassicElb }, client] = await Promise.all([import('./classic-elb.js'), createClassicElbClient(settings)]);
    return createClassicElb(client);
  });
  const alarms = once(async (): Promise<AlarmsPort> => {
    const [{ createCloudWatchAlarms }, client] = await Promise.all([import('./alarms.js'), createCloudWatchClient(settings)]);
    return createCloudWatchAlarms(client);
  });
  return {
    kind: 'aws',
    compute: forward(compute, COMPUTE_METHODS),
    scaling: forward(scaling, SCALING_METHODS),
    balancing: forward(balancing, BALANCING_METHODS),
    classicElb: forward(classicElb, CLASSIC_ELB_METHODS),
    alarms: { describeAlarms: async (names, o) => (await alarms()).describeAlarms(names, o) },
    objects: {
      getObject: async (b, k, o) => (await objects()).getObject(b, k, o),
      putObject: async (b, k, body, o) => (await objects()).putObject(b, k, body, o),
      listObjects: async (b, p, o) => (await objects()).listObjects(b, p, o),
      deleteObject: async (b, k, o) => (await objects()).deleteObject(b, k, o),
    },
  };
}
