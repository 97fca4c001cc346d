import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellJoin, shellQuote } from '../../src/core/shell.js';

/** What a real POSIX shell makes of the quoted words: one NUL-terminated field per argument. */
function throughShell(args: string[], shell = 'sh'): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\0' ${shellJoin(args)}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const tricky = [
  '',
  ' ',
  'plain',
  "it's",
  "''",
  '"double"',
  '$HOME',
  '${PATH}',
  '`id`',
  '$(rm -rf /)',
  'a b\tc\nd',
  '*',
  '?[a]',
  '~',
  '~root',
  '=x',
  '-n',
  '--',
  '\\',
  'semi;colon && or || pipe | amp &',
  '<in >out 2>&1',
  '# not a comment',
  '!history',
  'ünïcödé ✓',
  "x'$(id)'y",
  '\x01\x7f',
];

describe('shellQuote', () => {
  it('passes every tricky value through sh as exactly one unchanged word', () => {
    expect(throughShell(tricky)).toEqual(tricky);
  });

  it('works the same in bash', () => {
    expect(throughShell(tricky, 'bash')).toEqual(tricky);
  });

  it('round-trips arbitrary strings (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 20 }), (args) => {
        expect(throughShell(args)).toEqual(args);
      }),
      { numRuns: 25 },
    );
  });

  it('leaves safe words readable and quotes the rest', () => {
    expect(shellQuote('i-0abc123')).toBe('i-0abc123');
    expect(shellQuote('/var/lib/mysql')).toBe('/var/lib/mysql');
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it('refuses a NUL byte instead of silently truncating the argument', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});
