import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  fingerprintSha256,
  hostKeyAlgorithmsFor,
  keyTypeOfBlob,
  parseKnownHosts,
  verifyHostKey,
} from '../../../src/remote/known-hosts.js';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const len = (n: number) => {
    const x = Buffer.alloc(4);
    x.writeUInt32BE(n);
    return x;
  };
  return Buffer.concat([len(t.length), t, len(b.length), b]);
}

const keyA = blob('ssh-ed25519', 'A'.repeat(32));
const keyB = blob('ssh-ed25519', 'B'.repeat(32));
const a64 = keyA.toString('base64');
const b64 = keyB.toString('base64');

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts matching', () => {
  it('uses the bare name for port 22 and [host]:port otherwise', () => {
    const entries = parseKnownHosts(`db1.example ssh-ed25519 ${a64}\n[db1.example]:2222 ssh-ed25519 ${b64}\n`);
    expect(verifyHostKey(entries, 'db1.example', 22, keyA).kind).toBe('ok');
    expect(verifyHostKey(entries, 'db1.example', 2222, keyB).kind).toBe('ok');
    expect(verifyHostKey(entries, 'db1.example', 2222, keyA).kind).toBe('mismatch');
    expect(verifyHostKey(entries, 'db1.example', 2200, keyA).kind).toBe('unknown');
  });

  it('matches hashed entries, comma lists, wildcards and negations, skipping comments and markers', () => {
    const text = [
      '# comment',
      `${hashed('[replica.db.lan]:2222')} ssh-ed25519 ${a64}`,
      `web1,web2 ssh-ed25519 ${a64} a comment`,
      `*.internal,!bastion.internal ssh-ed25519 ${b64}`,
      `@cert-authority *.internal ssh-ed25519 ${a64}`,
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(verifyHostKey(entries, 'replica.db.lan', 2222, keyA)).toMatchObject({ kind: 'ok', entry: { line: 2 } });
    expect(verifyHostKey(entries, 'replica.db.lan', 22, keyA).kind).toBe('unknown');
    expect(verifyHostKey(entries, 'web2', 22, keyA).kind).toBe('ok');
    expect(verifyHostKey(entries, 'app.internal', 22, keyB).kind).toBe('ok');
    // A CA line is not a host key: a key equal to the CA's is still a mismatch.
    expect(verifyHostKey(entries, 'app.internal', 22, keyA).kind).toBe('mismatch');
    expect(verifyHostKey(entries, 'bastion.internal', 22, keyB).kind).toBe('unknown');
  });

  it('refuses a revoked key even when the same key is also listed as trusted', () => {
    const entries = parseKnownHosts(`@revoked * ssh-ed25519 ${a64}\nweb1 ssh-ed25519 ${a64}\n`);
    expect(verifyHostKey(entries, 'web1', 22, keyA).kind).toBe('revoked');
  });

  it('offers the recorded key types, expanding ssh-rsa to its SHA-2 signatures', () => {
    const entries = parseKnownHosts(`h ssh-rsa ${a64}\nh ssh-ed25519 ${b64}\n`);
    expect(hostKeyAlgorithmsFor(entries)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
  });

  it('prints fingerprints like ssh-keygen and reads the key type from the blob', () => {
    expect(fingerprintSha256(keyA)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyTypeOfBlob(keyA)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(Buffer.alloc(2))).toBe('unknown');
  });
});
