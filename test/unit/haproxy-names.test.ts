import { describe, expect, it } from 'vitest';
import { resolveServer, serverInstanceNames } from '../../src/haproxy/names.js';

const servers = [
  { backend: 'www', name: 'i-0aaaaaaaaaaaaaaa1' },
  { backend: 'www', name: 'i-0aaaaaaaaaaaaaaa2' },
  { backend: 'www', name: 'i-0aaaaaaaaaaaaaaa3' },
  { backend: 'api', name: 'i-0aaaaaaaaaaaaaaa4' },
  { backend: 'www', name: 'static-1' },
];
const names = new Map([
  ['i-0aaaaaaaaaaaaaaa1', 'web-1'],
  ['i-0aaaaaaaaaaaaaaa2', 'web-2'],
  ['i-0aaaaaaaaaaaaaaa3', 'web-2'],
  ['i-0aaaaaaaaaaaaaaa4', 'api-1'],
]);

describe('haproxy server NAME|ID', () => {
  it('takes an id as is and a Name tag as its instance, only within the backend', () => {
    expect(resolveServer(servers, 'www', 'i-0aaaaaaaaaaaaaaa1', names)).toBe('i-0aaaaaaaaaaaaaaa1');
    expect(resolveServer(servers, 'www', 'web-1', names)).toBe('i-0aaaaaaaaaaaaaaa1');
    expect(resolveServer(servers, 'www', 'static-1', names)).toBe('static-1');
    expect(resolveServer(servers, 'www', 'api-1', names)).toBeUndefined();
    expect(resolveServer(servers, 'www', 'nope', names)).toBeUndefined();
  });

  it('refuses a name two servers share, naming both ids, rather than pick one', () => {
    expect(() => resolveServer(servers, 'www', 'web-2', names)).toThrow(/2 servers in www are named web-2: i-0aaaaaaaaaaaaaaa2, i-0aaaaaaaaaaaaaaa3/);
  });

  it('looks up only servers named by an instance id, once', async () => {
    const calls: unknown[] = [];
    const compute = {
      describeInstances: async (f: { instanceIds?: readonly string[] }) => {
        calls.push(f);
        return (f.instanceIds ?? []).map((id) => ({ id, name: names.get(id), state: 'running', tags: {} }));
      },
    };
    // a partial Instance is all the lookup reads
    const got = await serverInstanceNames(compute as never, servers);
    expect(calls).toEqual([{ instanceIds: servers.slice(0, 4).map((s) => s.name) }]);
    expect(got.get('i-0aaaaaaaaaaaaaaa4')).toBe('api-1');
    expect(await serverInstanceNames(compute as never, [{ name: 'static-1' }])).toEqual(new Map());
    expect(calls).toHaveLength(1);
  });
});
