import { ensureDir } from '../core/dirs.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ASG_NAME, SANDBOX_AMI_POINTER } from '../cloud/sandbox/index.js';
import type { Config } from '../config/schema.js';
import type { FleetConfig } from '../fleet/config.js';
import type { HaproxyConfig } from './config.js';
import { readOptional } from './plan.js';

/** The recipe's "default config", made safe to validate on any machine: no user/group/chroot, loopback only. */
export function sandboxTemplate(dir: string): string {
  return `# opsdeck sandbox: the "default config" (pool backend without server lines)
global
    maxconn 50000
    stats socket ${dir}/admin.sock mode 600 level admin expose-fd listeners

defaults
    log     global
    mode    http
    option  httplog
    option  forwardfor
    retries 2
    maxconn 50000
    timeout connect 10s
    timeout client  30s
    timeout server  60s

frontend www
    bind 127.0.0.1:8080
    maxconn 40000
    default_backend www_farm

backend www_farm
    balance roundrobin
`;
}

export interface SyncSettings {
  fleet: FleetConfig;
  haproxy: HaproxyConfig;
  sandbox: boolean;
}

/**
 * What a sync works with. On the sandbox: a working dir under sandboxDir with
 * the template (written once, then the user's to edit) and the live file, and
 * discovery through the sandbox world's AMI pointer and ASG unless configured.
 */
export async function syncSettings(config: Config, sandboxDir: string | undefined): Promise<SyncSettings> {
  if (!sandboxDir) return { fleet: config.fleet, haproxy: config.haproxy, sandbox: false };
  const dir = path.join(sandboxDir, 'haproxy');
  await ensureDir(dir, { what: 'the sandbox directory' });
  const template = path.join(dir, 'template.cfg');
  if ((await readOptional(template)) === undefined) await writeFile(template, sandboxTemplate(dir));
  // The sandbox "haproxy" starts with an empty pool, like a fresh load balancer from the recipe.
  const live = path.join(dir, 'haproxy.cfg');
  if ((await readOptional(live)) === undefined) await writeFile(live, sandboxTemplate(dir));
  const d = config.fleet.discovery;
  const hasMode = Boolean(d.amiPointer || d.tags || d.autoScalingGroup);
  return {
    sandbox: true,
    fleet: hasMode ? config.fleet : { ...config.fleet, discovery: { amiPointer: SANDBOX_AMI_POINTER, autoScalingGroup: ASG_NAME } },
    haproxy: {
      ...config.haproxy,
      template,
      configPath: live,
      // Not nested under haproxy/: the sandbox object store reads every subdir of sandboxDir as a bucket of plain files.
      backupDir: path.join(sandboxDir, 'haproxy-backups'),
      runtimeSocket: path.join(dir, 'admin.sock'),
      backends: ['www_farm'],
      serverStateFile: undefined,
    },
  };
}
