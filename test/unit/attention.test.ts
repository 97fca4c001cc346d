import { describe, expect, it } from 'vitest';
import { runAttentionProbe } from '../../src/core/attention.js';
import { databaseAttention } from '../../src/database/attention.js';
import { downServers, fleetAttentionOf } from '../../src/haproxy/attention.js';
import type { LiveServer } from '../../src/haproxy/runtime.js';
import { scalingAttentionOf } from '../../src/scaling/attention.js';
import type { GroupSummary } from '../../src/scaling/status.js';
import { webcamAttentionOf } from '../../src/webcam/attention.js';
import { testContext } from '../views/helpers.js';

const server = (name: string, status: string, check: string, backend = 'www'): LiveServer => ({ backend, name, address: '127.0.0.1', port: 80, admin: 'ready', status, check });

describe('attention probes: what each tab says from afar', () => {
  it('Fleet: servers failing their checks, each once, a DRAIN that fails its checks included', () => {
    const live = [server('a', 'UP', 'L4OK'), server('b', 'DOWN', 'L4CON'), server('b', 'DOWN', 'L4CON', 'api'), { ...server('c', 'DRAIN', 'L7STS'), admin: 'drain' as const }];
    expect(downServers(live)).toBe(2);
    expect(fleetAttentionOf(2)).toEqual({ level: 'bad', text: '2 DOWN' });
    expect(fleetAttentionOf(0)).toBeUndefined();
  });

  it('Database: the sandbox replica-2 is broken on purpose', async () => {
    expect(await databaseAttention(testContext())).toEqual({ level: 'bad', text: '1 broken' });
  });

  it('Database: no MySQL servers configured is no mark, not an error', async () => {
    expect(await databaseAttention(testContext({ options: { sandbox: false } }))).toBeUndefined();
  });

  it('Scaling: unhealthy instances across groups are a warning', () => {
    const g = (unhealthy: number): GroupSummary => ({ counts: { unhealthy } } as unknown as GroupSummary);
    expect(scalingAttentionOf([g(0), g(2), g(1)])).toEqual({ level: 'warn', text: '3 unhealthy' });
    expect(scalingAttentionOf([g(0)])).toBeUndefined();
  });

  it('Webcam: a camera fault, then staleness, is bad', () => {
    const stale = { capture: false, ingest: false, reasons: [] };
    expect(webcamAttentionOf({ capture: undefined, stale })).toBeUndefined();
    expect(webcamAttentionOf({ capture: undefined, stale: { ...stale, ingest: true } })).toEqual({ level: 'bad', text: 'stale' });
    const capture = { consecutiveFailures: 5, fault: true } as unknown as Parameters<typeof webcamAttentionOf>[0]['capture'];
    expect(webcamAttentionOf({ capture, stale })).toEqual({ level: 'bad', text: 'camera fault' });
  });

  it('a probe that hangs ends at its deadline as a failure (the mark is left alone)', async () => {
    const o = await runAttentionProbe(() => new Promise(() => {}), testContext(), 30, 'Fleet');
    expect(o.ok).toBe(false);
    expect(String((o as { error: Error }).error.message)).toContain('the Fleet attention probe did not finish within');
  });
});
