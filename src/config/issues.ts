import type { z } from 'zod';

// Its own module: plan-file checks use it too and must not load yaml for it.
/**
 * zod's own sentence for a bound or a literal ("Too small: expected number to
 * be >=0") in the words the rest of the messages use: what was expected.
 * Undefined for issue kinds the callers word themselves.
 */
export function boundMessage(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    const small = issue.code === 'too_small';
    const bound = small ? issue.minimum : issue.maximum;
    const op = small ? (issue.inclusive === false ? '>' : '≥') : issue.inclusive === false ? '<' : '≤';
    switch (issue.origin) {
      case 'string':
        return `expected ${small ? 'at least' : 'at most'} ${String(bound)} character(s)`;
      case 'array':
      case 'set':
        return `expected ${small ? 'at least' : 'at most'} ${String(bound)} item(s)`;
      default:
        return `expected a number ${op} ${String(bound)}`;
    }
  }
  if (issue.code === 'invalid_value') return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
  return undefined;
}
