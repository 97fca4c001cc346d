/**
 * Secrets never reach a log, a plan or the audit log (DESIGN.md principle 3).
 * A value is treated as secret by the name of its key: cheap, predictable,
 * and errs on the side of hiding too much.
 */
export const SECRET_KEY = /password|passwd|secret|token|key|credential/i;

export const REDACTED = '[redacted]';

/** A deep copy with every value under a secret-looking key replaced by [redacted]. */
export function redactDeep(value: unknown, keepIf: (v: unknown) => boolean = () => false): unknown {
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, keepIf));
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && !keepIf(v) ? REDACTED : redactDeep(v, keepIf);
    }
    return out;
  }
  return value;
}
