import { describe, expect, it } from 'vitest';
import { haproxyConfigSchema } from '../../src/haproxy/config.js';
import { buildSyncPlan } from '../../src/haproxy/plan.js';
import { planHeader, planJson } from '../../src/haproxy/report.js';
import { redactConfigText } from '../../src/haproxy/redact.js';
import { poolOf } from '../bench/haproxy-plan.js';

/** The recipe's template shape: credentials inline in defaults and next to the pool. */
const TEMPLATE = `global
    setenv API_TOKEN tok-7f3a
    setenv REGION us-east-1

defaults
    mode http
    stats enable
    stats auth myusername:mypassword

userlist ops
    user bob insecure-password hunter2

backend www_farm
    http-request set-header Authorization Basic Ym9iOmh1bnRlcjI=
    balance roundrobin
`;
const SECRETS = ['tok-7f3a', 'mypassword', 'hunter2', 'Ym9iOmh1bnRlcjI='];

describe('secrets in haproxy.cfg never reach a plan', () => {
  const cfg = haproxyConfigSchema.parse({ template: 't.cfg', configPath: '/etc/haproxy/haproxy.cfg' });
  // No live file yet: the diff is the whole new config, every secret line included.
  const plan = buildSyncPlan({
    template: TEMPLATE,
    live: undefined,
    discovery: { instances: [], members: poolOf(2), problems: [], source: 'test' },
    haproxy: cfg,
    now: new Date('2026-01-01T00:00:00Z'),
  });

  it('the diff, the header and the JSON hide the values and keep the keywords', () => {
    const printed = [plan.diff, ...planHeader(plan).map((l) => l.text), JSON.stringify(planJson(plan))].join('\n');
    for (const s of SECRETS) expect(printed).not.toContain(s);
    expect(plan.diff).toContain('+    stats auth myusername:[redacted]');
    expect(plan.diff).toContain('+    user bob insecure-password [redacted]');
    expect(plan.diff).toContain('+    setenv API_TOKEN [redacted]');
    expect(plan.diff).toContain('+    setenv REGION us-east-1');
    expect(plan.diff).toContain('+    server i-00000000000000000 127.0.0.0:80 check maxconn 200');
  });

  it('apply still gets the real text: only what is shown is redacted', () => {
    for (const s of SECRETS) expect(plan.newConfig).toContain(s);
  });

  it('haproxy messages that quote a line are redacted too', () => {
    expect(redactConfigText("parsing [new config:8] : 'stats auth admin:s3cret' : unknown")).toBe("parsing [new config:8] : 'stats auth admin:[redacted]' : unknown");
  });
});
