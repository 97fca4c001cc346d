import { describe, expect, it } from 'vitest';
import { evalExpr, parseExpr } from '../../src/runbooks/expr.js';
import { checkInput, resolveInputs } from '../../src/runbooks/inputs.js';
import { parseJournal } from '../../src/runbooks/journal.js';
import { parseRunbook } from '../../src/runbooks/load.js';
import { makeResolver, planSteps, renderStep } from '../../src/runbooks/render.js';
import { renderShell, renderSql, type Resolver } from '../../src/runbooks/template.js';

const values: Record<string, string> = { 'inputs.evil': "a'b; rm -rf / $(x)\n", 'inputs.pw': 's3cret', 'inputs.db': 'shop', 'steps.s.outputs.pos': '42' };
const resolve: Resolver = (p) => ({ value: values[p.join('.')] ?? '', secret: p[1] === 'pw' });

describe('templates', () => {
  it('quotes every value for the shell as one word, and masks secrets on screen', () => {
    const r = renderShell('mysql -p{{ inputs.pw }} -e {{ inputs.evil }} {{ steps.s.outputs.pos }}', resolve);
    expect(r.value).toBe(`mysql -ps3cret -e 'a'\\''b; rm -rf / $(x)\n' 42`);
    expect(r.shown).toBe(`mysql -p*** -e 'a'\\''b; rm -rf / $(x)\n' 42`);
  });
  it('binds SQL values as placeholders and back-quotes checked identifiers', () => {
    const r = renderSql('SELECT * FROM {{ inputs.db | identifier }}.t WHERE v = {{ inputs.evil }} AND p = {{ inputs.pw }}', resolve);
    expect(r.sql).toBe('SELECT * FROM `shop`.t WHERE v = ? AND p = ?');
    expect(r.values).toEqual([values['inputs.evil'], 's3cret']);
    expect(r.shown).not.toContain('s3cret');
    expect(() => renderSql('SELECT 1 FROM {{ inputs.evil | identifier }}', resolve)).toThrow(/is not a plain SQL name/);
  });
});

describe('config secrets in step text', () => {
  const rb = parseRunbook(
    "name: t\ntitle: T\ndescription: d\ninputs:\n  db:\n    type: mysql\n    help: the source\nsteps:\n  - id: dump\n    title: Dump\n    kind: ssh\n    host: h\n    command: MYSQL_PWD={{ inputs.db.password }} mysqldump --user={{ inputs.db.user }}\n",
    't.yaml',
  );
  const inv = { hosts: { h: { host: 'h', port: 22, user: 'u' } }, mysql: { src: { host: 'h', port: 3306, user: 'ops', password: '${env:DB_PW}' } } };
  const values = { inputs: { db: 'src' }, secretInputs: new Set<string>(), outputs: new Map(), statuses: new Map(), runId: 'r', rehearsal: false };
  const step = rb.steps[0]!;
  it('a step about to run gets the secret a reference points at; what is shown stays ***', () => {
    const seen: string[] = [];
    const reveal = (key: string, v: string): string => (seen.push(`${key}=${v}`), v === '${env:DB_PW}' ? "pa'ss" : v);
    const r = renderStep(step, makeResolver(rb, inv, values, false, reveal));
    expect(r.action).toMatchObject({ command: `MYSQL_PWD='pa'\\''ss' mysqldump --user=ops` });
    expect(r.shown).toEqual(['h$ MYSQL_PWD=*** mysqldump --user=ops']);
    expect(seen).toEqual(['mysql.src.password=${env:DB_PW}']);
  });
  it('the plan never resolves it (nothing is about to run)', () => {
    const [planned] = planSteps(rb, inv, values);
    expect(planned?.rendered).toMatchObject({ action: { command: `MYSQL_PWD='\${env:DB_PW}' mysqldump --user=ops` }, shown: ['h$ MYSQL_PWD=*** mysqldump --user=ops'] });
  });
});

describe('conditions', () => {
  const v = (p: string[]): string | number | boolean | undefined => ({ 'inputs.n': 3, 'inputs.on': true, 'outputs.io': 'Yes', 'steps.a.status': 'done' })[p.join('.')] as never;
  it.each([
    ["outputs.io == 'Yes'", true],
    ["outputs.io != 'Yes'", false],
    ['inputs.n > 2 and inputs.n <= 3', true],
    ['inputs.n > 20 or not inputs.on', false],
    ["not (steps.a.status == 'failed')", true],
    ["outputs.io matches '^Y'", true],
    ["inputs.missing == ''", true],
    ['10 > 9', true],
    ["'10' > '9'", true],
  ])('%s is %s', (src, want) => expect(evalExpr(parseExpr(src), v)).toBe(want));
  it('reports where a condition is malformed', () => {
    expect(() => parseExpr("inputs.a == 'x' inputs.b")).toThrow(/unexpected "inputs.b"/);
    expect(() => parseExpr('(inputs.a')).toThrow(/not closed/);
  });
});

describe('inputs', () => {
  const inv = { hosts: { db1: { host: 'h', port: 22, user: 'u' } }, mysql: {} };
  it('checks each type and names the inventory on a miss', () => {
    expect(checkInput('n', { type: 'int', help: '', secret: false, min: 1, max: 5 }, '9', inv)).toEqual({ problem: 'n: at most 5, got 9' });
    expect(checkInput('b', { type: 'bool', help: '', secret: false }, 'yes', inv)).toEqual({ value: true });
    expect(checkInput('h', { type: 'host', help: '', secret: false }, 'db2', inv)).toEqual({ problem: `h: "db2" is not in the config's hosts: section (did you mean "db1"?); known: db1` });
    expect(checkInput('v', { type: 'volume', help: '', secret: false }, 'vol-xyz', inv)).toMatchObject({ problem: expect.stringContaining('an EBS volume id') });
  });
  it('leaves a host input empty only when the runbook makes it optional (default empty)', () => {
    expect(checkInput('h', { type: 'host', help: '', secret: false, default: '' }, '', inv)).toEqual({ value: '' });
    expect(checkInput('h', { type: 'host', help: '', secret: false }, '', inv)).toMatchObject({ problem: expect.stringContaining('h: "" is not in the config\'s hosts: section') });
  });
  it('lists every problem at once: unknown, missing, invalid', () => {
    const rb = parseRunbook('name: t\ntitle: T\ndescription: d\ninputs:\n  host:\n    type: host\n    help: the replica\n  n:\n    type: int\n    help: count\nsteps:\n  - id: a\n    title: A\n    kind: manual\n    instruction: x\n', 't.yaml');
    let err: { details?: readonly string[] } = {};
    try {
      resolveInputs(rb, { hots: 'db1', n: 'many' }, inv);
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.details).toEqual(['hots: t has no input "hots" (did you mean "host"?)', 'host: required (host): the replica', 'n: expected a whole number, got "many"']);
  });
});

describe('journal', () => {
  const head = { t: 'run', at: '2026-01-01T00:00:00.000Z', runId: 'r1', runbook: 't', file: 'f', hash: 'h', stepHashes: ['a', 'b'], inputs: {}, secretInputs: [], rehearsal: false, user: 'u', host: 'nohost', pid: 999999, boot: 'x' };
  it('reads a journal cut mid-line by a crash: the partial line is ignored, the step in flight is unknown', () => {
    const text = [JSON.stringify(head), JSON.stringify({ t: 'started', at: 'x', step: 'a', attempt: 1, shown: [] }), JSON.stringify({ t: 'finished', at: 'x', step: 'a', status: 'done', outputs: {}, durationMs: 1, tail: '' }), JSON.stringify({ t: 'started', at: 'x', step: 'b', attempt: 1, shown: [] }), '{"t":"finished","at":"x","st'].join('\n');
    const rec = parseJournal(text, 'j');
    expect(rec.truncatedTail).toBe(true);
    expect(rec.unknown).toEqual(['b']);
    expect(rec.status).toBe('interrupted');
    expect([...rec.finished.keys()]).toEqual(['a']);
  });
  it('refuses a journal damaged in the middle', () => {
    expect(() => parseJournal([JSON.stringify(head), 'garbage', JSON.stringify({ t: 'end', at: 'x', status: 'done' })].join('\n'), 'j')).toThrow(/j:2: the run journal is damaged/);
  });
});
