import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.js';
import { configSchema } from '../../src/config/schema.js';
import { listSecretRefs } from '../../src/config/secrets.js';
import { STARTER_CONFIG } from '../../src/config/template.js';

describe('starter config', () => {
  it('is valid as written', () => {
    expect(() => parseConfig(STARTER_CONFIG, 'starter.yaml')).not.toThrow();
  });

  it('mentions every top-level section of the schema', () => {
    for (const section of Object.keys(configSchema.shape)) expect(STARTER_CONFIG).toMatch(new RegExp(`^${section}:`, 'm'));
  });

  it('stays valid when a person uncomments the hosts: and mysql: examples by deleting "# " and nothing else', () => {
    const start = STARTER_CONFIG.indexOf('\nhosts:');
    const end = STARTER_CONFIG.indexOf('\nwebcam:');
    const examples = STARTER_CONFIG.slice(start, end).replace(/^( +)# /gm, '$1');
    const enabled = STARTER_CONFIG.slice(0, start) + examples + STARTER_CONFIG.slice(end);
    const cfg = parseConfig(enabled, 'enabled.yaml');
    expect(Object.keys(cfg.mysql)).toEqual(['primary', 'replica']);
    expect(cfg.hosts['db-primary']?.user).toBe('admin');
    // Secrets appear only as references.
    expect(listSecretRefs(cfg).map((r) => r.keyPath)).toEqual(['mysql.primary.password', 'mysql.replica.password']);
  });
});
