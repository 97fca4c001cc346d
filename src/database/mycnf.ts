import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { OpsError } from '../core/errors.js';
import { normalizeName, normalizeValue } from '../mysql/normalize.js';

/**
 * A server's my.cnf as the server reads it: `!include FILE` and
 * `!includedir DIR` (every *.cnf there, in name order) followed, only the
 * sections this server reads (serverReadsSection), later settings winning.
 * Each setting remembers its file and line, so drift points at the line to
 * change.
 */
export interface CnfSetting {
  /** normalised name: lower case, '-' as '_' */
  name: string;
  /** as written */
  raw: string;
  /** normalised value: units expanded, ON/OFF as 1/0 */
  value: string;
  file: string;
  line: number;
  /** written loose-name: a server that does not know the option skips it instead of refusing to start */
  loose: boolean;
}

/** How files are read: locally, or over SSH on the server's host. */
export interface CnfReader {
  read(file: string): Promise<string>;
  list(dir: string): Promise<string[]>;
}

export const localCnfReader: CnfReader = {
  read: (f) => readFile(f, 'utf8'),
  list: async (d) => (await readdir(d)).map((n) => path.join(d, n)),
};

/**
 * Whether a server of this VERSION() reads a section: [mysqld] and [server]
 * always; [mariadb], [mariadbd] and [client-server] only MariaDB; a versioned
 * one ([mysqld-8.0], [mariadb-10.11]) only that major.minor. Without a
 * version a versioned section is skipped: it could be meant for any server.
 */
export function serverReadsSection(section: string, version?: string): boolean {
  const s = section.toLowerCase();
  const m = /^(\d+)\.(\d+)/.exec(version?.trim() ?? '');
  const mariadb = version === undefined || /mariadb/i.test(version);
  if (s === 'mysqld' || s === 'server') return true;
  if (s === 'mariadb' || s === 'mariadbd' || s === 'client-server') return mariadb;
  const v = /^(mysqld|mariadb|mariadbd)-(\d+)\.(\d+)$/.exec(s);
  if (!v || !m) return false;
  if (v[1] !== 'mysqld' && !mariadb) return false;
  return Number(v[2]) === Number(m[1]) && Number(v[3]) === Number(m[2]);
}

/** `version` is the server's VERSION() (e.g. 10.11.6-MariaDB-log): it picks the sections that server reads. */
export async function readMyCnf(file: string, reader: CnfReader = localCnfReader, version?: string): Promise<Map<string, CnfSetting>> {
  const out = new Map<string, CnfSetting>();
  const seen = new Set<string>();
  async function load(f: string, depth: number): Promise<void> {
    if (depth > 10) throw new OpsError('USAGE', `${f}: more than 10 levels of !include: a loop?`);
    if (seen.has(f)) return;
    seen.add(f);
    let text: string;
    try {
      text = await reader.read(f);
    } catch (e) {
      throw new OpsError('USAGE', `cannot read ${f}: ${(e as Error).message}`, { hint: 'give the server\'s my.cnf with --cnf (and --host to read it over SSH)' });
    }
    let section = '';
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] ?? '').trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
      const inc = /^!include\s+(.+)$/.exec(line);
      if (inc?.[1]) {
        await load(path.resolve(path.dirname(f), inc[1].trim()), depth + 1);
        continue;
      }
      const incDir = /^!includedir\s+(.+)$/.exec(line);
      if (incDir?.[1]) {
        const dir = path.resolve(path.dirname(f), incDir[1].trim());
        const files = (await reader.list(dir)).filter((n) => n.endsWith('.cnf')).sort();
        for (const child of files) await load(child, depth + 1);
        continue;
      }
      const sec = /^\[([^\]]+)\]$/.exec(line);
      if (sec?.[1]) {
        section = sec[1].trim();
        continue;
      }
      if (!serverReadsSection(section, version)) continue;
      const kv = /^([A-Za-z0-9_.-]+)\s*(?:=\s*(.*))?$/.exec(line);
      if (!kv?.[1]) continue;
      // a value may carry a trailing comment: "tmp_table_size = 64M  # for reports"
      const raw = (kv[2] ?? 'ON').replace(/\s+#.*$/, '').trim();
      const loose = /^loose[-_]/i.test(kv[1]);
      const name = normalizeName(kv[1].replace(/^loose[-_]/i, ''));
      out.set(name, { name, raw, value: normalizeValue(raw), file: f, line: i + 1, loose });
    }
  }
  await load(file, 0);
  return out;
}
