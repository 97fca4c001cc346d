import { createHash, createHmac } from 'node:crypto';

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number, for messages that point at the file. */
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  patterns: string;
  keyType: string;
  /** The base64 key blob exactly as written in the file. */
  keyBase64: string;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // unknown marker: OpenSSH ignores the line too
    }
    const [patterns, keyType, keyBase64] = fields;
    if (!patterns || !keyType || !keyBase64) return;
    out.push({ line: i + 1, marker, patterns, keyType, keyBase64 });
  });
  return out;
}

/** How OpenSSH names a host in known_hosts: bare for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

function hashedMatch(entry: string, name: string): boolean {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
  const parts = entry.split('|');
  const salt = parts[2];
  const hash = parts[3];
  if (parts[1] !== '1' || !salt || !hash) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return mac === hash;
}

/** True when the comma-separated pattern list names `name` (negations win, as in OpenSSH). */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) {
      matched = true;
    }
  }
  return matched;
}

/** `SHA256:...` as `ssh-keygen -l` and the ssh client print it. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH wire-format public key blob. */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  if (len > blob.length - 4) return 'unknown';
  return blob.subarray(4, 4 + len).toString('latin1');
}

export type HostKeyVerdict =
  | { kind: 'ok'; entry: KnownHostEntry }
  | { kind: 'unknown' }
  | { kind: 'mismatch'; expected: KnownHostEntry[] }
  | { kind: 'revoked'; entry: KnownHostEntry };

/** Entries (without @cert-authority, which we do not support) that name this host. */
export function entriesFor(entries: KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const name = knownHostsName(host, port);
  return entries.filter((e) => e.marker !== 'cert-authority' && patternsMatch(e.patterns, name));
}

/**
 * The decision OpenSSH makes with StrictHostKeyChecking=yes: a revoked key is
 * refused, a recorded key of the presented type that differs is a mismatch,
 * and a host without a recorded key is unknown (never trusted on first use).
 */
export function verifyHostKey(entries: KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const presented = keyBlob.toString('base64');
  const forHost = entriesFor(entries, host, port);
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.keyBase64 === presented);
  if (revoked) return { kind: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === null);
  const same = plain.find((e) => e.keyBase64 === presented);
  if (same) return { kind: 'ok', entry: same };
  if (plain.length === 0) return { kind: 'unknown' };
  return { kind: 'mismatch', expected: plain };
}

const RSA_ALGOS = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/**
 * Host key algorithms to offer so the server presents a key type we have on
 * record (else a host known by its ed25519 key could answer with ecdsa and look
 * "changed"). Empty when nothing is recorded: then any type, and the verdict is unknown.
 */
export function hostKeyAlgorithmsFor(entries: KnownHostEntry[]): string[] {
  const algos: string[] = [];
  for (const e of entries) {
    if (e.marker !== null) continue;
    for (const a of e.keyType === 'ssh-rsa' ? RSA_ALGOS : [e.keyType]) if (!algos.includes(a)) algos.push(a);
  }
  return algos;
}
