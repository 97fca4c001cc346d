/**
 * The cloud as opsdeck sees it: only what the panes and batch jobs need.
 * Two implementations stand behind these ports: `aws/` (SDK v3, thin) and
 * `sandbox/` (a deterministic simulated world). Core code depends on these
 * interfaces only, so the sandbox and tests run the same code as production.
 */

export type Tags = Record<string, string>;

export interface Instance {
  id: string;
  name: string | undefined;
  /** EC2 state name: pending | running | stopping | stopped | shutting-down | terminated */
  state: string;
  availabilityZone: string | undefined;
  instanceType: string | undefined;
  imageId: string | undefined;
  privateIp: string | undefined;
  publicIp: string | undefined;
  launchTime: Date | undefined;
  tags: Tags;
}

export interface InstanceFilter {
  instanceIds?: readonly string[];
  imageIds?: readonly string[];
  /** tag key -> accepted values (any of) */
  tags?: Readonly<Record<string, readonly string[]>>;
  /** EC2 instance-state-name values; discovery always passes ['running']. */
  states?: readonly string[];
}

export interface Image {
  id: string;
  name: string | undefined;
  state: string | undefined;
  creationDate: Date | undefined;
  /** EBS snapshot ids referenced by the image's block device mappings. */
  snapshotIds: string[];
}

export interface Volume {
  id: string;
  sizeGiB: number | undefined;
  availabilityZone: string | undefined;
  state: string | undefined;
  attachedInstanceId: string | undefined;
  tags: Tags;
}

export type SnapshotState = 'pending' | 'completed' | 'error' | 'recoverable' | 'recovering' | (string & {});

export interface Snapshot {
  id: string;
  volumeId: string;
  startTime: Date;
  state: SnapshotState;
  progress: string | undefined;
  /** the size of the volume the snapshot was taken from (EC2 VolumeSize), not what the snapshot stores */
  sizeGiB: number | undefined;
  /** EC2 FullSnapshotSizeInBytes: the snapshot's full size, where the API reports it (not what deleting it frees: snapshots are incremental) */
  fullSizeBytes?: number | undefined;
  description: string | undefined;
  tags: Tags;
}

export interface SnapshotFilter {
  volumeIds?: readonly string[];
  snapshotIds?: readonly string[];
  tags?: Readonly<Record<string, readonly string[]>>;
}

export interface PageProgress {
  /** pages fetched so far */
  pages: number;
  /** items fetched so far */
  items: number;
}

export interface ListOptions {
  signal?: AbortSignal;
  onPage?: (p: PageProgress) => void;
}

export interface ComputePort {
  /** All pages. Note: EC2 pages count reservations, not instances. */
  describeInstances(filter: InstanceFilter, opts?: ListOptions): Promise<Instance[]>;
  /** Images owned by this account (owner self). */
  describeImages(opts?: ListOptions): Promise<Image[]>;
  describeVolumes(filter?: { volumeIds?: readonly string[] }, opts?: ListOptions): Promise<Volume[]>;
  /** Snapshots owned by this account (owner self), all pages. */
  describeSnapshots(filter?: SnapshotFilter, opts?: ListOptions): Promise<Snapshot[]>;
  /** Throws CloudError with the AWS error code on failure. */
  deleteSnapshot(snapshotId: string, opts?: { signal?: AbortSignal }): Promise<void>;
  /** Starts a snapshot (state pending); poll describeSnapshots({ snapshotIds }) until completed. */
  createSnapshot(volumeId: string, opts?: { description?: string; tags?: Tags; signal?: AbortSignal }): Promise<Snapshot>;
  /** A new volume (state creating), empty or from a snapshot; poll describeVolumes until available. */
  createVolume(opts: { availabilityZone: string; snapshotId?: string; sizeGiB?: number; volumeType?: string; tags?: Tags; signal?: AbortSignal }): Promise<Volume>;
  attachVolume(volumeId: string, instanceId: string, device: string, opts?: { signal?: AbortSignal }): Promise<void>;
  detachVolume(volumeId: string, opts?: { force?: boolean; signal?: AbortSignal }): Promise<void>;
  deleteVolume(volumeId: string, opts?: { signal?: AbortSignal }): Promise<void>;
}

export interface AsgInstance {
  id: string;
  /** Pending, InService, Terminating, Terminating:Wait, Terminated, Standby, ... */
  lifecycleState: string;
  healthStatus: string;
  availabilityZone: string | undefined;
  instanceType?: string | undefined;
  /** the launch template (name) or launch configuration the instance was launched from */
  launchTemplate?: string | undefined;
  /** the template version the instance was launched with, as the API reports it */
  launchTemplateVersion?: string | undefined;
  protectedFromScaleIn?: boolean | undefined;
}

export interface AutoScalingGroup {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instances: AsgInstance[];
  availabilityZones: string[];
  launchTemplate: string | undefined;
  tags: Tags;
  createdTime: Date | undefined;
  /** the group's launch template version ($Latest, $Default or a number); undefined for a launch configuration */
  launchTemplateVersion?: string | undefined;
  /** set when the group uses a launch configuration (the seed's form) rather than a template */
  launchConfigurationName?: string | undefined;
  /** suspended scaling processes (Launch, Terminate, AZRebalance, ...) */
  suspendedProcesses?: string[] | undefined;
  defaultCooldownSeconds?: number | undefined;
  /** e.g. "Delete in progress" while a delete runs */
  status?: string | undefined;
  targetGroupArns?: string[] | undefined;
  /** classic ELB names */
  loadBalancerNames?: string[] | undefined;
}

/** One entry of a group's scaling history (DescribeScalingActivities). */
export interface ScalingActivity {
  id: string;
  groupName: string;
  description: string;
  cause: string;
  /** Successful, Failed, Cancelled, InProgress, WaitingForInstanceId, PreInService, MidLifecycleAction, ... */
  status: string;
  statusMessage?: string | undefined;
  progress?: number | undefined;
  startTime: Date;
  endTime?: Date | undefined;
}

/** A scaling policy; `kind` as the API names it. */
export interface ScalingPolicy {
  name: string;
  groupName: string;
  kind: 'TargetTrackingScaling' | 'StepScaling' | 'SimpleScaling' | 'PredictiveScaling' | (string & {});
  enabled: boolean;
  /** target tracking: the predefined metric (ASGAverageCPUUtilization, ...) or 'custom', and its target */
  targetTracking?: { metric: string; targetValue: number; disableScaleIn: boolean } | undefined;
  /** step/simple: ChangeInCapacity, PercentChangeInCapacity, ExactCapacity */
  adjustmentType?: string | undefined;
  scalingAdjustment?: number | undefined;
  stepAdjustments?: { lower?: number | undefined; upper?: number | undefined; adjustment: number }[] | undefined;
  cooldownSeconds?: number | undefined;
  estimatedInstanceWarmupSeconds?: number | undefined;
  /** the CloudWatch alarms behind the policy (names only: their state needs CloudWatch) */
  alarms: string[];
}

/** A scheduled action (PutScheduledUpdateGroupAction): a one-time change at startTime, or a recurrence. */
export interface ScheduledAction {
  name: string;
  groupName: string;
  startTime?: Date | undefined;
  endTime?: Date | undefined;
  /** cron expression, evaluated in timeZone (UTC when unset) */
  recurrence?: string | undefined;
  timeZone?: string | undefined;
  minSize?: number | undefined;
  maxSize?: number | undefined;
  desiredCapacity?: number | undefined;
}

export interface ScheduledActionInput {
  groupName: string;
  name: string;
  startTime: Date;
  minSize?: number;
  maxSize?: number;
  desiredCapacity?: number;
}

export interface LifecycleHook {
  name: string;
  groupName: string;
  /** autoscaling:EC2_INSTANCE_LAUNCHING | autoscaling:EC2_INSTANCE_TERMINATING */
  transition: string;
  heartbeatTimeoutSeconds?: number | undefined;
  defaultResult?: string | undefined;
}

export interface WarmPool {
  groupName: string;
  minSize?: number | undefined;
  maxPreparedCapacity?: number | undefined;
  /** Stopped, Running, Hibernated */
  poolState?: string | undefined;
  /** e.g. PendingDelete */
  status?: string | undefined;
  instances: number;
}

export interface TargetTrackingInput {
  groupName: string;
  name: string;
  /** predefined metric, e.g. ASGAverageCPUUtilization */
  metric: string;
  targetValue: number;
  disableScaleIn?: boolean;
  estimatedInstanceWarmupSeconds?: number;
}

/**
 * EC2 Auto Scaling. Every method throws CloudError with the AWS code
 * (ValidationError, ScalingActivityInProgress, ResourceInUse, ...). The write
 * methods are single API calls, so a plan can name each one it will make
 * (runbook `aws` steps call them by these names).
 */
export interface ScalingPort {
  describeGroups(names?: readonly string[], opts?: ListOptions): Promise<AutoScalingGroup[]>;
  setDesiredCapacity(name: string, desired: number, opts?: { honorCooldown?: boolean }): Promise<void>;
  /** UpdateAutoScalingGroup with MinSize / MaxSize / DesiredCapacity: the shutdown's "min = desired = 0" */
  updateGroupSize(name: string, size: { min?: number; max?: number; desired?: number }): Promise<void>;
  /** Newest first, at most `maxItems` (default 100): a group keeps six weeks of them. */
  describeActivities(groupName: string, opts?: ListOptions & { maxItems?: number }): Promise<ScalingActivity[]>;
  /** All pages; every group's when `groupName` is undefined. */
  describePolicies(groupName?: string, opts?: ListOptions): Promise<ScalingPolicy[]>;
  /** All pages; every group's when `groupName` is undefined. */
  describeScheduledActions(groupName?: string, opts?: ListOptions): Promise<ScheduledAction[]>;
  describeLifecycleHooks(groupName: string, opts?: { signal?: AbortSignal }): Promise<LifecycleHook[]>;
  /** undefined when the group has no warm pool */
  describeWarmPool(groupName: string, opts?: { signal?: AbortSignal }): Promise<WarmPool | undefined>;
  putScheduledAction(action: ScheduledActionInput): Promise<void>;
  deleteScheduledAction(groupName: string, name: string): Promise<void>;
  putTargetTrackingPolicy(policy: TargetTrackingInput): Promise<void>;
  deletePolicy(groupName: string, policyName: string): Promise<void>;
  /** no processes: all of them */
  suspendProcesses(groupName: string, processes?: readonly string[]): Promise<void>;
  /** no processes: all of them */
  resumeProcesses(groupName: string, processes?: readonly string[]): Promise<void>;
  setInstanceProtection(groupName: string, instanceIds: readonly string[], protectedFromScaleIn: boolean): Promise<void>;
  /** TerminateInstanceInAutoScalingGroup: with `decrement` the desired capacity drops by one, else the group launches a replacement. */
  terminateInstance(instanceId: string, decrement: boolean): Promise<void>;
  deleteWarmPool(groupName: string, opts?: { force?: boolean }): Promise<void>;
  /** Without force, refused (ResourceInUse / ScalingActivityInProgress) while instances or activities remain. */
  deleteGroup(groupName: string, opts?: { force?: boolean }): Promise<void>;
  /** EC2 DeleteLaunchTemplate, by name */
  deleteLaunchTemplate(name: string): Promise<void>;
  deleteLaunchConfiguration(name: string): Promise<void>;
}

/** One target of a target group with its health (DescribeTargetHealth). */
export interface TargetHealth {
  /** the instance id (or IP, for an ip target group) */
  id: string;
  port?: number | undefined;
  availabilityZone?: string | undefined;
  /** initial | healthy | unhealthy | unhealthy.draining | unused | draining | unavailable */
  state: string;
  /** Elb.RegistrationInProgress, Target.DeregistrationInProgress, Target.FailedHealthChecks, ... */
  reason?: string | undefined;
  description?: string | undefined;
}

/** An Application/Network Load Balancer target group, read with its targets' health. */
export interface TargetGroup {
  arn: string;
  name: string;
  protocol?: string | undefined;
  port?: number | undefined;
  /** instance | ip | lambda | alb */
  targetType?: string | undefined;
  loadBalancerArns: string[];
  healthCheckPath?: string | undefined;
  /** deregistration_delay.timeout_seconds: how long a deregistered target drains */
  deregistrationDelaySeconds?: number | undefined;
  targets: TargetHealth[];
}

/**
 * Elastic Load Balancing v2: the target groups an Auto Scaling group is
 * attached to. Throws CloudError with the API's code (TargetGroupNotFound,
 * InvalidTarget, ...).
 */
export interface BalancingPort {
  /** DescribeTargetGroups by ARN (all pages), each with its targets' health and its deregistration delay. */
  describeTargetGroups(arns: readonly string[], opts?: ListOptions): Promise<TargetGroup[]>;
  registerTargets(targetGroupArn: string, instanceIds: readonly string[], opts?: { signal?: AbortSignal }): Promise<void>;
  /** The targets drain for the group's deregistration delay before they stop getting traffic. */
  deregisterTargets(targetGroupArn: string, instanceIds: readonly string[], opts?: { signal?: AbortSignal }): Promise<void>;
}

/** One instance registered with a classic ELB, with its health (DescribeInstanceHealth). */
export interface ClassicInstanceHealth {
  instanceId: string;
  /** InService | OutOfService | Unknown */
  state: string;
  /** ELB (the load balancer's side) | Instance (the instance failed) | N/A */
  reasonCode?: string | undefined;
  /** e.g. "Instance registration is still in progress.", "Instance deregistration currently in progress." */
  description?: string | undefined;
}

/** A classic Elastic Load Balancer (the seed's kind), read with its instances' health and connection draining. */
export interface ClassicLoadBalancer {
  name: string;
  dnsName?: string | undefined;
  /** internet-facing | internal */
  scheme?: string | undefined;
  availabilityZones: string[];
  /** "HTTP:80/health" */
  healthCheckTarget?: string | undefined;
  /** "HTTP 80 → 8080" per listener */
  listeners: string[];
  /** ConnectionDraining: while enabled, a deregistered instance finishes its requests for up to the timeout */
  connectionDraining?: { enabled: boolean; timeoutSeconds?: number | undefined } | undefined;
  instances: ClassicInstanceHealth[];
}

/**
 * Classic Elastic Load Balancing: the ELBs an Auto Scaling group names in
 * LoadBalancerNames. Throws CloudError with the API's code
 * (LoadBalancerNotFound, InvalidInstance, ...).
 */
export interface ClassicElbPort {
  /** DescribeLoadBalancers by name (all pages), each with DescribeInstanceHealth and its connection draining attribute. */
  describeLoadBalancers(names: readonly string[], opts?: ListOptions): Promise<ClassicLoadBalancer[]>;
  registerInstances(loadBalancer: string, instanceIds: readonly string[], opts?: { signal?: AbortSignal }): Promise<void>;
  /** With connection draining on, the instance keeps its open requests for up to the timeout. */
  deregisterInstances(loadBalancer: string, instanceIds: readonly string[], opts?: { signal?: AbortSignal }): Promise<void>;
}

/** A CloudWatch alarm's state (DescribeAlarms). */
export interface AlarmState {
  name: string;
  /** OK | ALARM | INSUFFICIENT_DATA */
  state: string;
  reason?: string | undefined;
  updatedAt?: Date | undefined;
}

export interface AlarmsPort {
  /** All pages; names that do not exist are simply absent from the answer. */
  describeAlarms(names: readonly string[], opts?: ListOptions): Promise<AlarmState[]>;
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date | undefined;
}

export interface PutObjectOptions {
  contentType?: string;
  cacheControl?: string;
  /** base64 MD5 of the body: the store refuses a body that does not match (BadDigest) */
  contentMd5?: string;
  /** ACL public-read; off by default: objects are private unless a config opts in */
  publicRead?: boolean;
  signal?: AbortSignal;
}

export interface ObjectStorePort {
  getObject(bucket: string, key: string, opts?: { signal?: AbortSignal }): Promise<Buffer>;
  putObject(
    bucket: string,
    key: string,
    body: Buffer | string,
    opts?: PutObjectOptions,
  ): Promise<void>;
  listObjects(bucket: string, prefix?: string, opts?: ListOptions): Promise<ObjectInfo[]>;
  /** Succeeds when the key is already gone (S3 semantics): a re-run after a crash may delete twice. */
  deleteObject(bucket: string, key: string, opts?: { signal?: AbortSignal }): Promise<void>;
}

export interface CloudPorts {
  compute: ComputePort;
  scaling: ScalingPort;
  objects: ObjectStorePort;
  /** load balancer target groups; optional so older fakes keep compiling: absent means "not available here" */
  balancing?: BalancingPort;
  /** classic ELBs; optional like balancing */
  classicElb?: ClassicElbPort;
  /** CloudWatch alarm states; optional like balancing */
  alarms?: AlarmsPort;
  /** 'aws' or 'sandbox': shown in the header, recorded in the audit log. */
  kind: 'aws' | 'sandbox';
}

/**
 * An error from a cloud call, normalized: `code` is the AWS error code
 * (e.g. RequestLimitExceeded, InvalidSnapshot.InUse, NoSuchKey) whichever
 * implementation raised it.
 */
export class CloudError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly status: number | undefined;
  constructor(code: string, message: string, opts: { retryable?: boolean; status?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CloudError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.status = opts.status;
  }
}
