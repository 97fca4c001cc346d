import { describe, expect, it } from 'vitest';
import { cnfDrift, serverDrift } from '../../src/database/drift.js';
import type { CnfSetting } from '../../src/database/mycnf.js';
import { normalizeValue } from '../../src/mysql/normalize.js';

/** A parsed my.cnf from `name = value` lines of /etc/mysql/my.cnf, in order; `loose-` kept as the parser does. */
function cnf(...lines: string[]): Map<string, CnfSetting> {
  const out = new Map<string, CnfSetting>();
  lines.forEach((l, i) => {
    const [written = '', raw = ''] = l.split(/\s*=\s*/);
    const loose = written.startsWith('loose-');
    const name = written.replace(/^loose-/, '');
    out.set(name, { name, raw, value: normalizeValue(raw), file: '/etc/mysql/my.cnf', line: i + 2, loose });
  });
  return out;
}

const mysql8Live = new Map([['tmp_table_size', '16777216'], ['max_heap_table_size', '16777216']]);
const QUERY_CACHE = ['query_cache_size = 0', 'query_cache_type = 0', 'query_cache_limit = 1M', 'query_cache_min_res_unit = 4K', 'query_cache_wlock_invalidate = OFF'];

describe('query cache settings in a my.cnf for MySQL 8.0+', () => {
  it.each(QUERY_CACHE)('%s is an error: MySQL 8.0 refuses to start with it', (line) => {
    const r = cnfDrift(cnf(line), mysql8Live, '8.0.36', 'db2');
    const name = line.split(' ')[0] ?? '';
    expect(r.errors).toEqual([`my.cnf sets ${name} (/etc/mysql/my.cnf:2), but MySQL 8.0.36 has no query cache: the server refuses to start with it; remove the line`]);
    expect(r.entries.find((e) => e.name === name)).toMatchObject({ actual: null, note: expect.stringContaining('gone in MySQL 8.0') });
  });

  it('names every query_cache line of the file in one error, and on MySQL 8.4 too', () => {
    const r = cnfDrift(cnf('tmp_table_size = 16M', ...QUERY_CACHE), mysql8Live, '8.4.3');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^my\.cnf sets query_cache_size \(\/etc\/mysql\/my\.cnf:3\), query_cache_type .* query_cache_wlock_invalidate \(\/etc\/mysql\/my\.cnf:7\), but MySQL 8\.4\.3 has no query cache: the server refuses to start with it; remove the lines$/);
  });

  it('a loose- line is skipped by the server at start: a warning, not an error', () => {
    const r = cnfDrift(cnf('loose-query_cache_size = 0'), mysql8Live, '8.0.36');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual(['my.cnf sets query_cache_size (/etc/mysql/my.cnf:2) with loose-: MySQL 8.0.36 has no query cache and skips it with a warning at every start; remove it']);
  });

  it('is no error for servers that still have a query cache (MySQL 5.7, MariaDB 11)', () => {
    expect(cnfDrift(cnf('query_cache_size = 0'), new Map([['query_cache_size', '0'], ['query_cache_type', 'OFF']]), '5.7.44-log').errors).toEqual([]);
    expect(cnfDrift(cnf('query_cache_size = 0'), new Map([['query_cache_size', '0'], ['query_cache_type', 'OFF']]), '11.4.2-MariaDB').errors).toEqual([]);
  });
});

describe('a query cache that is on, on a server that still has one', () => {
  const on = new Map([['query_cache_type', 'ON'], ['query_cache_size', '16777216']]);

  it('is flagged in a single-server my.cnf check, by the server it runs on', () => {
    const r = cnfDrift(cnf('query_cache_type = ON', 'query_cache_size = 16M'), on, '10.11.6-MariaDB', 'db2');
    expect(r.entries).toEqual([]);
    expect(r.warnings).toEqual([expect.stringMatching(/^db2: the query cache is on \(query_cache_type ON, query_cache_size 16M\): every write empties its table's cached results under one global lock/)]);
  });

  it('is flagged when the file turns it on at the next start, though it is off now', () => {
    const r = cnfDrift(cnf('query_cache_type = DEMAND'), new Map([['query_cache_type', 'OFF'], ['query_cache_size', '1048576']]), '5.7.44-log', 'db2');
    expect(r.warnings).toEqual([expect.stringMatching(/^my\.cnf \(at db2's next start\): the query cache is on \(query_cache_type DEMAND, query_cache_size 1M\)/)]);
  });

  it('is not flagged when off (MariaDB ships query_cache_type OFF with a 1M size)', () => {
    expect(cnfDrift(cnf(), new Map([['query_cache_type', 'OFF'], ['query_cache_size', '1048576']]), '10.11.6-MariaDB').warnings).toEqual([]);
    expect(cnfDrift(cnf(), new Map([['query_cache_type', 'ON'], ['query_cache_size', '0']]), '10.11.6-MariaDB').warnings).toEqual([]);
  });

  it('is flagged on either server of a two-server comparison', () => {
    const r = serverDrift(new Map([['query_cache_type', 'OFF'], ['query_cache_size', '0']]), on, ['db1', 'db2']);
    expect(r.warnings).toEqual([expect.stringMatching(/^db2: the query cache is on/)]);
    expect(r.entries.map((e) => e.name)).toEqual(['query_cache_size', 'query_cache_type']);
  });
});
