/**
 * The sandbox's instances outside the Auto Scaling group: the load balancer,
 * the MySQL pair, and two app servers discovery must skip (no IPv4, stopped).
 */
import type { Tags } from '../ports.js';
import { awsId } from './rng.js';

const DAY = 24 * 60 * 60_000;

export const APP_AMI_ID = 'ami-0a1b2c3d4e5f60718';
export const LB_AMI_ID = 'ami-0c5b7d4e1f2a39846';
export const DB_AMI_ID = 'ami-0e4d3c2b1a0f98765';

export interface InstRec {
  id: string;
  az: string;
  type: string;
  imageId: string;
  privateIp: string | undefined;
  publicIp: string | undefined;
  launchMs: number;
  terminatedMs: number | undefined;
  /** static instances never boot in front of us: they are running from the start */
  stateOverride: string | undefined;
  /** group members: the launch template version they were launched with */
  templateVersion?: string;
  tags: Tags;
}

export interface StaticIds {
  lb: string;
  dbPrimary: string;
  dbReplica: string;
  legacy: string;
  spare: string;
}

export function addStatic(instances: Map<string, InstRec>, seed: number, now: number): StaticIds {
  const mk = (n: number, rec: Omit<InstRec, 'id' | 'launchMs' | 'terminatedMs'>, ageDays: number): string => {
    const id = awsId('i', seed, 'static-instance', n);
    instances.set(id, { ...rec, id, launchMs: now - ageDays * DAY, terminatedMs: undefined });
    return id;
  };
  const running = 'running';
  return {
    lb: mk(0, { az: 'us-east-1a', type: 'c5.large', imageId: LB_AMI_ID, privateIp: '127.0.0.10', publicIp: '127.1.113.10', stateOverride: running, tags: { Name: 'haproxy-1', Role: 'lb' } }, 210),
    dbPrimary: mk(1, { az: 'us-east-1a', type: 'r5.xlarge', imageId: DB_AMI_ID, privateIp: '127.0.0.20', publicIp: undefined, stateOverride: running, tags: { Name: 'mysql-primary', Role: 'db', MysqlRole: 'primary' } }, 380),
    dbReplica: mk(2, { az: 'us-east-1b', type: 'r5.xlarge', imageId: DB_AMI_ID, privateIp: '127.0.32.21', publicIp: undefined, stateOverride: running, tags: { Name: 'mysql-replica', Role: 'db', MysqlRole: 'replica' } }, 120),
    // IPv6-only subnet: running with the app AMI but no private IPv4 — discovery must skip it, not crash.
    legacy: mk(3, { az: 'us-east-1c', type: 't3.medium', imageId: APP_AMI_ID, privateIp: undefined, publicIp: undefined, stateOverride: running, tags: { Name: 'web-legacy', Role: 'web' } }, 30),
    // Stopped app server: must not be discovered (discovery asks for running only).
    spare: mk(4, { az: 'us-east-1b', type: 't3.medium', imageId: APP_AMI_ID, privateIp: '127.0.32.99', publicIp: undefined, stateOverride: 'stopped', tags: { Name: 'web-spare', Role: 'web' } }, 60),
  };
}
