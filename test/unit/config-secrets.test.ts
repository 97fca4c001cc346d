import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listSecretRefs, parseSecretRefs, redact, resolveConfigSecret, resolveSecret } from '../../src/config/secrets.js';
import { OpsError } from '../../src/core/errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(fn: () => unknown): OpsError {
  try {
    fn();
  } catch (e) {
    return e as OpsError;
  }
  throw new Error('expected a failure');
}

describe('secret references', () => {
  it('resolves ${env:NAME} at use', () => {
    expect(resolveSecret('${env:DB_PW}', { env: { DB_PW: 's3cr3t' } })).toBe('s3cr3t');
  });

  it('resolves ${file:PATH} relative to the config directory, without the trailing newline', () => {
    writeFileSync(path.join(dir, 'pw'), 'from-file\n');
    expect(resolveSecret('${file:pw}', { baseDir: dir })).toBe('from-file');
    expect(resolveSecret(`\${file:${path.join(dir, 'pw')}}`)).toBe('from-file');
  });

  it('resolveConfigSecret reads ${file:relative} next to the config file, wherever opsdeck runs', () => {
    writeFileSync(path.join(dir, 'db.pw'), 'next-to-config');
    expect(resolveConfigSecret(path.join(dir, 'opsdeck.yaml'), 'mysql.a.password', '${file:db.pw}')).toBe('next-to-config');
    expect(() => resolveConfigSecret(path.join(dir, 'opsdeck.yaml'), 'mysql.a.password', '${env:UNSET_X}', {})).toThrow(/mysql\.a\.password/);
  });

  it('substitutes references inside a longer string', () => {
    expect(resolveSecret('mysql://app:${env:PW}@db/${env:DB}', { env: { PW: 'p', DB: 'shop' } })).toBe('mysql://app:p@db/shop');
  });

  it('leaves plain strings alone', () => {
    expect(resolveSecret('no refs $HOME {x}', { env: {} })).toBe('no refs $HOME {x}');
  });

  it('fails with SECRET_UNRESOLVED naming the key and the reference, never a value', () => {
    const env = failure(() => resolveSecret('${env:MISSING_PW}', { keyPath: 'mysql.primary.password', env: { OTHER: 'hunter2' } }));
    expect(env.code).toBe('SECRET_UNRESOLVED');
    expect(env.exitCode).toBe(2);
    expect(env.message).toContain('mysql.primary.password');
    expect(env.message).toContain('${env:MISSING_PW}');
    expect(env.message).not.toContain('hunter2');

    const file = failure(() => resolveSecret('${file:/nonexistent/pw}', { keyPath: 'mysql.replica.password' }));
    expect(file.code).toBe('SECRET_UNRESOLVED');
    expect(file.message).toMatch(/mysql\.replica\.password.*ENOENT/);
  });

  it('rejects malformed references', () => {
    expect(parseSecretRefs('${vault:x}').problem).toMatch(/unknown secret reference/);
    expect(parseSecretRefs('${env:}').problem).toMatch(/bad secret reference/);
    expect(parseSecretRefs('${env:1BAD}').problem).toMatch(/bad secret reference/);
    expect(failure(() => resolveSecret('${nope}')).code).toBe('SECRET_UNRESOLVED');
  });

  it('lists references by key path for summaries', () => {
    expect(listSecretRefs({ mysql: { a: { password: '${env:A}' }, b: { password: 'x' } }, list: ['${file:k}'] })).toEqual([
      { keyPath: 'mysql.a.password', refs: ['${env:A}'], text: '${env:A}' },
      { keyPath: 'list[0]', refs: ['${file:k}'], text: '${file:k}' },
    ]);
  });

  it('redact() hides literal secrets but keeps references, which say where a secret lives', () => {
    expect(redact({ mysql: { a: { password: 'hunter2', user: 'app' }, b: { password: '${env:B_PW}' } }, token: 'abc' })).toEqual({
      mysql: { a: { password: '[redacted]', user: 'app' }, b: { password: '${env:B_PW}' } },
      token: '[redacted]',
    });
  });
});
