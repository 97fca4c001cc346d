import { describe, expect, it } from 'vitest';
import { periodOf } from '../../src/webcam/period.js';
import { ffmpegArgs, videoSize } from '../../src/webcam/timelapse.js';
import { concatQuote } from '../../src/webcam/ffmpeg.js';

const TZ = 'America/Vancouver';
const hours = (p: { from: Date; to: Date }): number => (p.to.getTime() - p.from.getTime()) / 3_600_000;

describe('timelapse periods in the camera zone', () => {
  it('a day runs from local midnight to local midnight, 23 or 25 hours on DST days', () => {
    const d = periodOf('day', '2026-06-15', TZ);
    expect([d.from.toISOString(), d.to.toISOString(), d.label]).toEqual(['2026-06-15T07:00:00.000Z', '2026-06-16T07:00:00.000Z', '2026-06-15']);
    expect(hours(periodOf('day', '2026-03-08', TZ))).toBe(23);
    expect(hours(periodOf('day', '2026-11-01', TZ))).toBe(25);
  });

  it('ISO weeks start on Monday, week 1 holds the first Thursday (2026-W01 starts in 2025)', () => {
    expect(periodOf('week', '2026-W25', TZ)).toMatchObject({ label: '2026-W25', firstDay: '2026-06-15', endDay: '2026-06-22' });
    expect(periodOf('week', '2026-W01', TZ)).toMatchObject({ firstDay: '2025-12-29', endDay: '2026-01-05' });
    expect(periodOf('week', '2026W53', TZ)).toMatchObject({ label: '2026-W53', firstDay: '2026-12-28' });
    expect(() => periodOf('week', '2025-W53', TZ)).toThrow(/ISO week/);
    expect(() => periodOf('week', '2026-24', TZ)).toThrow(/ISO week/);
  });

  it('a month runs to the first of the next, December into January', () => {
    expect(periodOf('month', '2026-12', TZ)).toMatchObject({ firstDay: '2026-12-01', endDay: '2027-01-01' });
    expect(() => periodOf('month', '2026-13', TZ)).toThrow(/YYYY-MM/);
    expect(() => periodOf('day', '2026-02-30', TZ)).toThrow(/YYYY-MM-DD/);
  });
});

describe('the video ffmpeg is asked for', () => {
  it('keeps the first frame aspect, never upscales, both sides even (yuv420p needs it)', () => {
    expect(videoSize({ width: 4000, height: 3000 }, 1280)).toEqual({ width: 1280, height: 960 });
    expect(videoSize({ width: 641, height: 481 }, 1280)).toEqual({ width: 640, height: 480 });
    expect(videoSize({ width: 1001, height: 333 }, 1280)).toEqual({ width: 1000, height: 332 });
  });

  it('one captured frame per video frame, fixed size, yuv420p H.264 MP4', () => {
    const a = ffmpegArgs({ width: 640, height: 480, fps: 24, crf: 23 }, '/a/list', '/a/out.tmp');
    expect(a.slice(0, 7)).toEqual(['-y', '-f', 'concat', '-safe', '0', '-i', '/a/list']);
    expect(a[a.indexOf('-vf') + 1]).toBe('setpts=N/(24*TB),scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p');
    expect(a.slice(-3)).toEqual(['-f', 'mp4', '/a/out.tmp']);
  });

  it("quotes a path for the concat list as ffmpeg reads it", () => {
    expect(concatQuote("/srv/cam/it's.jpg")).toBe("'/srv/cam/it'\\''s.jpg'");
  });
});
