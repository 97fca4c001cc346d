import { describe, expect, it } from 'vitest';
import { decide, defaultPolicy, type Decision, type RetentionPolicy } from '../../src/snapshots/policy.js';
import { ZoneCalendar, isoWeekOfDays } from '../../src/snapshots/calendar.js';
import type { Snapshot } from '../../src/cloud/ports.js';
import { snap } from './snapshots-fixtures.js';

const none = new Map<string, string>();

function run(snapshots: Snapshot[], now: string, policy: RetentionPolicy = defaultPolicy, usedByImage = none): Map<string, Decision> {
  const out = decide({ snapshots, now: new Date(now), policy, usedByImage });
  return new Map(out.map((d) => [d.snapshot.id, d]));
}

function verdict(m: Map<string, Decision>, id: string): string {
  const d = m.get(id);
  if (!d) throw new Error(`no decision for ${id}`);
  return `${d.action}: ${d.reason}`;
}

const countOnly: RetentionPolicy = {
  timeZone: 'UTC',
  windows: { keepAllHours: 0, dailyDays: 0, weeklyDays: 0, monthlyDays: 0 },
  keep: {},
};

describe('ISO weeks', () => {
  const week = (iso: string): string => {
    const cal = new ZoneCalendar('UTC');
    return cal.label('week', cal.bucketId('week', Date.parse(iso)));
  };
  it.each([
    ['2025-12-29T12:00:00Z', '2026-W01'], // Monday of week 1 lies in December
    ['2026-01-01T00:00:00Z', '2026-W01'],
    ['2026-12-31T23:00:00Z', '2026-W53'], // 2026 has 53 weeks (starts on Thursday)
    ['2027-01-03T23:59:59Z', '2026-W53'], // Sunday in January still belongs to 2026-W53
    ['2027-01-04T00:00:00Z', '2027-W01'],
    ['2021-01-03T00:00:00Z', '2020-W53'],
    ['2024-12-30T00:00:00Z', '2025-W01'],
    ['2026-11-19T08:00:00Z', '2026-W47'],
  ])('%s is in %s', (iso, expected) => {
    expect(week(iso)).toBe(expected);
  });

  it('agrees with a day-by-day count for ten years', () => {
    // Independent check: weeks advance by one every Monday and restart at 1 in the week with the first Thursday.
    let prev = isoWeekOfDays(Math.floor(Date.parse('2019-12-30') / 86_400_000));
    expect(prev).toEqual({ year: 2020, week: 1 });
    for (let d = Math.floor(Date.parse('2019-12-31') / 86_400_000); d < Math.floor(Date.parse('2030-01-01') / 86_400_000); d++) {
      const cur = isoWeekOfDays(d);
      const monday = new Date(d * 86_400_000).getUTCDay() === 1;
      if (!monday) expect(cur).toEqual(prev);
      else if (cur.week !== 1) expect(cur).toEqual({ year: prev.year, week: prev.week + 1 });
      else expect(new Date((d + 3) * 86_400_000).getUTCFullYear()).toBe(cur.year);
      prev = cur;
    }
  });
});

describe('time zones', () => {
  it('matches Intl day boundaries, including zones with half-hour offsets and DST shifts at :30 UTC', () => {
    for (const tz of ['America/New_York', 'America/St_Johns', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Europe/Berlin']) {
      const cal = new ZoneCalendar(tz);
      const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
      // every 7 minutes across a year catches both DST transitions
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 7 * 60_000 * 13) {
        expect(cal.label('day', cal.bucketId('day', t)), `${tz} ${new Date(t).toISOString()}`).toBe(fmt.format(new Date(t)));
      }
    }
  });

  it('buckets days in the configured zone', () => {
    const a = snap('2026-11-18T03:00:00Z', { id: 'snap-a' }); // 22:00 on the 17th in New York
    const b = snap('2026-11-18T06:00:00Z', { id: 'snap-b' }); // 01:00 on the 18th in New York
    const c = snap('2026-11-21T11:00:00Z', { id: 'snap-c' });
    const now = '2026-11-21T12:00:00Z';
    const utc = run([a, b, c], now);
    expect(verdict(utc, 'snap-a')).toBe('delete: not newest of day 2026-11-18 (snap-b kept)');
    const ny = run([a, b, c], now, { ...defaultPolicy, timeZone: 'America/New_York' });
    expect(verdict(ny, 'snap-a')).toBe('keep: newest of day 2026-11-17');
    expect(verdict(ny, 'snap-b')).toBe('keep: newest of day 2026-11-18');
  });
});

describe('default policy (the recipe windows, newest per bucket)', () => {
  const now = '2026-11-21T12:00:00Z';

  it('keeps everything within 24h and the newest of each day within a week', () => {
    const m = run(
      [
        snap('2026-11-21T11:00:00Z', { id: 'snap-1' }),
        snap('2026-11-20T12:30:00Z', { id: 'snap-2' }),
        snap('2026-11-18T20:00:00Z', { id: 'snap-3' }),
        snap('2026-11-18T10:00:00Z', { id: 'snap-4' }),
      ],
      now,
    );
    expect(verdict(m, 'snap-1')).toBe('keep: newest of volume — never deleted');
    expect(verdict(m, 'snap-2')).toBe('keep: within 24h');
    expect(verdict(m, 'snap-3')).toBe('keep: newest of day 2026-11-18');
    expect(verdict(m, 'snap-4')).toBe('delete: not newest of day 2026-11-18 (snap-3 kept)');
  });

  it('keeps the newest (not the oldest, as the recipe did) of an ISO week that starts in December', () => {
    const m = run(
      [snap('2026-01-20T00:00:00Z', { id: 'snap-n' }), snap('2025-12-29T09:00:00Z', { id: 'snap-old' }), snap('2026-01-02T09:00:00Z', { id: 'snap-new' })],
      '2026-01-20T06:00:00Z',
    );
    expect(verdict(m, 'snap-new')).toBe('keep: newest of ISO week 2026-W01');
    // the week's oldest goes for the week, but it is also December 2025's newest: the monthly window keeps it
    expect(m.get('snap-old')?.keptBy).toEqual(['month']);
    expect(verdict(m, 'snap-old')).toBe('keep: newest of month 2025-12');
    expect(verdict(m, 'snap-n')).toMatch(/^keep: /);
  });

  it('each window keeps the newest of its own buckets over its whole length, whatever the finer windows keep', () => {
    // now: Saturday 2026-11-21 22:52; the daily window reaches back to Saturday 2026-11-14 22:52,
    // which is inside ISO week 2026-W46 (Mon 11-09 .. Sun 11-15).
    const m = run(
      [
        snap('2026-11-21T22:15:00Z', { id: 'snap-now' }),
        snap('2026-11-15T23:15:00Z', { id: 'snap-sun' }), // W46, inside the daily window
        snap('2026-11-14T22:15:00Z', { id: 'snap-sat' }), // W46, just past it
        snap('2026-11-12T10:00:00Z', { id: 'snap-thu' }), // W46
        snap('2026-11-04T10:00:00Z', { id: 'snap-w45' }), // W45: wholly past the daily window
        snap('2026-11-03T10:00:00Z', { id: 'snap-w45b' }),
      ],
      '2026-11-21T22:52:00Z',
    );
    // the week's newest is Sunday's, kept by both windows and listed with both rules
    expect(verdict(m, 'snap-sun')).toBe('keep: newest of day 2026-11-15');
    expect(m.get('snap-sun')?.keptBy).toEqual(['day', 'week']);
    expect(verdict(m, 'snap-sat')).toBe('delete: not newest of ISO week 2026-W46 (snap-sun kept)');
    expect(verdict(m, 'snap-thu')).toBe('delete: not newest of ISO week 2026-W46 (snap-sun kept)');
    expect(verdict(m, 'snap-w45')).toBe('keep: newest of ISO week 2026-W45');
    expect(verdict(m, 'snap-w45b')).toBe('delete: not newest of ISO week 2026-W45 (snap-w45 kept)');
  });

  it('treats week 53 across New Year as one bucket', () => {
    const m = run(
      [snap('2027-01-22T00:00:00Z', { id: 'snap-n' }), snap('2026-12-31T09:00:00Z', { id: 'snap-dec' }), snap('2027-01-03T09:00:00Z', { id: 'snap-jan' })],
      '2027-01-22T06:00:00Z',
    );
    expect(verdict(m, 'snap-jan')).toBe('keep: newest of ISO week 2026-W53');
    // one week bucket across New Year: December's snapshot is not the week's newest, but it is December's
    expect(m.get('snap-dec')?.keptBy).toEqual(['month']);
    expect(m.get('snap-jan')?.keptBy).toContain('week');
  });

  it('keeps December and January apart (month buckets carry the year)', () => {
    const m = run(
      [
        snap('2027-03-15T00:00:00Z', { id: 'snap-n' }),
        snap('2027-01-01T01:00:00Z', { id: 'snap-jan' }),
        snap('2026-12-31T23:00:00Z', { id: 'snap-dec31' }),
        snap('2026-12-20T23:00:00Z', { id: 'snap-dec20' }),
      ],
      '2027-03-15T06:00:00Z',
    );
    expect(verdict(m, 'snap-jan')).toBe('keep: newest of month 2027-01');
    expect(verdict(m, 'snap-dec31')).toBe('keep: newest of month 2026-12');
    expect(verdict(m, 'snap-dec20')).toBe('delete: not newest of month 2026-12 (snap-dec31 kept)');
  });

  it('does not let November of two years collide (the recipe keyed months by "m" alone)', () => {
    const twoYears = { ...defaultPolicy, windows: { ...defaultPolicy.windows, monthlyDays: 730 } };
    const m = run(
      [snap('2026-11-21T00:00:00Z', { id: 'snap-n' }), snap('2025-11-10T00:00:00Z', { id: 'snap-2025' }), snap('2024-11-30T00:00:00Z', { id: 'snap-2024' })],
      now,
      twoYears,
    );
    expect(verdict(m, 'snap-2025')).toBe('keep: newest of month 2025-11');
    expect(verdict(m, 'snap-2024')).toBe('keep: newest of month 2024-11');
  });

  it('with the default windows, last November keeps its own newest while this November has snapshots (the recipe deleted it)', () => {
    // now 2026-11-21: 2025-11-25 is 361 days old (month window), this November is in the day/week windows
    const m = run(
      [
        snap('2026-11-21T06:00:00Z', { id: 'snap-n' }),
        snap('2026-11-02T06:00:00Z', { id: 'snap-this-nov' }),
        snap('2025-11-25T06:00:00Z', { id: 'snap-last-nov' }),
        snap('2025-11-23T06:00:00Z', { id: 'snap-last-nov-older' }),
      ],
      now,
    );
    expect(verdict(m, 'snap-this-nov')).toBe('keep: newest of ISO week 2026-W45');
    expect(verdict(m, 'snap-last-nov')).toBe('keep: newest of month 2025-11');
    expect(verdict(m, 'snap-last-nov-older')).toBe('delete: not newest of month 2025-11 (snap-last-nov kept)');
  });

  it('deletes what is older than a year, but never the newest of a volume', () => {
    const m = run(
      [
        snap('2025-10-01T00:00:00Z', { id: 'snap-a', volumeId: 'vol-old' }),
        snap('2025-09-01T00:00:00Z', { id: 'snap-b', volumeId: 'vol-old' }),
        snap('2026-11-21T00:00:00Z', { id: 'snap-c' }),
        snap('2025-10-01T00:00:00Z', { id: 'snap-d' }),
      ],
      now,
    );
    expect(verdict(m, 'snap-a')).toBe('keep: newest of volume — never deleted');
    // the window is 365 days, and says so (a year may have 366)
    expect(verdict(m, 'snap-b')).toBe('delete: older than 365 days');
    expect(verdict(m, 'snap-d')).toBe('delete: older than 365 days');
  });

  it('skips AMI snapshots, ignores unfinished ones, honours a retain tag', () => {
    const policy = { ...defaultPolicy, keep: { tag: ['retain'] } };
    const m = run(
      [
        snap('2026-11-21T11:50:00Z', { id: 'snap-p', state: 'pending' }),
        snap('2026-11-21T10:00:00Z', { id: 'snap-n' }),
        snap('2024-01-01T00:00:00Z', { id: 'snap-ami' }),
        snap('2024-01-02T00:00:00Z', { id: 'snap-t', tags: { retain: 'forever' } }),
        snap('2024-01-03T00:00:00Z', { id: 'snap-e', state: 'error' }),
      ],
      now,
      policy,
      new Map([['snap-ami', 'ami-0abc']]),
    );
    expect(verdict(m, 'snap-p')).toBe('keep: not completed — ignored');
    expect(verdict(m, 'snap-n')).toBe('keep: newest of volume — never deleted');
    expect(verdict(m, 'snap-ami')).toBe('keep: used by ami-0abc — skipped');
    expect(verdict(m, 'snap-t')).toBe('keep: tag retain=forever — kept');
    expect(verdict(m, 'snap-e')).toBe('keep: not completed — ignored');
  });

  it('decides a snapshot listed twice once, and never deletes the keeper of its bucket because of the copy', () => {
    const keeper = snap('2026-11-18T20:00:00Z', { id: 'snap-keeper' });
    const older = snap('2026-11-18T08:00:00Z', { id: 'snap-older' });
    const newest = snap('2026-11-21T10:00:00Z', { id: 'snap-n' });
    // a listing whose pages shifted: the day's newest appears twice
    const ds = decide({ snapshots: [newest, keeper, older, { ...keeper, tags: {} }], now: new Date(now), policy: defaultPolicy, usedByImage: none });
    expect(ds.map((d) => d.snapshot.id)).toEqual(['snap-n', 'snap-keeper', 'snap-older']);
    expect(ds.filter((d) => d.action === 'delete').map((d) => d.snapshot.id)).toEqual(['snap-older']);
    expect(ds[1]?.reason).toBe('newest of day 2026-11-18');
  });

  it('keeps 24 recent plus the newest of each day, ISO week and month in its window, of 14 months of hourly snapshots', () => {
    const snaps: Snapshot[] = [];
    for (let i = 0; i < 425 * 24; i++) snaps.push(snap(new Date(Date.parse(now) - i * 3_600_000 - 60_000)));
    const kept = [...run(snaps, now).values()].filter((d) => d.action === 'keep');
    const byRule = (r: string): number => kept.filter((d) => d.keptBy.includes(r as never)).length;
    expect(byRule('recent')).toBe(24);
    // every window keeps the newest of each of its buckets; a snapshot kept by several counts once
    // 7 x 24h touch 8 calendar days, 31 days 5-6 ISO weeks, 365 days 13 months
    expect(byRule('day')).toBe(8);
    expect(byRule('week')).toBeGreaterThanOrEqual(5);
    expect(byRule('week')).toBeLessThanOrEqual(6);
    expect(byRule('month')).toBe(13);
    const distinct = new Set(kept.map((d) => d.snapshot.id)).size;
    expect(kept.length).toBe(distinct);
    // 24 recent, then the days, weeks and months the recent hours do not already cover
    expect(kept.length).toBeLessThan(24 + 8 + 6 + 13);
    expect(kept.length).toBeGreaterThanOrEqual(24 + 6 + 3 + 11);
  });
});

describe('count rules (restic 0.14 meaning: newer restic also keeps a group\'s oldest)', () => {
  const now = '2026-11-21T12:00:00Z';
  it('keep-last N keeps the N most recent', () => {
    const s = [0, 1, 2, 3, 4].map((i) => snap(new Date(Date.parse(now) - i * 3_600_000), { id: `snap-${i}` }));
    const m = run(s, now, { ...countOnly, keep: { last: 3 } });
    expect(['snap-0', 'snap-1', 'snap-2', 'snap-3', 'snap-4'].map((id) => m.get(id)?.action)).toEqual(['keep', 'keep', 'keep', 'delete', 'delete']);
    expect(verdict(m, 'snap-2')).toBe('keep: keep-last 3');
    expect(verdict(m, 'snap-3')).toBe('delete: not kept by any rule');
  });

  it('keep-monthly N counts months that have snapshots, newest per month', () => {
    const m = run(
      [
        snap('2026-11-02T00:00:00Z', { id: 'snap-nov' }),
        snap('2026-08-20T00:00:00Z', { id: 'snap-aug2' }),
        snap('2026-08-05T00:00:00Z', { id: 'snap-aug1' }),
        snap('2026-03-01T00:00:00Z', { id: 'snap-mar' }),
        snap('2025-12-01T00:00:00Z', { id: 'snap-dec' }),
      ],
      now,
      { ...countOnly, keep: { monthly: 3 } },
    );
    expect(verdict(m, 'snap-nov')).toBe('keep: newest of volume — never deleted');
    expect(verdict(m, 'snap-aug2')).toBe('keep: keep-monthly 3: newest of month 2026-08');
    expect(m.get('snap-aug1')?.action).toBe('delete');
    expect(verdict(m, 'snap-mar')).toBe('keep: keep-monthly 3: newest of month 2026-03');
    expect(m.get('snap-dec')?.action).toBe('delete');
  });

  it('keep-daily, keep-weekly, keep-yearly and keep-hourly bucket the same way', () => {
    const s = [
      snap('2026-11-21T11:10:00Z', { id: 'snap-a' }),
      snap('2026-11-21T11:05:00Z', { id: 'snap-b' }),
      snap('2026-11-21T09:00:00Z', { id: 'snap-c' }),
      snap('2026-11-20T09:00:00Z', { id: 'snap-d' }),
      snap('2025-06-01T09:00:00Z', { id: 'snap-e' }),
      snap('2024-06-01T09:00:00Z', { id: 'snap-f' }),
    ];
    const kept = (keep: RetentionPolicy['keep']): string[] =>
      [...run(s, now, { ...countOnly, keep }).values()].filter((d) => d.action === 'keep').map((d) => d.snapshot.id);
    expect(kept({ hourly: 2 })).toEqual(['snap-a', 'snap-c']);
    expect(kept({ daily: 2 })).toEqual(['snap-a', 'snap-d']);
    expect(kept({ weekly: 2 })).toEqual(['snap-a', 'snap-e']);
    expect(kept({ yearly: 3 })).toEqual(['snap-a', 'snap-e', 'snap-f']);
  });
});
