import { OpsError } from '../core/errors.js';
import { checkBackendName, checkInstanceId } from '../fleet/validate.js';
import { socketCommand } from './socket.js';

/** One server as the running worker sees it (runtime API, stats socket `level admin`). */
export interface LiveServer {
  backend: string;
  name: string;
  address: string;
  port: number | undefined;
  /** from srv_admin_state: what an operator set */
  admin: 'ready' | 'drain' | 'maint';
  /** from `show stat`: UP, DOWN, MAINT, DRAIN, "no check", ... */
  status: string;
  /** last health check, e.g. L4OK, L4CON, L7OK */
  check: string;
  /** current sessions (`scur`): what a drain waits on; undefined where nothing counts them (the sandbox) */
  sessions?: number | undefined;
}

const ADMF_MAINT = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
const ADMF_DRAIN = 0x08 | 0x10;

function adminOf(bits: number): LiveServer['admin'] {
  if (bits & ADMF_MAINT) return 'maint';
  if (bits & ADMF_DRAIN) return 'drain';
  return 'ready';
}

/** Parses `show servers state` (format version 1). */
export function parseServersState(text: string): Omit<LiveServer, 'status' | 'check'>[] {
  const out: Omit<LiveServer, 'status' | 'check'>[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || /^\d+$/.test(line.trim())) continue;
    const f = line.split(' ');
    if (f.length < 19) continue;
    const port = Number(f[18]);
    out.push({
      backend: f[1] as string,
      name: f[3] as string,
      address: f[4] as string,
      admin: adminOf(Number(f[6])),
      port: Number.isInteger(port) && port > 0 ? port : undefined,
    });
  }
  return out;
}

/** Parses `show stat` CSV into backend/server -> [status, check_status, scur]. */
export function parseShowStat(text: string): Map<string, { status: string; check: string; sessions: number }> {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const col = (n: string): number => header.indexOf(n);
  const [px, sv, st, ck, cur] = [col('pxname'), col('svname'), col('status'), col('check_status'), col('scur')];
  const out = new Map<string, { status: string; check: string; sessions: number }>();
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const name = f[sv];
    if (!name || name === 'FRONTEND' || name === 'BACKEND') continue;
    out.set(`${f[px]}/${name}`, { status: f[st] ?? '', check: f[ck] ?? '', sessions: Number(f[cur] ?? 0) || 0 });
  }
  return out;
}

/** Every server of the given backends (all backends when none given), with live state and health. */
export async function liveServers(socket: string, backends?: readonly string[]): Promise<LiveServer[]> {
  const [state, stat] = await Promise.all([socketCommand(socket, 'show servers state'), socketCommand(socket, 'show stat')]);
  const health = parseShowStat(stat);
  return parseServersState(state)
    .filter((s) => !backends || backends.includes(s.backend))
    .map((s) => {
      const h = health.get(`${s.backend}/${s.name}`);
      return { ...s, status: h?.status ?? '?', check: h?.check ?? '', sessions: h?.sessions };
    });
}

/**
 * Current sessions (`scur` of `show stat`) of one server: what a drain waits
 * on. undefined when the worker does not list the server.
 */
export async function serverSessions(socket: string, backend: string, server: string): Promise<number | undefined> {
  const lines = (await socketCommand(socket, 'show stat')).split('\n');
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const [px, sv, cur] = [header.indexOf('pxname'), header.indexOf('svname'), header.indexOf('scur')];
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f[px] === backend && f[sv] === server) return Number(f[cur] ?? 0) || 0;
  }
  return undefined;
}

export type ServerAdminState = 'ready' | 'drain' | 'maint';

/** `set server <backend>/<server> state <ready|drain|maint>`; names are validated before they reach the socket. */
export async function setServerState(socket: string, backend: string, server: string, state: ServerAdminState): Promise<void> {
  const b = checkBackendName(backend);
  if (!b.ok) throw new OpsError('USAGE', b.reason);
  const s = checkInstanceId(server);
  if (!s.ok) throw new OpsError('USAGE', s.reason);
  if (!['ready', 'drain', 'maint'].includes(state)) throw new OpsError('USAGE', `unknown server state ${state}`);
  const answer = (await socketCommand(socket, `set server ${backend}/${server} state ${state}`)).trim();
  // HAProxy answers an empty line on success and a sentence on failure ("No such server.").
  if (answer !== '') throw new OpsError('FAILED', `haproxy refused "set server ${backend}/${server} state ${state}": ${answer}`);
}
