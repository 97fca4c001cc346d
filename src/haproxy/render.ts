import { OpsError } from '../core/errors.js';
import type { PoolMember } from '../fleet/discover.js';

/** Keywords that open a section in haproxy.cfg: a backend ends where the next one starts. */
const SECTION = /^(global|defaults|frontend|backend|listen|peers|resolvers|userlist|mailers|program|http-errors|ring|cache)(\s|$)/;
const SERVER_LINE = /^\s*server\s+(\S+)(?:\s+(\S+))?/;

export interface BackendSpan {
  name: string;
  /** index of the `backend <name>` line */
  header: number;
  /** index one past the section's last non-blank, non-comment line: where server lines go */
  insertAt: number;
  /** index of the line that opens the next section (or the line count) */
  end: number;
}

/** Finds `backend <name>` sections; the name is the first word after the keyword. */
export function findBackends(lines: readonly string[]): Map<string, BackendSpan> {
  const out = new Map<string, BackendSpan>();
  let current: BackendSpan | undefined;
  const close = (at: number): void => {
    if (current) {
      current.end = at;
      out.set(current.name, current);
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    // Section keywords start in column 0: indented lines (most of a big file) skip the regex.
    const c0 = line.charCodeAt(0);
    if (c0 !== 32 && c0 !== 9 && line.length > 0 && SECTION.test(line)) {
      close(i);
      current = undefined;
      const m = /^backend\s+(\S+)/.exec(line);
      if (m) current = { name: m[1] as string, header: i, insertAt: i + 1, end: lines.length };
      continue;
    }
    if (current) {
      const t = line.trim();
      if (t !== '' && !t.startsWith('#')) current.insertAt = i + 1;
    }
  }
  close(lines.length);
  return out;
}

export function serverLine(m: PoolMember, serverOptions: string): string {
  const opts = serverOptions.trim();
  return `    server ${m.instanceId} ${m.address}:${m.port}${opts ? ` ${opts}` : ''}`;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Fills each named backend of the template with one server line per member.
 * Members arrive sorted by instance id, so a scale event changes only the
 * lines of the instances that came or went.
 */
export function renderConfig(
  template: string,
  members: readonly PoolMember[],
  opts: { backends: readonly string[]; serverOptions: string; templatePath?: string; backendPorts?: Readonly<Record<string, number>> },
): string {
  const where = opts.templatePath ?? 'the template';
  const lines = splitLines(template.replace(/\r\n/g, '\n'));
  const spans = findBackends(lines);
  const targets: BackendSpan[] = [];
  for (const name of opts.backends) {
    const span = spans.get(name);
    if (!span) {
      throw new OpsError('CONFIG_INVALID', `${where} has no "backend ${name}" section`, {
        hint: `add a "backend ${name}" section without server lines, or fix haproxy.backends`,
      });
    }
    for (let i = span.header + 1; i < span.end; i++) {
      if (SERVER_LINE.test(lines[i] as string)) {
        throw new OpsError('CONFIG_INVALID', `${where} line ${i + 1}: backend ${name} already has a server line`, {
          hint: 'the template is the "default config": leave the pool backends without server lines, opsdeck adds them',
        });
      }
    }
    targets.push(span);
  }
  const shared = members.map((m) => serverLine(m, opts.serverOptions));
  const bodyFor = (backend: string): string[] => {
    const port = opts.backendPorts?.[backend];
    if (port === undefined) return shared;
    return members.map((m) => serverLine(m.portFromTag ? m : { ...m, port }, opts.serverOptions));
  };
  // Insert from the bottom up so earlier indexes stay valid.
  targets.sort((a, b) => b.insertAt - a.insertAt);
  for (const span of targets) lines.splice(span.insertAt, 0, ...bodyFor(span.name));
  return `${lines.join('\n')}\n`;
}

/** server name -> full line, per backend, as found in a (live) config. */
export function serversIn(config: string, backends: readonly string[]): Map<string, Map<string, string>> {
  const lines = splitLines(config.replace(/\r\n/g, '\n'));
  const spans = findBackends(lines);
  const out = new Map<string, Map<string, string>>();
  for (const name of backends) {
    const servers = new Map<string, string>();
    const span = spans.get(name);
    if (span) {
      for (let i = span.header + 1; i < span.end; i++) {
        const line = lines[i] as string;
        const m = SERVER_LINE.exec(line);
        if (m) servers.set(m[1] as string, line.trim());
      }
    }
    out.set(name, servers);
  }
  return out;
}
