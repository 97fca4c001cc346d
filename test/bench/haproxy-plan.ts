/** Measuring function for `npm run bench`: render + diff + summary for a large pool. */
import { haproxyConfigSchema } from '../../src/haproxy/config.js';
import type { PoolMember } from '../../src/fleet/discover.js';
import { buildSyncPlan } from '../../src/haproxy/plan.js';
import { renderConfig } from '../../src/haproxy/render.js';

// The recipe's template keeps its stats password inline: the diff's redaction is part of what is measured.
const TEMPLATE = `global
    maxconn 50000
defaults
    mode http
    stats enable
    stats auth myusername:mypassword
    timeout connect 10s
    timeout client 30s
    timeout server 60s
frontend www
    bind 127.0.0.1:8080
    default_backend www_farm
backend www_farm
    balance roundrobin
`;

export function poolOf(n: number, offset = 0): PoolMember[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i + offset;
    return { instanceId: `i-${k.toString(16).padStart(17, '0')}`, address: `127.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, port: 80 };
  });
}

/** A scale event on a pool of `instances`: 5% leave, 5% arrive. Returns the time of render + diff + summary. */
export function measureRenderDiff(instances = 5000): { ms: number } {
  const cfg = haproxyConfigSchema.parse({ template: '/bench/template.cfg', configPath: '/bench/haproxy.cfg' });
  const before = poolOf(instances);
  const live = renderConfig(TEMPLATE, before, { backends: cfg.backends, serverOptions: cfg.serverOptions });
  const churn = Math.floor(instances / 20);
  const after = [...before.slice(churn), ...poolOf(churn, instances)];
  const t0 = performance.now();
  const plan = buildSyncPlan({
    template: TEMPLATE,
    live,
    discovery: { instances: [], members: after, problems: [], source: 'bench' },
    haproxy: cfg,
    now: new Date(0),
    options: { force: true },
  });
  const ms = performance.now() - t0;
  if (plan.summary.added.length !== churn || plan.summary.removed.length !== churn) throw new Error('bench: unexpected plan');
  if (plan.diff.includes('mypassword')) throw new Error('bench: the diff shows the stats password');
  return { ms };
}

/** Worst case for the diff: a first sync filling an empty backend with `instances` servers. */
export function measureFirstFill(instances = 5000): { ms: number } {
  const cfg = haproxyConfigSchema.parse({ template: '/bench/template.cfg', configPath: '/bench/haproxy.cfg' });
  const t0 = performance.now();
  buildSyncPlan({ template: TEMPLATE, live: TEMPLATE, discovery: { instances: [], members: poolOf(instances), problems: [], source: 'bench' }, haproxy: cfg, now: new Date(0) });
  return { ms: performance.now() - t0 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (let i = 0; i < 3; i++) console.log('render+diff 5000 (5% churn):', measureRenderDiff().ms.toFixed(1), 'ms; first fill:', measureFirstFill().ms.toFixed(1), 'ms');
}
