import { describe, expect, it } from 'vitest';
import { isOpsError } from '../../src/core/errors.js';
import { parseRunbook } from '../../src/runbooks/load.js';

/**
 * Malformed runbooks: each is refused with every problem located as
 * file:line:col, the key path and what was expected; exit 2, no stack.
 */
const HEAD = 'name: t\ntitle: T\ndescription: d\n';
const SSH = (extra = ''): string => `  - id: one\n    title: One\n    kind: ssh\n    host: h\n    command: ls\n${extra}`;

const cases: [string, string, RegExp][] = [
  ['bad YAML (tab indent)', `${HEAD}steps:\n\t- id: one\n`, /t\.yaml:5:1 {2}\(yaml syntax\) {2}.*tab/],
  ['bad YAML (unclosed quote)', `${HEAD}steps:\n  - id: "one\n`, /t\.yaml:\d+:\d+ {2}\(yaml syntax\)/],
  ['top level is a list', `- a\n- b\n`, /t\.yaml:1:1 {2}\(top level\) {2}expected a mapping with name/],
  ['missing name', `title: T\ndescription: d\nsteps:\n${SSH()}`, /t\.yaml:1:1 {2}name {2}missing required key/],
  ['missing steps', HEAD, /steps {2}missing required key/],
  ['empty steps', `${HEAD}steps: []\n`, /t\.yaml:4:8 {2}steps {2}.*at least 1/],
  ['name with capitals', `name: Bad Name\ntitle: T\ndescription: d\nsteps:\n${SSH()}`, /t\.yaml:1:7 {2}name {2}.*lower-case name/],
  ['unknown top key', `${HEAD}stpes: []\nsteps:\n${SSH()}`, /t\.yaml:4:1 {2}stpes {2}unknown key "stpes": did you mean "steps"\?/],
  ['unknown kind', `${HEAD}steps:\n  - id: one\n    title: One\n    kind: shh\n`, /t\.yaml:7:11 {2}steps\[0\]\.kind {2}expected one of "ssh" \| "sql"/],
  ['missing kind', `${HEAD}steps:\n  - id: one\n    title: One\n`, /steps\[0\].*(kind|step kind)/],
  ['ssh without command', `${HEAD}steps:\n  - id: one\n    title: One\n    kind: ssh\n    host: h\n`, /t\.yaml:5:5 {2}steps\[0\]\.command {2}missing required key/],
  ['unknown step key', `${HEAD}steps:\n${SSH('    comand: x\n')}`, /t\.yaml:10:5 {2}steps\[0\]\.comand {2}unknown key "comand"/],
  ['sql without statements', `${HEAD}steps:\n  - id: one\n    title: One\n    kind: sql\n    target: db\n`, /steps\[0\]\.statements {2}missing required key/],
  ['sql with no statement that closes no session', `${HEAD}steps:\n  - id: one\n    title: One\n    kind: sql\n    target: db\n    statements: []\n`, /at least one statement \(only a step that closes a session may have none\)/],
  ['bad confirm', `${HEAD}steps:\n${SSH('    confirm: maybe\n')}`, /t\.yaml:10:14 {2}steps\[0\]\.confirm/],
  ['typed confirm too short', `${HEAD}steps:\n${SSH('    confirm: { typed: ab }\n')}`, /steps\[0\]\.confirm\.typed {2}.*3-32 letters/],
  ['bad timeout', `${HEAD}steps:\n${SSH('    timeout: ten minutes\n')}`, /t\.yaml:10:14 {2}steps\[0\]\.timeout {2}.*a duration such as 30s/],
  ['negative retries', `${HEAD}steps:\n${SSH('    retries: -1\n')}`, /steps\[0\]\.retries {2}.*got -1/],
  ['goto no step', `${HEAD}steps:\n${SSH('    onFailure: { goto: nowhere }\n')}`, /t\.yaml:10:18 {2}steps\[0\]\.onFailure\.goto {2}goto "nowhere": no such step/],
  ['goto backwards (a cycle)', `${HEAD}steps:\n${SSH()}  - id: two\n    title: Two\n    kind: ssh\n    host: h\n    command: ls\n    onFailure: { goto: one }\n`, /steps\[1\]\.onFailure\.goto {2}goto "one" points back to step 1: that makes a loop/],
  ['goto itself', `${HEAD}steps:\n${SSH('    onFailure: { goto: one }\n')}`, /points back to step 1/],
  ['duplicate step id', `${HEAD}steps:\n${SSH()}${SSH()}`, /t\.yaml:10:5 {2}steps\[1\]\.id {2}step id "one" is already used by step 1/],
  ['template names no input', `${HEAD}steps:\n  - id: one\n    title: One\n    kind: ssh\n    host: h\n    command: ls {{ inputs.dir }}\n`, /t\.yaml:9:5 {2}steps\[0\]\.command {2}inputs\.dir: no input "dir"/],
  ['template names a later step', `${HEAD}steps:\n  - id: one\n    title: One\n    kind: ssh\n    host: h\n    command: ls {{ steps.two.outputs.x }}\n${SSH().replace('one', 'two')}`, /step "two" runs later/],
  ['template names an output not captured', `${HEAD}steps:\n${SSH()}  - id: two\n    title: Two\n    kind: ssh\n    host: h\n    command: echo {{ steps.one.outputs.pos }}\n`, /steps\.one\.outputs\.pos: step "one" captures no "pos"/],
  ['template unclosed', `${HEAD}steps:\n  - id: one\n    title: One\n    kind: ssh\n    host: h\n    command: echo {{ inputs.x\n`, /"\{\{" is not closed/],
  ['template with an expression', `${HEAD}steps:\n  - id: one\n    title: One\n    kind: ssh\n    host: h\n    command: echo {{ 1 + 1 }}\n`, /is not a reference such as \{\{ inputs\.name \}\}/],
  ['template with an unknown filter', `${HEAD}inputs:\n  x:\n    type: string\n    help: x\nsteps:\n  - id: one\n    title: One\n    kind: sql\n    target: db\n    statements: ['SELECT {{ inputs.x | raw }}']\n`, /unknown filter "\| raw"/],
  ['template naming nothing known', `${HEAD}steps:\n  - id: one\n    title: One\n    kind: ssh\n    host: h\n    command: echo {{ env.HOME }}\n`, /env\.HOME names nothing/],
  ['field of a string input', `${HEAD}inputs:\n  x:\n    type: string\n    help: x\nsteps:\n  - id: one\n    title: One\n    kind: ssh\n    host: h\n    command: echo {{ inputs.x.port }}\n`, /a string input has no fields/],
  ['bad field of a host input', `${HEAD}inputs:\n  h:\n    type: host\n    help: x\nsteps:\n  - id: one\n    title: One\n    kind: ssh\n    host: '{{ inputs.h }}'\n    command: echo {{ inputs.h.password }}\n`, /a host input has \.host, \.port, \.user, \.name/],
  ['unknown input type', `${HEAD}inputs:\n  n:\n    type: integer\n    help: h\nsteps:\n${SSH()}`, /t\.yaml:6:11 {2}inputs\.n\.type {2}expected one of "host" \| "mysql"/],
  ['input without help', `${HEAD}inputs:\n  n:\n    type: int\nsteps:\n${SSH()}`, /inputs\.n\.help {2}missing required key/],
  ['default not matching the pattern', `${HEAD}inputs:\n  m:\n    type: string\n    pattern: '^(on|off)$'\n    default: maybe\n    help: h\nsteps:\n${SSH()}`, /inputs\.m\.default {2}the default does not match the pattern/],
  ['bad pattern', `${HEAD}inputs:\n  m:\n    type: string\n    pattern: '(unclosed'\n    help: h\nsteps:\n${SSH()}`, /inputs\.m\.pattern {2}not a valid regular expression/],
  ['bad capture regex', `${HEAD}steps:\n${SSH('    captures:\n      x: { regex: \'(\' }\n')}`, /steps\[0\]\.captures\.x\.regex {2}not a valid regular expression/],
  ['bad ssh progress regex', `${HEAD}steps:\n${SSH("    progress:\n      sizeBytes: '100'\n      bytesFrom: { regex: 'copied ([0-9+' }\n")}`, /t\.yaml:12:20 {2}steps\[0\]\.progress\.bytesFrom\.regex {2}not a valid regular expression/],
  ['ssh progress regex without a group', `${HEAD}steps:\n${SSH("    progress:\n      sizeBytes: '100'\n      bytesFrom: { regex: 'copied \\d+' }\n")}`, /steps\[0\]\.progress\.bytesFrom\.regex {2}needs a group \( \) around the bytes done/],
  ['ssh progress size names no step', `${HEAD}steps:\n${SSH("    progress:\n      sizeBytes: '{{ steps.size.outputs.bytes }}'\n      bytesFrom: { regex: 'copied (\\d+)' }\n")}`, /steps\[0\]\.progress\.sizeBytes {2}steps\.size\.outputs\.bytes: no step "size"/],
  ['ssh progress without bytesFrom', `${HEAD}steps:\n${SSH("    progress: { sizeBytes: '100' }\n")}`, /steps\[0\]\.progress\.bytesFrom {2}missing required key/],
  ['condition syntax', `${HEAD}steps:\n${SSH("    when: inputs.x ==\n")}`, /steps\[0\]\.when {2}condition: the condition ends where a value was expected/],
  ['condition joins without and/or', `${HEAD}inputs:\n  x:\n    type: bool\n    help: h\nsteps:\n${SSH("    when: inputs.x inputs.x\n")}`, /unexpected "inputs\.x" \(join conditions with and \/ or\)/],
  ['condition names no input', `${HEAD}steps:\n${SSH("    when: inputs.skip\n")}`, /steps\[0\]\.when {2}inputs\.skip: no input "skip"/],
  ['expect uses an uncaptured probe output', `${HEAD}steps:\n  - id: w\n    title: W\n    kind: wait\n    until:\n      probe: { kind: ssh, host: h, command: ls }\n      expect: outputs.n > 0\n`, /steps\[0\]\.until\.expect {2}outputs\.n: this probe captures no "n"/],
  ['unknown probe kind', `${HEAD}steps:\n  - id: c\n    title: C\n    kind: check\n    assert:\n      probe: { kind: http, url: x }\n`, /steps\[0\]\.assert\.probe\.kind {2}expected one of "mysql" \| "ssh" \| "sql" \| "aws" \| "haproxy"/],
  ['unknown aws operation', `${HEAD}steps:\n  - id: a\n    title: A\n    kind: aws\n    operation: terminateEverything\n`, /steps\[0\]\.operation {2}expected one of "setDesiredCapacity" \| "updateGroupSize"/],
  ['bad haproxy action', `${HEAD}steps:\n  - id: a\n    title: A\n    kind: haproxy\n    action: disable\n`, /steps\[0\]\.action {2}expected one of "drain" \| "maint" \| "ready"/],
];

describe('malformed runbooks are refused with located problems', () => {
  it('has more than 30 cases', () => expect(cases.length).toBeGreaterThan(30));
  for (const [what, text, want] of cases) {
    it(what, () => {
      let err: unknown;
      try {
        parseRunbook(text, 't.yaml');
      } catch (e) {
        err = e;
      }
      expect(isOpsError(err)).toBe(true);
      if (!isOpsError(err)) return;
      expect(err.exitCode).toBe(2);
      expect(err.message).toMatch(/^t\.yaml: \d+ problems? in the runbook$/);
      const lines = (err.details ?? []).join('\n');
      expect(lines).toMatch(want);
      // Every problem line is located: file:line:col, then the key path.
      for (const l of err.details ?? []) expect(l).toMatch(/^t\.yaml:\d+:\d+ {2}\S/);
    });
  }

  it('a valid runbook parses, with defaults filled in', () => {
    const rb = parseRunbook(`${HEAD}steps:\n${SSH()}`, 't.yaml');
    expect(rb.steps[0]).toMatchObject({ id: 'one', confirm: 'none', retries: 0, onFailure: 'abort', idempotent: false, captures: {} });
  });
});
