/**
 * Which MySQL failures an ingest retries: a dropped link, a killed
 * connection, a deadlock or lock-wait victim may pass on a second try; a
 * wrong password or bad SQL fails the same way every time and must not be
 * hammered four more times.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { OpsError } from '../../src/core/errors.js';
import { honourRetryable, retry } from '../../src/core/retry.js';
import { connectionUnusable, mysqlError, transientMysql } from '../../src/mysql/connection.js';

const driver = (code: string | undefined, errno?: number, fatal?: boolean): Error =>
  Object.assign(new Error(`driver said ${code ?? errno}`), { code, errno, ...(fatal === undefined ? {} : { fatal }) });
const target = { host: '127.0.0.1', port: 3306, user: 'ingest', password: 's3cret' };

describe('MySQL errors an ingest may retry', () => {
  it.each([
    ['ECONNRESET', undefined],
    ['PROTOCOL_CONNECTION_LOST', undefined],
    ['ETIMEDOUT', undefined],
    ['ER_LOCK_DEADLOCK', 1213],
    ['ER_LOCK_WAIT_TIMEOUT', 1205],
    [undefined, 2006],
    [undefined, 2013],
    ['ER_CONNECTION_KILLED', 1927],
  ])('%s %s is transient, and its OpsError says retryable', (code, errno) => {
    const e = driver(code, errno);
    expect(transientMysql(e)).toBe(true);
    const ops = mysqlError(e, target, 'INSERT INTO x as');
    expect(ops).toBeInstanceOf(OpsError);
    expect(ops.retryable).toBe(true);
    expect(honourRetryable(ops)).toBe(true);
  });

  it.each([
    ['ER_ACCESS_DENIED_ERROR', 1045],
    ['ER_PARSE_ERROR', 1064],
    ['ER_NO_SUCH_TABLE', 1146],
    ['ER_DUP_ENTRY', 1062],
    ['ENOTFOUND', undefined],
  ])('%s is not: trying again changes nothing', (code, errno) => {
    const ops = mysqlError(driver(code, errno), target, 'INSERT INTO x as');
    expect(ops.retryable).toBe(false);
    expect(honourRetryable(ops)).toBe(false);
  });

  it('tells a connection mysql2 gave up on (fatal) from one that can take the next statement', () => {
    expect(connectionUnusable(driver('PROTOCOL_CONNECTION_LOST', undefined, true))).toBe(true);
    expect(connectionUnusable(driver('ER_LOCK_DEADLOCK', 1213, false))).toBe(false);
    expect(connectionUnusable(new Error('plain'))).toBe(false);
  });

  it('retry() with honourRetryable calls again after a dropped link, and only once after access denied', async () => {
    const clock = new ManualClock('2026-06-15T19:00:00Z');
    let calls = 0;
    const ok = await retry(
      async () => {
        calls++;
        if (calls < 3) throw mysqlError(driver('PROTOCOL_CONNECTION_LOST', undefined, true), target, 'SELECT as');
        return 'row';
      },
      { retries: 4, clock, random: () => 0, isRetryable: honourRetryable },
    );
    expect([ok, calls]).toEqual(['row', 3]);

    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw mysqlError(driver('ER_ACCESS_DENIED_ERROR', 1045), target, 'SELECT as');
        },
        { retries: 4, clock, random: () => 0, isRetryable: honourRetryable },
      ),
    ).rejects.toThrow(/ER_ACCESS_DENIED_ERROR|driver said/);
    expect(calls).toBe(1);
  });
});
