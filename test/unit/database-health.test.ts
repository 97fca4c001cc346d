import { describe, expect, it } from 'vitest';
import { classifyReplica, topologyLines, type ServerHealth } from '../../src/database/health.js';

const server = (name: string, address: string, source?: string, behind: number | null = 0): ServerHealth => ({
  name,
  address,
  role: source ? 'replica' : 'source',
  vendor: 'mariadb',
  version: '10.11.6-MariaDB',
  readOnly: Boolean(source),
  serverId: 1,
  uptimeSeconds: 1,
  gtid: '',
  replica: source ? { io: 'Yes', sql: 'Yes', behind, lastError: '', source } : undefined,
  ...(source ? classifyReplica({ io: 'Yes', sql: 'Yes', behind, lastError: '', source }) : { health: 'ok' as const, why: 'source' }),
});

describe('replica verdicts', () => {
  it.each([
    [{ io: 'Yes', sql: 'Yes', behind: 0, lastError: '', source: 'db1:3306' }, 'ok', 'in step with db1:3306'],
    [{ io: 'Yes', sql: 'Yes', behind: 45, lastError: '', source: 'db1:3306' }, 'lagging', '45s behind db1:3306'],
    [{ io: 'Connecting', sql: 'Yes', behind: null, lastError: '', source: 'db1:3306' }, 'broken', 'IO thread cannot connect to db1:3306'],
    [{ io: 'Yes', sql: 'No', behind: null, lastError: 'SQL error 1062: Duplicate entry', source: 'db1:3306' }, 'broken', 'SQL error 1062: Duplicate entry'],
  ])('%o is %s', (r, health, why) => expect(classifyReplica(r)).toEqual({ health, why }));
});

describe('topology', () => {
  it('draws chains under their sources, and a source outside the config as such', () => {
    const lines = topologyLines([
      server('db1', 'db1.lan:3306'),
      server('db2', 'db2.lan:3306', 'db1.lan:3306'),
      server('db3', 'db3.lan:3306', 'db2.lan:3306', 50),
      server('db4', 'db4.lan:3306', 'db1.lan:3306'),
      server('dr', 'dr.lan:3306', 'old-dc.lan:3306'),
    ]);
    expect(lines).toEqual(['db1', '├─ db2  ok', '│  └─ db3  lagging 50s behind', '└─ db4  ok', 'old-dc.lan:3306 (not in the config)', '└─ dr  ok']);
  });
});
