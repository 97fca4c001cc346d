import { applyPatch } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haproxyConfigSchema } from '../../src/haproxy/config.js';
import { summarize, unifiedDiff } from '../../src/haproxy/diff.js';
import { buildSyncPlan, checkStateFileWiring } from '../../src/haproxy/plan.js';
import { renderConfig } from '../../src/haproxy/render.js';
import { summaryLine } from '../../src/haproxy/report.js';
import { poolOf } from '../bench/haproxy-plan.js';

const TEMPLATE = `global
    maxconn 50000

frontend www
    bind 127.0.0.1:8080
    default_backend www_farm

backend www_farm
    mode http
    balance roundrobin

# static assets
backend static
    balance first
`;
const opts = { backends: ['www_farm'], serverOptions: 'maxconn 250 check' };

describe('renderConfig', () => {
  it('puts one line per instance, named by instance id, at the end of the named backend only', () => {
    const out = renderConfig(TEMPLATE, poolOf(2), opts);
    expect(out).toBe(
      TEMPLATE.replace(
        '    balance roundrobin\n',
        '    balance roundrobin\n    server i-00000000000000000 127.0.0.0:80 maxconn 250 check\n    server i-00000000000000001 127.0.0.1:80 maxconn 250 check\n',
      ),
    );
  });

  it('fills several backends and says which one is missing or already has servers', () => {
    const two = renderConfig(TEMPLATE, poolOf(1), { ...opts, backends: ['www_farm', 'static'] });
    expect(two.match(/server i-00000000000000000/g)).toHaveLength(2);
    expect(() => renderConfig(TEMPLATE, [], { ...opts, backends: ['api'], templatePath: '/etc/t.cfg' })).toThrow('/etc/t.cfg has no "backend api" section');
    const withServer = TEMPLATE.replace('balance first', 'balance first\n    server old 127.0.0.9:80');
    expect(() => renderConfig(withServer, [], { ...opts, backends: ['static'], templatePath: 't.cfg' })).toThrow('t.cfg line 15: backend static already has a server line');
  });
});

describe('port per pool', () => {
  it('gives each backend its own port; an instance port tag still wins', () => {
    const members = [...poolOf(2)];
    members[1] = { ...members[1]!, port: 9000, portFromTag: true }; // the tag said 9000
    const out = renderConfig(TEMPLATE, members, { ...opts, backends: ['www_farm', 'static'], backendPorts: { static: 8081 } });
    const www = out.slice(out.indexOf('backend www_farm'), out.indexOf('# static assets'));
    const stat = out.slice(out.indexOf('backend static'));
    expect(www).toContain('server i-00000000000000000 127.0.0.0:80 ');
    expect(www).toContain('server i-00000000000000001 127.0.0.1:9000 ');
    expect(stat).toContain('server i-00000000000000000 127.0.0.0:8081 ');
    expect(stat).toContain('server i-00000000000000001 127.0.0.1:9000 ');
  });

  it('refuses a port for a backend opsdeck does not fill', () => {
    const r = haproxyConfigSchema.safeParse({ backends: ['www_farm'], backendPorts: { api_farm: 8080 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['backendPorts', 'api_farm'], message: expect.stringContaining('not one of haproxy.backends (www_farm)') });
  });
});

describe('unifiedDiff', () => {
  it('produces a patch that turns the old text into the new one (property)', () => {
    const line = fc.constantFrom('a', 'b', 'c', 'backend x', '    server i-1 1.1.1.1:80', '    server i-2 1.1.1.2:80', '', '#');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.array(line, { maxLength: 40 }), (a, b) => {
        const oldText = a.map((l) => `${l}\n`).join('');
        const newText = b.map((l) => `${l}\n`).join('');
        const patch = unifiedDiff(oldText, newText, 'haproxy.cfg');
        if (oldText === newText) return patch === '';
        return applyPatch(oldText, patch) === newText;
      }),
      { numRuns: 400 },
    );
  });

  it('a scale event touches only the lines of the instances that came or went', () => {
    const live = renderConfig(TEMPLATE, poolOf(100), opts);
    const next = renderConfig(TEMPLATE, [...poolOf(100).filter((_, k) => k !== 40), ...poolOf(1, 100)], opts);
    const changed = unifiedDiff(live, next, 'haproxy.cfg').split('\n').filter((l) => /^[-+] /.test(l));
    expect(changed).toEqual(['-    server i-00000000000000028 127.0.0.40:80 maxconn 250 check', '+    server i-00000000000000064 127.0.0.100:80 maxconn 250 check']);
    expect(summarize(live, next, ['www_farm'])).toEqual({ added: ['i-00000000000000064'], removed: ['i-00000000000000028'], changed: [], unchanged: 99, before: 100, after: 100 });
  });
});

describe('buildSyncPlan guards', () => {
  const cfg = haproxyConfigSchema.parse({ template: 't.cfg', configPath: '/etc/haproxy/haproxy.cfg' });
  const plan = (liveCount: number, members: number, o = {}) =>
    buildSyncPlan({
      template: TEMPLATE,
      live: renderConfig(TEMPLATE, poolOf(liveCount), cfg),
      discovery: { instances: [], members: poolOf(members), problems: [], source: 'test' },
      haproxy: cfg,
      now: new Date('2026-01-01T00:00:00Z'),
      options: o,
    });

  it('refuses an empty pool unless allowed', () => {
    expect(plan(3, 0).allowed).toBe(false);
    expect(plan(3, 0).guards.map((g) => g.guard)).toEqual(['discovery', 'empty', 'removal']);
    expect(plan(3, 0, { allowEmpty: true, force: true }).allowed).toBe(true);
  });

  it('allows removing exactly maxRemoveFraction, refuses more unless forced', () => {
    expect(plan(4, 2).allowed).toBe(true);
    const p = plan(4, 1);
    expect(p.allowed).toBe(false);
    expect(p.guards.find((g) => !g.ok)?.message).toBe('the change removes 3 of 4 servers (75% > 50%): refused without --force');
    expect(plan(4, 1, { force: true }).allowed).toBe(true);
  });

  it('says when the sync also reverts lines outside the pool (live file edited by hand)', () => {
    expect(plan(3, 4).otherLines).toBe(0);
    const edited = renderConfig(TEMPLATE, poolOf(3), cfg).replace('balance roundrobin', 'balance leastconn');
    const p = buildSyncPlan({ template: TEMPLATE, live: edited, discovery: { instances: [], members: poolOf(4), problems: [], source: 'test' }, haproxy: cfg, now: new Date(0) });
    expect(p.otherLines).toBe(2);
    expect(summaryLine(p)).toBe('+1 added / -0 removed / 3 unchanged (3 -> 4 servers) + 2 other line(s) differ from the template');
    expect(summaryLine(plan(3, 4))).toBe('+1 added / -0 removed / 3 unchanged (3 -> 4 servers)');
  });

  it('counts a hand-added server in another section and a whole listen block as other lines', () => {
    const live = `${renderConfig(TEMPLATE, poolOf(3), cfg)}\nlisten stats\n    bind 127.0.0.1:9000\n    server local 127.0.0.1:9001\n`;
    const p = buildSyncPlan({ template: TEMPLATE, live, discovery: { instances: [], members: poolOf(3), problems: [], source: 'test' }, haproxy: cfg, now: new Date(0) });
    // the pool itself is unchanged: every changed line is a hand edit the sync would revert
    expect(p.summary.added).toEqual([]);
    expect(p.summary.removed).toEqual([]);
    expect(p.otherLines).toBe(p.diff.split('\n').filter((l) => /^-(?!--)/.test(l)).length);
    expect(p.otherLines).toBe(4);
    // a changed address of a pool server is the pool's business, not an "other" line
    const moved = renderConfig(TEMPLATE, poolOf(3), cfg).replace(/(server \S+ )\S+/, '$1127.0.0.9:80');
    const q = buildSyncPlan({ template: TEMPLATE, live: moved, discovery: { instances: [], members: poolOf(3), problems: [], source: 'test' }, haproxy: cfg, now: new Date(0) });
    expect(q.changed).toBe(true);
    expect(q.otherLines).toBe(0);
  });

  it('a discovery error plans no change at all', () => {
    const p = buildSyncPlan({ template: TEMPLATE, live: 'x\n', discovery: { error: new (class extends Error {})('boom') as never }, haproxy: cfg, now: new Date(0) });
    expect(p).toMatchObject({ changed: false, allowed: false, diff: '', newConfig: 'x\n' });
  });
});

describe('server-state-file wiring', () => {
  const cfg = haproxyConfigSchema.parse({ template: '/etc/opsdeck/template.cfg', serverStateFile: '/var/lib/haproxy/state' });
  const wired = TEMPLATE.replace('global\n', 'global\n    server-state-file /var/lib/haproxy/state\n').replace('frontend www', 'defaults\n    load-server-state-from-file global\n\nfrontend www');

  it('accepts a template that names the file and loads it back', () => {
    expect(() => checkStateFileWiring(wired, cfg)).not.toThrow();
    expect(() => checkStateFileWiring(TEMPLATE, { ...cfg, serverStateFile: undefined })).not.toThrow();
  });

  it('refuses, with the fix, a configured state file the template would never load (drains lost at every sync)', () => {
    expect(() => checkStateFileWiring(TEMPLATE, cfg)).toThrow(expect.objectContaining({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('/etc/opsdeck/template.cfg names no server-state-file'),
      hint: expect.stringContaining('load-server-state-from-file global'),
    }));
    expect(() => checkStateFileWiring(wired.replace('    load-server-state-from-file global\n', ''), cfg)).toThrow(/has no "load-server-state-from-file"/);
  });
});
