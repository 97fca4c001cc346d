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
}

export interface AsgInstance {
  id: string;
  lifecycleState: string;
  healthStatus: string;
  availabilityZone: string | undefined;
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
}

export interface ScalingPort {
  describeGroups(names?: readonly string[], opts?: ListOptions): Promise<AutoScalingGroup[]>;
  setDesiredCapacity(name: string, desired: number, opts?: { honorCooldown?: boolean }): Promise<void>;
  updateGroupSize(name: string, size: { min?: number; max?: number; desired?: number }): Promise<void>;
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
}

export interface CloudPorts {
  compute: ComputePort;
  scaling: ScalingPort;
  objects: ObjectStorePort;
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
