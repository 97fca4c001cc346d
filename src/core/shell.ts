import { OpsError } from './errors.js';

/** Characters that never need quoting in a POSIX shell word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quote one argument for a POSIX shell (sh, bash, dash) so it arrives as exactly
 * one word with exactly these bytes. Single quotes turn off every expansion; a
 * single quote inside is written as '\'' (close, escaped quote, reopen).
 * Values from APIs and runbook variables go through here before reaching a command.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) {
    // A C string ends at NUL: the remote side would silently get a shorter argument.
    throw new OpsError('VALIDATION_FAILED', 'a shell argument contains a NUL byte', {
      hint: 'remove the NUL character from the value',
    });
  }
  if (value === '') return "''";
  // A leading '=' or '~' is fine for sh but surprising in zsh/bash contexts; quote it.
  if (SAFE_WORD.test(value) && !/^[=~]/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quote every argument and join them with spaces: a command line for `sh -c`. */
export function shellJoin(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}
