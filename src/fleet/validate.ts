/**
 * Every value that comes from the cloud API and ends up in haproxy.cfg goes
 * through here first. A Name tag holding "x\n    server evil 1.2.3.4:80" must
 * never become a config line, so anything that does not look exactly like
 * what AWS documents is rejected with a reason instead of being "cleaned".
 */

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const BACKEND = /^[A-Za-z0-9_.:-]{1,64}$/;
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;

export type Check = { ok: true } | { ok: false; reason: string };
const OK: Check = { ok: true };

/** Shows a hostile value safely inside a message: quoted, control characters escaped, cut short. */
export function showValue(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  const cut = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  return JSON.stringify(cut);
}

export function checkInstanceId(v: unknown): Check {
  return typeof v === 'string' && INSTANCE_ID.test(v)
    ? OK
    : { ok: false, reason: `instance id ${showValue(v)} is not of the form i-0123abcd` };
}

export function checkIpv4(v: unknown): Check {
  if (typeof v !== 'string') return { ok: false, reason: `address ${showValue(v)} is not a string` };
  const m = IPV4.exec(v);
  if (!m) return { ok: false, reason: `address ${showValue(v)} is not a dotted-quad IPv4 address` };
  for (const octet of m.slice(1)) {
    // "010" would be read as octal by some tools: refuse leading zeros outright.
    if (Number(octet) > 255 || (octet.length > 1 && octet.startsWith('0'))) {
      return { ok: false, reason: `address ${showValue(v)} has an invalid octet ${showValue(octet)}` };
    }
  }
  return OK;
}

export function parsePort(v: unknown): number | undefined {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^[1-9][0-9]{0,4}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

export function checkBackendName(v: unknown): Check {
  return typeof v === 'string' && BACKEND.test(v)
    ? OK
    : { ok: false, reason: `backend name ${showValue(v)} may only hold letters, digits and _ . : -` };
}

export function checkAmiId(v: unknown): Check {
  return typeof v === 'string' && AMI_ID.test(v)
    ? OK
    : { ok: false, reason: `AMI id ${showValue(v)} is not of the form ami-0123abcd` };
}

/** Server options come from our own config, but still must stay on one line. */
export function checkServerOptions(v: string): Check {
  return /^[^\r\n#]*$/.test(v) ? OK : { ok: false, reason: `server options ${showValue(v)} must be one line without '#'` };
}
