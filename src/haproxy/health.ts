/**
 * What a live server's row says at a glance: the admin state an operator
 * set and the health the checks report, apart, since `DRAIN` alone hides a
 * server that is also failing its checks.
 */
import type { LiveServer } from './runtime.js';
import { SIMULATED } from './sandbox-state.js';

/** Check results that mean the last check failed (HAProxy's check_status codes). */
const FAILED_CHECK = /^(L4TOUT|L4CON|L6TOUT|L6RSP|L7TOUT|L7RSP|L7STS|SOCKERR|PROCERR|PROCTOUT)/i;
const PASSED_CHECK = /^(L4OK|L6OK|L7OK|L7OKC|PROCOK)/i;

/**
 * The health word: UP, DOWN, NOLB; undefined when nothing checks the server
 * (the sandbox, `no check`). A server in DRAIN or MAINT reports its admin
 * state as its status, so its health comes from the last check.
 */
export function serverHealth(s: Pick<LiveServer, 'status' | 'check'>): string | undefined {
  if (s.check === SIMULATED || /^no check/i.test(s.status)) return undefined;
  const word = (s.status.split(/\s/)[0] ?? '').toUpperCase();
  if (word === 'UP' || word === 'DOWN' || word === 'NOLB') return word;
  if (FAILED_CHECK.test(s.check)) return 'DOWN';
  if (PASSED_CHECK.test(s.check)) return 'UP';
  return word === 'MAINT' || word === 'DRAIN' ? undefined : word || undefined;
}

/** `DRAIN·DOWN`, `MAINT`, `UP`: the admin state when an operator set one, then the health when anything checks it. */
export function serverStateText(s: Pick<LiveServer, 'admin' | 'status' | 'check'>): string {
  const admin = s.admin === 'ready' ? undefined : s.admin.toUpperCase();
  const health = serverHealth(s);
  if (s.check === SIMULATED) return `sim ${admin ?? 'ready'}`;
  return [admin, health ?? (admin ? undefined : s.status || '?')].filter(Boolean).join('·');
}
