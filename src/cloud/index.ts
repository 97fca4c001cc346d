import type { Clock } from '../core/clock.js';
import type { Config } from '../config/schema.js';
import type { CloudPorts } from './ports.js';

export type { CloudPorts } from './ports.js';
export { CloudError } from './ports.js';

export interface CreateCloudOptions {
  sandbox: boolean;
  config: Config;
  clock: Clock;
  /** where the sandbox persists its object store (webcam frames, pointer) */
  sandboxDir?: string;
  /** sandbox only: simulated latency per call (ms of the clock); the TUI uses a few ms */
  sandboxLatencyMs?: number;
  /** sandbox only: world seed (default 42) */
  sandboxSeed?: number;
  /** --profile / --region: win over the config file */
  profile?: string;
  region?: string;
  /** SDK attempts per call (adaptive retry mode); default AWS_MAX_ATTEMPTS or 5 */
  maxAttempts?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * The one place that decides which world opsdeck talks to. Both branches are
 * loaded on demand so neither pays for the other (the AWS SDK is heavy).
 */
export async function createCloud(opts: CreateCloudOptions): Promise<CloudPorts> {
  if (opts.sandbox) {
    const { createSandboxWorld } = await import('./sandbox/index.js');
    return createSandboxWorld({
      seed: opts.sandboxSeed ?? 42,
      now: opts.clock,
      ...(opts.sandboxDir === undefined ? {} : { dir: opts.sandboxDir }),
      latencyMs: opts.sandboxLatencyMs ?? 0,
    });
  }
  const { createAwsCloud, resolveAwsSettings } = await import('./aws/index.js');
  return createAwsCloud(
    resolveAwsSettings({
      config: opts.config,
      profile: opts.profile,
      region: opts.region,
      maxAttempts: opts.maxAttempts,
      ...(opts.env === undefined ? {} : { env: opts.env }),
    }),
  );
}
